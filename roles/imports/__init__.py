"""Import of people from an HR export: one atomic, re-runnable upsert of the organisation.

The file is a CSV with a header row naming these columns (any order, any case; extra
columns are ignored)::

    email, full name, title, role, manager email, team, business unit, location, start date

Each row is one person, matched to an existing person by e-mail ignoring case: a new
e-mail creates a person, a known one updates them. A cell left empty clears the field
(no role, no manager, no team…); people who are not in the file are left alone. Missing
teams and business units are created by name. ``manager email`` may name someone further
down the file or someone already in the organisation.

Nothing is written unless every row is valid: a bad file is rejected with every problem
listed (row, column, message). Row numbers are those a spreadsheet shows: the header is
row 1, the first person row 2. Re-running the same file changes nothing and writes no
history rows.

How it runs:

1. *Validation*, outside any transaction: the existing people, roles, teams and units
   are loaded in four queries whatever the size of the file or the organisation, and
   every row is checked in memory, including a cycle search over the final reporting
   graph (existing lines plus the file's). ``progress`` is told how far it got.
2. *Writing*, in one transaction: the tables are locked against concurrent writers, the
   snapshot is loaded again and the plan re-validated against it (so a change made by
   someone else between the two phases cannot slip in), then units, teams and people
   are written with bulk operations and their history rows (who, when, the values).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ImportJob
from .plan import Plan, ProgressCallback, load_snapshot, max_length, validate
from .rows import COLUMNS, ImportRowError, error_order, read_csv_text, read_mappings, read_text
from .write import lock_tables, write_plan

__all__ = [
    "COLUMNS",
    "ImportResult",
    "ImportRowError",
    "ProgressCallback",
    "import_job_create",
    "import_job_fail",
    "import_job_run",
    "people_import",
]

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What an import did (or, when ``errors`` is not empty, why it did nothing)."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    teams_created: int = 0
    units_created: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# --- the service ------------------------------------------------------------------------


def people_import(
    *,
    rows: Iterable[Mapping[str, object]] | None = None,
    file: IO | bytes | str | None = None,
    acting_user=None,
    progress: ProgressCallback | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Upsert people (and their teams and units) from an HR export, all or nothing.

    Give either ``file`` (CSV: text, bytes or a file object) or ``rows`` (mappings from
    column name to value). Returns the counts, or every error with nothing written.
    ``dry_run`` validates and counts without writing. Must not run inside a transaction
    when ``progress`` reports to another reader (its updates would not be seen).
    """
    if (rows is None) == (file is None):
        raise TypeError("people_import needs exactly one of rows= or file=")
    if file is not None:
        try:
            parsed, errors = read_csv_text(read_text(file))
        except UnicodeDecodeError:
            parsed, errors = [], [ImportRowError(None, "", "The file is not UTF-8 text.")]
    else:
        parsed, errors = read_mappings(rows)
    if not parsed and not errors:
        errors = [ImportRowError(None, "", "The file has a header but no people under it.")]
    result = ImportResult(total_rows=len(parsed))
    if any(e.row in (None, 1) for e in errors):
        # Without a usable header the cells mean nothing; reading on would only add noise.
        result.errors = errors
        return result

    plan = validate(parsed, load_snapshot(), progress=progress)
    if errors or plan.errors:
        result.errors = sorted(errors + plan.errors, key=error_order)
        return result
    if dry_run:
        _fill_counts(result, plan)
        return result

    if progress:
        progress(ImportJob.Status.WRITING, len(parsed), len(parsed))
    try:
        with transaction.atomic():
            lock_tables()
            plan = validate(parsed, load_snapshot())
            if plan.errors:
                result.errors = plan.errors
                return result
            write_plan(plan, acting_user=acting_user)
    except IntegrityError:
        logger.exception("people import hit a conflicting concurrent change")
        result.errors = [
            ImportRowError(
                None,
                "",
                "The organisation changed while the file was being imported; nothing was "
                "written. Run the import again.",
            )
        ]
        return result
    _fill_counts(result, plan)
    result.written = True
    return result


def _fill_counts(result: ImportResult, plan: Plan) -> None:
    result.created, result.updated, result.unchanged = plan.created, plan.updated, plan.unchanged
    result.teams_created, result.units_created = len(plan.new_teams), len(plan.new_units)


# --- background jobs --------------------------------------------------------------------


def import_job_create(*, file_name: str, content: str, acting_user) -> ImportJob:
    """Store an uploaded export and have a worker import it once this transaction commits."""
    from ..tasks import people_import_job_run  # the task module imports this one

    job = ImportJob(
        file_name=file_name[: max_length(ImportJob, "file_name")],
        content=content,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    job.full_clean()
    job.save()
    people_import_job_run.delay_on_commit(job.pk)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job; None when the job is gone or already finished.

    A job left half-way by a crashed worker is simply run again when its message is
    redelivered: the write is one transaction, so nothing of the first attempt remains,
    and the import is idempotent anyway.
    """
    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .exclude(status__in=ImportJob.FINISHED)
        .update(
            status=ImportJob.Status.VALIDATING, started_at=now, processed_rows=0, updated_at=now
        )
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(phase: str, processed: int, total: int) -> None:
        # Each update commits on its own (no transaction is open here), so the job page
        # sees it while the import goes on.
        ImportJob.objects.filter(pk=job_id).update(
            status=phase, processed_rows=processed, total_rows=total, updated_at=timezone.now()
        )

    result = people_import(file=job.content, acting_user=job.created_by, progress=progress)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED,
        total_rows=result.total_rows,
        processed_rows=result.total_rows,
        errors=[e.as_dict() for e in result.errors],
        created_count=result.created,
        updated_count=result.updated,
        unchanged_count=result.unchanged,
        teams_created_count=result.teams_created,
        units_created_count=result.units_created,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def import_job_fail(*, job_id: int, message: str) -> None:
    """Mark an unfinished job failed (the worker gave up on it), so its page stops waiting."""
    ImportJob.objects.filter(pk=job_id).exclude(status__in=ImportJob.FINISHED).update(
        status=ImportJob.Status.FAILED,
        errors=[ImportRowError(None, "", message).as_dict()],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
