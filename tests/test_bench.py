"""The scale benchmark runs end to end at its tiny size, so `make bench` cannot rot between
releases; the figures themselves are only read from bench/results, never asserted here."""

from odoo.tests import HttpCase, TransactionCase, tagged

from bench.benchmark import MODELS, NIGHTLY_JOBS, run
from bench.screens import SCREENS, Client, Screen


@tagged("post_install", "-at_install")
class TestBenchTiny(TransactionCase):
    def test_every_step_runs_and_reaches_a_fixed_point(self):
        with self.enter_registry_test_mode():  # the nightly jobs run on cursors of their own
            results = run(self.env, "tiny")
        steps = {row["step"]: row for row in results["steps"]}
        self.assertEqual(results["population"]["customers"], 300)
        self.assertGreater(steps["full_recompute"]["rows"], 0)
        self.assertEqual(steps["unchanged_recompute"]["rows"], 0)
        self.assertEqual(steps["fresh_1000_orders"]["rows"], 50)
        for model in MODELS:
            self.assertGreater(steps[f"attribution_{model}"]["rows"], 0, model)
        self.assertGreater(steps["channel_volume"]["rows"], 0)
        self.assertGreater(steps["care_first_run"]["rows"], 0)
        self.assertEqual(steps["care_second_run"]["rows"], 0)
        self.assertTrue(all(row["seconds"] >= 0 for row in results["steps"]))
        for name in NIGHTLY_JOBS:
            self.assertTrue(steps[f"cron_{name}"]["completed"], name)
            self.assertGreaterEqual(steps[f"cron_{name}"]["calls"], 1, name)
        self.assertGreater(steps["cron_classify"]["rows"], 0)
        self.assertGreater(steps["cron_attribution"]["rows"], 0)
        self.assertTrue(steps["nightly_incremental"]["completed"])
        self.assertGreater(steps["nightly_incremental"]["new_orders"], 0)


@tagged("post_install", "-at_install")
class TestBenchScreens(HttpCase):
    def test_every_screen_opens_through_json_rpc(self):
        run(self.env, "tiny")  # classified customers, attribution, care logs, predictions
        client = Client(self.base_url(), self.env.cr.dbname, "admin", "admin", self.opener)
        for spec in SCREENS:
            screen = Screen(client, *spec)
            self.assertGreater(screen.open(), 0, spec[0])
