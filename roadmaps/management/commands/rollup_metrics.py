"""Bring metric roll-ups up to date now (the hourly beat job does the same)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from roadmaps.rollups import metric_rollups_run


class Command(BaseCommand):
    help = "Recompute metric roll-ups: the days marked since the last run, or all with --full."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Recompute every bucket of every metric."
        )

    def handle(self, *args, full: bool, **options):
        started = time.perf_counter()
        result = metric_rollups_run(full=full)
        self.stdout.write(
            f"Rolled up {result.metrics} metric(s): {result.rows_written:,} roll-up rows "
            f"written in {time.perf_counter() - started:.1f} s."
        )
