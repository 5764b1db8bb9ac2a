"""The scale benchmark runs end to end at its tiny size, so `make bench` cannot rot between
releases; the figures themselves are only read from bench/results, never asserted here."""

import contextlib
import io

from odoo.tests import HttpCase, TransactionCase, tagged

from bench.benchmark import MODELS, NIGHTLY_JOBS, print_table, run, screen_steps
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
        for night in ("nightly_incremental", "nightly_incremental_next"):
            self.assertTrue(steps[night]["completed"], night)
            self.assertGreater(steps[night]["new_orders"], 0, night)


@tagged("post_install", "-at_install")
class TestBenchScreens(HttpCase):
    def test_every_screen_opens_through_json_rpc(self):
        run(self.env, "tiny")  # classified customers, attribution, care logs, predictions
        client = Client(self.base_url(), self.env.cr.dbname, "admin", "admin", self.opener)
        screens = []
        for spec in SCREENS:
            screen = Screen(client, *spec)
            rows = screen.open()
            self.assertGreater(rows, 0, spec[0])
            screens.append({"screen": spec[0], "cold": 0.2, "warm": 0.1, "rows": rows})
        # Each screen is also a step, warm and cold, with its rows and its ratio to the floor.
        steps = screen_steps(screens, floor=0.5)
        names = [step["step"] for step in steps]
        self.assertEqual(len(set(names)), 2 * len(SCREENS))
        self.assertIn("screen_channel_performance", names)
        self.assertIn("screen_channel_performance_cold", names)
        warm = steps[names.index("screen_channel_performance")]
        self.assertEqual((warm["seconds"], warm["floor_ratio"]), (0.1, 0.2))
        # The table compares them with a previous file that only had the screens table.
        results = {"steps": [{"step": "floor", "seconds": 0.5, "rows": 1, "peak_rss_mb": 1.0,
                              "floor_ratio": 1.0}, *steps], "screens": screens}  # fmt: skip
        previous = {"steps": results["steps"][:1], "screens": screens, "commit": "x", "date": "y"}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            print_table(results, previous)
        line = next(
            li for li in out.getvalue().splitlines() if li.startswith("screen_channel_perf")
        )
        self.assertEqual(line.split()[1:5], ["0.10", "0.1", "0.20", str(warm["rows"])])
