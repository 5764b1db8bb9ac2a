"""Print the README's performance tables (markdown) from the latest results of each size:
``python -m bench.report 100k 1m``."""

import sys

from .benchmark import SCREEN_TARGETS, TARGETS, previous_results, step_seconds

LABELS = {
    "floor": "floor (aggregation only)",
    "full_recompute": "full classification (first run)",
    "unchanged_recompute": "same, nothing changed",
    "confirm_1000_orders": "1 000 orders confirmed",
    "fresh_1000_orders": "their customers reclassified and re-attributed (queue)",
    "acquisition": "acquisition channel of every customer",
    "attribution_first_touch": "attribution, first touch",
    "attribution_last_touch": "attribution, last touch",
    "attribution_linear": "attribution, linear",
    "attribution_position_based": "attribution, position based",
    "attribution_time_decay": "attribution, time decay",
    "channel_volume": "orders and units of every order by channel",
    "channel_pivot": "channel pivot (in process)",
    "care_first_run": "care rules, first run",
    "care_second_run": "care rules, second run",
    "clv_fit": "CLV fit and predictions",
    "cron_classify": "nightly classification (cron runner)",
    "cron_queue": "queue job (cron runner)",
    "cron_attribution": "full attribution (cron runner)",
    "cron_care": "care job (cron runner)",
    "cron_clv_fit": "CLV fit job (cron runner)",
    "nightly_incremental": "next night after 0.1 % new orders (cron runner)",
    "nightly_incremental_next": "the night after, 0.1 % new orders again (cron runner)",
}


def _cell(row):
    if row is None:
        return " | | "
    cron = (
        f" ({row['calls']} calls, longest pass {row['max_pass_seconds']} s)"
        if "calls" in row
        else ""
    )
    done = "" if row.get("completed", True) else " NOT COMPLETED"
    seconds = "" if row["seconds"] is None else f"{row['seconds']:.2f}"
    ratio = "" if row["floor_ratio"] is None else f"{row['floor_ratio']:.1f}"
    return f" {seconds}{cron}{done} | {ratio} | {row['rows']} "


def main(sizes):
    results = {size: previous_results(size) or {} for size in sizes}
    steps = {size: {row["step"]: row for row in r.get("steps", [])} for size, r in results.items()}
    head = " | ".join(f"{size} s | {size} × floor | {size} rows" for size in sizes)
    print(f"| step | {head} | target at 100k |")
    print("|---|" + "---:|" * (3 * len(sizes)) + "---|")
    for step, label in LABELS.items():
        cells = "|".join(_cell(steps[size].get(step)) for size in sizes)
        print(f"| {label} |{cells}| {TARGETS.get(step, '')} |")
    screens = {
        size: {row["screen"]: row for row in r.get("screens", [])} for size, r in results.items()
    }
    names = list(dict.fromkeys(name for size in sizes for name in screens[size]))
    seconds = {size: step_seconds(r) for size, r in results.items()}
    print()
    head = " | ".join(f"{size} cold s | {size} warm s | {size} warm × floor" for size in sizes)
    print(f"| screen (step) | {head} |")
    print("|---|" + "---:|" * (3 * len(sizes)))
    for name in names:
        cells = " | ".join(_screen_cells(screens[size].get(name), seconds[size]) for size in sizes)
        print(f"| {name} | {cells} |")
    print(
        f"\nTarget for every screen: warm {SCREEN_TARGETS['warm']}, cold {SCREEN_TARGETS['cold']}."
    )


def _screen_cells(row, seconds):
    if not row:
        return " |  | "
    floor = seconds.get("floor")
    ratio = f"{row['warm'] / floor:.2f}" if floor else ""
    return f"{row['cold']:.2f} | {row['warm']:.2f} | {ratio}"


if __name__ == "__main__":
    main(sys.argv[1:] or ["100k", "1m"])
