"""``manage.py import_people FILE.csv``: the HR import, run here and now."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from roles.imports import COLUMNS, people_import


class Command(BaseCommand):
    help = (
        "Import people from an HR export (CSV with the columns: "
        + ", ".join(COLUMNS)
        + "). All or nothing: a bad row rejects the file and every problem is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file (UTF-8).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count, write nothing."
        )
        parser.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="Record this login as the author of the changes in the history.",
        )

    def handle(self, *args, file: str, dry_run: bool, as_user: str | None, **options):
        acting_user = None
        if as_user:
            try:
                acting_user = get_user_model()._default_manager.get_by_natural_key(as_user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user {as_user!r}.") from exc
        try:
            with open(file, "rb") as handle:
                result = people_import(file=handle, acting_user=acting_user, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc

        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)} problem{'s' if len(result.errors) != 1 else ''} "
                f"in {file}; nothing was imported."
            )
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.total_rows} rows: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged; "
                f"{result.teams_created} teams and {result.units_created} business units created."
            )
        )
