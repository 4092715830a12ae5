"""Background work of the organisation: running HR imports."""

from __future__ import annotations

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError

from .imports import import_job_fail, import_job_run


class _ImportTask(DjangoTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Out of retries (or a bug): say so on the job, so its page stops waiting.
        job_id = kwargs.get("job_id", args[0] if args else None)
        if job_id is not None:
            import_job_fail(
                job_id=job_id,
                message=f"The import stopped on an unexpected error ({type(exc).__name__}); "
                "nothing was written. Try again, or ask an administrator to look at the "
                "worker's log.",
            )


@shared_task(
    name="roles.people_import_job_run",
    base=_ImportTask,
    acks_late=True,
    # A busy or briefly unreachable database is worth another try; nothing is written
    # until the final transaction, so a retry starts from a clean slate.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def people_import_job_run(job_id: int) -> None:
    """Import the HR export stored in ImportJob ``job_id``; quietly nothing if it is gone."""
    import_job_run(job_id=job_id)
