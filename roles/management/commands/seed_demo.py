"""``manage.py seed_demo [--size small|large] [--reset]``: load the demo organisation.

The organisation (``roles.demo``), its demo logins, then its strategy and goals
(``roadmaps.demo``), in one transaction. Idempotent: an organisation that is not empty
(people, business units or teams) is left as it is, so ``make run`` may call this every
time. ``--reset`` first deletes a previous demo organisation and its goals; it refuses
to touch one with anybody outside the demo.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from health.demo import demo_health_snapshots_create
from productorg.demo import DEMO_PASSWORD, demo_logins_ensure
from productorg.errors import ApplicationError
from roadmaps.demo import (
    demo_goals_create,
    demo_goals_delete,
    demo_observations_create,
    demo_observations_delete,
)
from roles.demo import SIZES, demo_org_create, demo_org_delete, demo_org_is_empty, demo_plan
from roles.models import BusinessUnit, Person
from stakeholders.demo import demo_stakeholders_create, demo_stakeholders_delete


class ProgressBar:
    """A one-line progress bar, redrawn in place on a terminal; one line per phase otherwise."""

    WIDTH = 30

    def __init__(self, stream: TextIO, title: str):
        self.stream = stream
        self.title = title
        self.tty = stream.isatty()
        self.last_label = ""
        self.last_percent = -1

    def __call__(self, done: int, total: int, label: str) -> None:
        percent = done * 100 // max(total, 1)
        if self.tty:
            if percent == self.last_percent and label == self.last_label:
                return
            filled = self.WIDTH * done // max(total, 1)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\r{self.title} [{bar}] {percent:3d}% {label:<20}")
        elif label != self.last_label or done == total:
            self.stream.write(f"{self.title}: {percent:3d}% {label}\n")
        self.stream.flush()
        self.last_label, self.last_percent = label, percent

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Load a deterministic demo organisation (CPO, VPs, Directors, Heads of Product, PMs, "
        "engineers, designers, data people, teams, seats) and the demo logins. Does nothing "
        "if the organisation is not empty, unless --reset replaces a demo organisation."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="small",
            help="small: about 200 people; large: 10,000 people, 60 units, 800 teams.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the existing demo organisation first (refused for a non-demo org).",
        )

    def handle(self, *args, size: str, reset: bool, **options):
        if reset and not demo_org_is_empty():
            try:
                with transaction.atomic():
                    demo_stakeholders_delete()
                    demo_observations_delete()
                    demo_goals_delete()
                    deleted = demo_org_delete()
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"Deleted the previous demo organisation ({deleted} people).")
        if not demo_org_is_empty():
            self.stdout.write(
                f"The organisation already has {Person.objects.count()} people and "
                f"{BusinessUnit.objects.count()} business units: not seeding the demo "
                "(use --reset to replace a demo organisation)."
            )
        else:
            started = time.monotonic()
            # The raw stream (not self.stderr, which would colour and end every write).
            stream = options.get("stderr") or sys.stderr
            bar = ProgressBar(stream, f"Seeding the {size} demo")
            goals_bar = ProgressBar(stream, f"Seeding the {size} demo's goals")
            try:
                with transaction.atomic():
                    try:
                        summary = demo_org_create(plan=demo_plan(size=size), progress=bar)
                    finally:
                        bar.finish()
                    org_seconds = time.monotonic() - started
                    # Before the goals, so that stage changes name the demo logins' people.
                    demo_logins_ensure()
                    goals_started = time.monotonic()
                    goals = demo_goals_create(size=size, progress=goals_bar)
                    goals_seconds = time.monotonic() - goals_started
                    stakeholders = demo_stakeholders_create(size=size)
                    readings = demo_observations_create(size=size)
                    health = demo_health_snapshots_create(size=size)
                if connection.vendor == "postgresql":
                    # Fresh statistics for the planner: millions of rows were just written.
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE")
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            finally:
                goals_bar.finish()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded the {size} demo organisation in {org_seconds:.1f} s: "
                    f"{summary.people} people ({summary.product_people} in product roles), "
                    f"{summary.units} business units, {summary.teams} teams, "
                    f"{summary.filled_seats} filled seats and {summary.hiring_plan_seats} "
                    "open, planned or frozen seats."
                )
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded its strategy in {goals_seconds:.1f} s: "
                    f"{goals.products:,} products, {goals.goals:,} goals, "
                    f"{goals.key_results:,} key results, {goals.check_ins:,} check-ins, "
                    f"{goals.roadmap_items:,} roadmap items."
                )
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded {stakeholders.stakeholders:,} stakeholders, {stakeholders.alignments:,} "
                    f"alignments, {stakeholders.reviews:,} reviews and {stakeholders.decisions:,} decisions."
                )
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded {readings.observations:,} metric readings ({readings.series:,} "
                    f"series, {readings.followed_key_results:,} followed by key results) in "
                    f"{readings.write_seconds:.1f} s and rolled them up ({readings.rollup_rows:,} "
                    f"rows) in {readings.rollup_seconds:.1f} s."
                )
            )
            self.stdout.write(
                self.style.SUCCESS(f"Took {health.snapshots:,} alignment-health snapshots.")
            )
        accounts = demo_logins_ensure()
        if accounts:
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for account in accounts:
                self.stdout.write(
                    f"  {account.login.username:<32} {account.person.full_name}, "
                    f"{account.person.title}"
                )
