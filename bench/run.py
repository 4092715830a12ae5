"""``python -m bench.run``: measure ProductOrg against its baselines and print the table.

Needs ``DATABASE_URL`` pointing at a PostgreSQL database that holds the large demo.
Starts its own gunicorn (bench settings, ``CONN_MAX_AGE`` set so connections persist)
on a free localhost port, warms every measure up, then runs ours and the baseline in
turn (ours, baseline, ours, baseline…) so that drift in the machine hits both alike,
and reports the medians. Every baseline is built in the same database in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

import django

from .harness import (
    BenchError,
    Gunicorn,
    Http,
    Machine,
    Result,
    alternate,
    fmt_ms,
    fmt_ratio,
    machine_info,
    markdown_table,
    text_table,
)
from .measures import (
    Context,
    logins,
    measure_api_list,
    measure_dashboard,
    measure_export,
    measure_rollup,
    measure_subtrees,
)

__all__ = [
    "MEASURES",
    "Machine",
    "Result",
    "alternate",
    "main",
    "markdown_table",
    "parse_args",
    "text_table",
]


# --- Main ---------------------------------------------------------------------------------

MEASURES = ("api", "subtree", "rollup", "dashboard", "export")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--repeats", type=int, default=30, help="timed runs of light measures")
    parser.add_argument(
        "--heavy-repeats", type=int, default=3, help="timed runs of the roll-up and GROUP BY"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--conn-max-age", type=int, default=600, help="CONN_MAX_AGE (seconds)")
    parser.add_argument("--only", choices=MEASURES, action="append", help="run only these measures")
    parser.add_argument(
        "--synthetic-observations",
        type=int,
        default=0,
        metavar="DAYS",
        help="when the database holds no observations, insert this many days of fallback "
        "readings (source bench-synthetic) for the roll-up and dashboard measures, and "
        "delete them afterwards",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=None,
        help="also write the table as Markdown here (default: var/bench.md)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> list[Result]:
    from django.db import connection

    from roles.models import Person

    if connection.vendor != "postgresql":
        raise BenchError("the bench runs on PostgreSQL: set DATABASE_URL=postgres://…")
    people = Person.objects.count()
    if people < 5000:
        print(
            f"Warning: {people:,} people; the targets are set for the large demo "
            "(manage.py seed_demo --size large).",
            file=sys.stderr,
        )
    # A freshly seeded database has no planner statistics yet; a live one has them
    # from autovacuum. Both sides of every ratio get the same plans either way.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    only = set(args.only or MEASURES)
    accounts = logins()
    results: list[Result] = []
    synthetic = 0
    try:
        synthetic = synthetic_observations(args, only)
        with Gunicorn(
            workers=args.workers, threads=args.threads, conn_max_age=args.conn_max_age
        ) as server:
            ctx = Context(
                port=server.port,
                api=Http(server.port, accounts.token_header),
                session=Http(server.port, accounts.session_header),
                repeats=args.repeats,
                heavy_repeats=args.heavy_repeats,
                cpo_id=accounts.cpo_id,
                synthetic_note=(
                    f" (fallback data: {synthetic:,} synthetic readings)" if synthetic else ""
                ),
            )
            steps: list[tuple[str, Callable[[Context], Result | list[Result]]]] = [
                ("api", measure_api_list),
                ("subtree", measure_subtrees),
                ("rollup", measure_rollup),
                ("dashboard", measure_dashboard),
                ("export", measure_export),
            ]
            for key, step in steps:
                if key not in only:
                    continue
                print(f"Measuring {key}…", file=sys.stderr, flush=True)
                outcome = step(ctx)
                for result in outcome if isinstance(outcome, list) else [outcome]:
                    results.append(result)
                    print(
                        f"  {result.measure}: ours {fmt_ms(result.ours_ms)}, baseline "
                        f"{fmt_ms(result.baseline_ms)}, {fmt_ratio(result.ratio)} "
                        f"(target ≤ {result.target:g}×) {result.verdict}",
                        file=sys.stderr,
                        flush=True,
                    )
    finally:
        accounts.cleanup()
        if synthetic:
            synthetic_observations_remove()
    return results


def synthetic_observations(args: argparse.Namespace, only: set[str]) -> int:
    """Insert the fallback observations if asked and none exist; returns how many."""
    from roadmaps.models import MetricObservation

    from . import baselines

    if not args.synthetic_observations or not only & {"rollup", "dashboard"}:
        return 0
    if MetricObservation.objects.exists():
        return 0
    print(
        f"No observations: inserting {args.synthetic_observations} days of synthetic "
        f"readings (source {baselines.SYNTHETIC_SOURCE})…",
        file=sys.stderr,
        flush=True,
    )
    inserted = baselines.synthetic_observations_insert(days=args.synthetic_observations)
    if "rollup" not in only:
        import_module("roadmaps.rollups").metric_rollups_run(full=True)
    return inserted


def synthetic_observations_remove() -> None:
    """Delete the fallback observations and the roll-ups computed from them."""
    from . import baselines

    print("Deleting the synthetic readings and their roll-ups…", file=sys.stderr, flush=True)
    baselines.synthetic_observations_delete()
    import_module("roadmaps.rollups").metric_rollups_run(full=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    try:
        results = run(args)
        machine = machine_info()
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    print(text_table(results, machine))
    from django.conf import settings

    markdown = args.markdown or Path(settings.VAR_DIR) / "bench.md"
    markdown.write_text(markdown_table(results, machine))
    print(f"\nMarkdown written to {markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
