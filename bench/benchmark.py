"""Measure the product against the database's own floor: each step's wall time, rows written
and peak memory (RSS) of the Odoo process. ``run(env, size)`` returns the figures;
``python -m bench.benchmark DB SIZE ADDONS_PATH`` runs it on a database with the addons
installed and writes bench/results/<size>-<date>.json (see tools/bench.sh)."""

import json
import os
import platform
import re
import resource
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import psutil

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools import SQL

from .population import populate
from .screens import time_screens

REPO = Path(__file__).resolve().parent.parent
NEW_ORDERS = {"tiny": 50}  # orders confirmed for the freshness step; 1 000 otherwise
MODELS = ("first_touch", "last_touch", "linear", "position_based", "time_decay")
# Every scheduled job of the addons, run after the steps above as Odoo's cron worker runs
# it: pass after pass of ir.cron._process_job while it reports work left.
NIGHTLY_JOBS = {
    "classify": "customer_segmentation.ir_cron_recompute_customer_segmentation",
    "queue": "customer_segmentation.ir_cron_process_segmentation_queue",
    "attribution": "channel_attribution.ir_cron_recompute_attribution",
    "care": "customer_care.ir_cron_run_care_rules",
    "clv_fit": "customer_clv.ir_cron_fit_clv_models",
}
# A night's jobs in the order they are scheduled, the queue after the attribution job that
# fills it.
INCREMENTAL_NIGHT = ("attribution", "queue", "classify", "care")
LIMIT_TIME_REAL = 120  # Odoo's default real-time limit of a cron worker's pass, in seconds
TARGETS = {  # at 100k, from the issue
    "full_recompute": "≤ 3 × floor and ≤ 30 s",
    "unchanged_recompute": "≤ 1.5 × floor, 0 rows",
    "fresh_1000_orders": "≤ 2 s",
    "attribution_first_touch": "≤ 60 s",
    "channel_pivot": "≤ 2 s",
    "care_first_run": "≤ 60 s",
    "care_second_run": "≤ 10 s, 0 rows",
}
SCREEN_TARGETS = {"warm": "≤ 1 s at 1m", "cold": "≤ 2 s at 1m"}  # every screen


class PeakMemory:
    """Largest resident set size of this process while the block runs (sampled)."""

    def __init__(self, interval=0.02):
        self.interval = interval
        self.peak = 0
        self._running = False
        self._process = psutil.Process()

    def _sample(self):
        while self._running:
            self.peak = max(self.peak, self._process.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self):
        self._running = True
        self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


class Steps:
    def __init__(self, env, commit):
        self.env = env
        self.commit = commit
        self.results = []

    @contextmanager
    def step(self, name, **extra):
        """Time a step; the block sets ``record['rows']``."""
        record = {"step": name, "rows": None, **extra}
        self.env.flush_all()
        with PeakMemory() as memory:
            start = time.perf_counter()
            yield record
            self.env.flush_all()
            record["seconds"] = round(time.perf_counter() - start, 3)
        record["peak_rss_mb"] = round(memory.peak / 2**20, 1)
        self.commit()
        self.results.append(record)
        print(
            f"  {name:<28} {record['seconds']:>9.2f} s  rows={record['rows']}"
            f"  peak={record['peak_rss_mb']} MB",
            flush=True,
        )


def run(env, size, commit=lambda: None):
    """Populate ``size`` customers and measure every step; return the result list."""
    steps = Steps(env, commit)
    with steps.step("populate") as record:
        population = populate(env, size)
        record["rows"] = population["orders"]
    cr = env.cr
    company = env.company

    floor_sql = SQL(
        """
        CREATE TEMP TABLE bench_floor AS
        SELECT rp.commercial_partner_id, COUNT(*) AS orders,
               SUM(so.amount_untaxed / so.currency_rate) AS amount,
               MIN(so.date_order::date) AS first_day, MAX(so.date_order::date) AS last_day
          FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
         WHERE so.state = 'sale' AND so.company_id = %s
         GROUP BY rp.commercial_partner_id
        """,
        company.id,
    )
    # Warm, as the engines read the orders: the first read of the rows just generated also
    # writes their hint bits, which made the floor up to 1.7 times longer.
    cr.execute(floor_sql)
    cr.execute(SQL("DROP TABLE bench_floor"))
    with steps.step("floor") as record:
        cr.execute(floor_sql)
        record["rows"] = cr.rowcount
        cr.execute(SQL("DROP TABLE bench_floor"))

    segmentation = env["customer.segmentation.engine"]
    with steps.step("full_recompute") as record:
        stats = segmentation.run()
        record["rows"] = stats["written"] + stats["history"] + stats["snapshot"]
    with steps.step("unchanged_recompute") as record:
        stats = segmentation.run()
        record["rows"] = stats["written"] + stats["history"] + stats["snapshot"]

    channels = env["customer.channel.engine"]
    with steps.step("acquisition") as record:
        record["rows"] = channels._recompute_acquisition()
    for model in MODELS:
        with steps.step(f"attribution_{model}") as record:
            record["rows"] = channels._recompute_attribution(attribution_models=[model])["written"]
    with steps.step("channel_volume") as record:
        record["rows"] = channels._recompute_volume()
    with steps.step("channel_pivot") as record:
        groups = env["customer.channel.report"].formatted_read_group(
            [],
            ["channel_id", "date:month"],
            ["attributed_revenue:sum", "lead_count:sum", "order_count:sum", "order_value_avg:sum"],
        )
        record["rows"] = len(groups)

    # New orders once every engine has run: the queue updates what is already there.
    orders = _new_orders(env, NEW_ORDERS.get(size, 1000))
    with steps.step("confirm_1000_orders") as record:
        orders.action_confirm()
        record["rows"] = len(orders)
    with steps.step("fresh_1000_orders") as record:
        record["rows"] = segmentation.process_queue()

    care = env["customer.care.engine"]
    # Odoo's "activity assigned to you" message costs milliseconds per activity: at scale
    # the rules run as Odoo's own bulk scheduling does, without it.
    env["customer.care.rule"].search([]).write({"notify_assignee": False})
    with steps.step("care_first_run") as record:
        record["rows"] = sum(care.run().values())
    with steps.step("care_second_run") as record:
        record["rows"] = sum(care.run().values())

    if "customer.clv.model" in env:
        with steps.step("clv_fit") as record:
            try:
                record["rows"] = env["customer.clv.model"].fit_for_company().customer_count
            except UserError as error:  # the tiny size has too few repeat customers
                record["note"] = str(error)
    _restart_nightly_runs(env)
    commit()
    for name, xmlid in NIGHTLY_JOBS.items():
        if not env.ref(xmlid, raise_if_not_found=False):
            continue
        with steps.step(f"cron_{name}") as record:
            record.update(run_cron_job(env, xmlid))
    # The next night after a day of 0.1 % new orders: the jobs take the incremental path, as
    # of tomorrow (the value predictions, the scores' recency and the care rules' intervals
    # move on by a day, as they do each night). Then the night after, which also catches up
    # with the first one (the funnel of the customers it reclassified, the playbooks its
    # orders stopped).
    for step, days in (("nightly_incremental", 1), ("nightly_incremental_next", 2)):
        _night(env, steps, step, max(population["orders"] // 1000, 1), days, commit)
    floor = next(r["seconds"] for r in steps.results if r["step"] == "floor")
    for result in steps.results:
        result["floor_ratio"] = round(result["seconds"] / floor, 2) if floor else None
    return {"population": population, "steps": steps.results}


def _night(env, steps, step, new_orders, days, commit):
    """Confirm ``new_orders`` orders, then run the night's jobs through Odoo's cron runner
    as of ``days`` days after today, measured as ``step``."""
    orders = _new_orders(env, new_orders)
    orders.action_confirm()
    commit()
    day = date.today() + timedelta(days=days)
    with (
        patch.object(fields.Date, "today", staticmethod(lambda *args: day)),
        steps.step(step, new_orders=len(orders)) as record,
    ):
        figures = [run_cron_job(env, NIGHTLY_JOBS[name]) for name in INCREMENTAL_NIGHT]
        record.update(
            rows=sum(f["rows"] for f in figures),
            calls=sum(f["calls"] for f in figures),
            passes=sum(f["passes"] for f in figures),
            max_pass_seconds=max(f["max_pass_seconds"] for f in figures),
            completed=all(f["completed"] for f in figures),
            within_time_limit=all(f["within_time_limit"] for f in figures),
            jobs=dict(zip(INCREMENTAL_NIGHT, figures, strict=True)),
        )


def _restart_nightly_runs(env):
    """Make the nightly jobs do tonight's work again: reclassify and re-attribute everyone
    (the queue, care and value models run as they are)."""
    env["res.company"].search([]).sudo().write(
        {"customer_segmentation_as_of": False, "channel_attribution_as_of": False}
    )


def run_cron_job(env, xmlid, max_passes=1000):
    """Run a scheduled action as Odoo's cron worker does: ``ir.cron._process_job`` on a
    cursor of its own, pass after pass while the job reports work left (each pass calls
    the server action up to 10 times, then asks to be called again). Returns the figures."""
    cron_id = env.ref(xmlid).id
    IrCron = env.registry["ir.cron"]

    def fetch(query):  # on a new cursor: the jobs commit on theirs
        with env.registry.cursor() as cr:
            cr.execute(query)
            return cr.fetchone()

    (first_progress,) = fetch(SQL("SELECT COALESCE(MAX(id), 0) FROM ir_cron_progress"))
    pass_seconds = []
    while len(pass_seconds) < max_passes:
        start = time.perf_counter()
        with env.registry.cursor() as cron_cr:
            job = IrCron._acquire_one_job(cron_cr, cron_id, include_not_ready=True)
            IrCron._process_job(cron_cr, job)
            cron_cr.commit()
        pass_seconds.append(time.perf_counter() - start)
        (again,) = fetch(
            SQL(
                "SELECT EXISTS(SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s "
                "AND call_at <= now() AT TIME ZONE 'UTC')",
                cron_id,
            )
        )
        if not again:
            break
    calls, done, remaining, failures = fetch(
        SQL(
            """SELECT COUNT(*), COALESCE(SUM(done), 0),
                      (ARRAY_AGG(remaining ORDER BY id DESC))[1],
                      (SELECT failure_count FROM ir_cron WHERE id = %(cron)s)
                 FROM ir_cron_progress WHERE cron_id = %(cron)s AND id > %(first)s""",
            cron=cron_id,
            first=first_progress,
        )
    )
    env.invalidate_all()
    return {
        "rows": done,
        "calls": calls,
        "passes": len(pass_seconds),
        "max_pass_seconds": round(max(pass_seconds), 2),
        "completed": not remaining and not failures,
        "within_time_limit": max(pass_seconds) < LIMIT_TIME_REAL,
    }


def _new_orders(env, count):
    """``count`` quotations of existing customers, with one line each, to confirm."""
    product = env["product.product"].create({"name": "Bench product", "list_price": 120})
    env.cr.execute(
        SQL(
            "SELECT id FROM res_partner WHERE name LIKE 'Bench customer %%' "
            "ORDER BY id DESC LIMIT %s",
            count,
        )
    )
    partner_ids = [row[0] for row in env.cr.fetchall()]
    return env["sale.order"].create(
        [
            {"partner_id": partner_id, "order_line": [(0, 0, {"product_id": product.id})]}
            for partner_id in partner_ids
        ]
    )


def machine():
    memory = psutil.virtual_memory().total
    return {
        "cpus": os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "memory_gb": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def screen_step_name(screen):
    """``screen_<name>``: the screen's name in snake case, without its parenthesis."""
    return "screen_" + re.sub(r"[^a-z0-9]+", "_", screen.split("(")[0].lower()).strip("_")


def screen_steps(screens, floor):
    """Each screen as two steps, ``screen_<name>`` (warm) and ``screen_<name>_cold``."""
    steps = []
    for row in screens:
        for suffix, seconds in (("", row["warm"]), ("_cold", row["cold"])):
            steps.append(
                {
                    "step": screen_step_name(row["screen"]) + suffix,
                    "rows": row["rows"],
                    "seconds": seconds,
                    "peak_rss_mb": None,
                    "floor_ratio": round(seconds / floor, 2) if floor else None,
                }
            )
    return steps


def _floor_seconds(results):
    return next((r["seconds"] for r in results.get("steps", []) if r["step"] == "floor"), None)


def step_seconds(results):
    """{step: seconds} of ``results``, with the screen steps of a file written before the
    screens were steps too."""
    rows = results.get("steps", [])
    if not any(row["step"].startswith("screen_") for row in rows):
        rows = rows + screen_steps(results.get("screens", []), _floor_seconds(results))
    return {row["step"]: row["seconds"] for row in rows}


def print_table(results, previous=None):
    """The steps with their figures, and the seconds of the ``previous`` results if any."""
    before = step_seconds(previous or {})
    print(
        f"\n{'step':<28} {'seconds':>9} {'before':>9} {'× floor':>8} {'rows':>10} "
        f"{'peak MB':>9}  target"
    )
    for row in results["steps"]:
        was = before.get(row["step"])
        seconds, peak = row["seconds"], row["peak_rss_mb"]
        print(
            f"{row['step']:<28} {'' if seconds is None else f'{seconds:.2f}':>9} "
            f"{'' if was is None else was:>9} {row['floor_ratio'] or 0:>8.2f} "
            f"{row['rows'] if row['rows'] is not None else '':>10} "
            f"{'' if peak is None else f'{peak:.1f}':>9}  "
            f"{_target(row['step']) or _cron_summary(row)}"
        )
    before = {row["screen"]: row for row in (previous or {}).get("screens", [])}
    print(f"\n{'screen':<40} {'cold s':>7} {'warm s':>7} {'before':>13} {'rows':>6}")
    for row in results.get("screens", []):
        was = before.get(row["screen"])
        was = f"{was['cold']}/{was['warm']}" if was else ""
        print(
            f"{row['screen']:<40} {row['cold']:>7.2f} {row['warm']:>7.2f} {was:>13} "
            f"{row['rows']:>6}"
        )
    if previous:
        print(f"(before: commit {previous['commit']} of {previous['date']})")


def _target(step):
    if step.startswith("screen_"):
        return SCREEN_TARGETS["cold" if step.endswith("_cold") else "warm"]
    return TARGETS.get(step, "")


def previous_results(size):
    """The last results file written for ``size``, if any."""
    files = sorted((REPO / "bench" / "results").glob(f"{size}-*.json"))
    return json.loads(files[-1].read_text()) if files else None


def _cron_summary(row):
    if "calls" not in row:
        return ""
    state = "completed" if row["completed"] else "NOT COMPLETED"
    return (
        f"{state}: {row['calls']} calls in {row['passes']} passes, "
        f"longest pass {row['max_pass_seconds']} s (limit {LIMIT_TIME_REAL} s)"
    )


def main(dbname, size, addons_path):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        ["-d", dbname, "--log-level=warn", f"--addons-path={addons_path}"]
    )
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SHOW server_version")
        pg_version = cr.fetchone()[0]
        results = run(env, size, commit=cr.commit)
    results["screens"] = time_screens(dbname, addons_path)
    results["steps"] += screen_steps(results["screens"], _floor_seconds(results))
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    results.update(
        {
            "size": size,
            "date": datetime.now().isoformat(timespec="seconds"),
            "commit": commit,
            "machine": {**machine(), "postgresql": pg_version},
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )
    print_table(results, previous_results(size))
    out = REPO / "bench" / "results" / f"{size}-{date.today()}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
