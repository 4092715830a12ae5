"""The admin import page: upload, a background job with progress, then the result or errors."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from roles import imports
from roles.imports import COLUMNS, import_job_run
from roles.models import ImportJob, Person
from roles.tasks import people_import_job_run
from tests.factories import RoleFactory, UserFactory
from tests.workers import wait_until


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def org_rows(n: int, *, prefix: str = "p") -> list[dict[str, str]]:
    """A chain of ``n`` people, each reporting to the previous one, reports listed first."""
    return [
        {
            "email": f"{prefix}{i}@import.test",
            "full name": f"Person {i}",
            "role": "Product Manager",
            "manager email": f"{prefix}{i - 1}@import.test" if i else "",
            "team": f"Team {i % 5}",
            "business unit": "Imported Unit",
        }
        for i in reversed(range(n))
    ]


def upload(client, content: bytes, name: str = "people.csv"):
    return client.post(
        reverse("admin:roles_person_people_import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def job_url(job: ImportJob, *, progress: bool = False) -> str:
    name = "import_job_progress" if progress else "import_job"
    return reverse(f"admin:roles_person_{name}", args=[job.pk])


@pytest.fixture
def hr_client(client, db):
    RoleFactory(name="Product Manager")
    user = UserFactory(username="hr.importer@example.com", hr_admin=True)
    client.force_login(user)
    client.user = user
    return client


# --- the page and the job, without a worker ---------------------------------------------


def test_the_people_list_links_to_the_import_page(hr_client):
    page = hr_client.get(reverse("admin:roles_person_changelist")).content.decode()
    assert reverse("admin:roles_person_people_import") in page
    form = hr_client.get(reverse("admin:roles_person_people_import")).content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert "manager email" in form


def test_an_upload_stores_a_job_and_enqueues_it_only_after_commit(
    hr_client, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(people_import_job_run, "delay", lambda *a, **kw: sent.append((a, kw)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(hr_client, csv_bytes(org_rows(3)))
        assert sent == []  # nothing reaches the broker before the upload is committed

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert (job.status, job.file_name, job.created_by) == ("queued", "people.csv", hr_client.user)
    assert "p0@import.test" in job.content
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [((job.pk,), {})]

    page = hr_client.get(job_url(job)).content.decode()
    assert "Queued" in page
    assert f'hx-get="{job_url(job, progress=True)}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "htmx" in page  # the script is on the page


def test_a_file_that_is_not_utf8_is_refused_on_the_form(hr_client):
    response = upload(hr_client, "email,full name\né@x.test,É\n".encode("latin-1"))
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_run_job_reports_its_result_and_stops_polling(hr_client):
    job = ImportJob.objects.create(
        file_name="org.csv", content=csv_bytes(org_rows(30)).decode(), created_by=hr_client.user
    )
    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.total_rows, job.processed_rows, job.created_count) == (30, 30, 30)
    assert (job.teams_created_count, job.units_created_count) == (5, 1)
    assert job.started_at and job.finished_at
    assert Person.objects.get(email="p0@import.test").history.get().history_user == hr_client.user
    fragment = hr_client.get(job_url(job, progress=True)).content.decode()
    assert 'data-status="done"' in fragment
    assert "hx-trigger" not in fragment
    assert "People created</th><td>30" in fragment


def test_a_failed_job_lists_every_problem(hr_client):
    rows = org_rows(4)
    rows[0]["role"] = "Wizard"  # row 2
    rows[2]["start date"] = "tomorrow"  # row 4
    rows[3]["manager email"] = "nobody@import.test"  # row 5
    job = ImportJob.objects.create(file_name="bad.csv", content=csv_bytes(rows).decode())
    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (2, "role"),
        (4, "start date"),
        (5, "manager email"),
    ]
    assert not Person.objects.filter(email__endswith="@import.test").exists()
    page = hr_client.get(job_url(job)).content.decode()
    assert "Nothing was imported: the file has 3 problems" in page
    assert "Unknown role “Wizard”" in page
    assert "hx-trigger" not in page


def test_the_task_exits_quietly_when_the_job_is_gone_or_finished(db):
    assert people_import_job_run.run(job_id=987654) is None
    job = ImportJob.objects.create(
        file_name="x.csv", content="email\n", status=ImportJob.Status.DONE, created_count=7
    )
    people_import_job_run.run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.errors) == ("done", 7, [])


def test_the_task_declares_its_retries_and_late_acks():
    task = people_import_job_run
    assert task.acks_late is True
    assert task.max_retries and task.autoretry_for


def test_a_task_that_gives_up_marks_its_job_failed(db):
    job = ImportJob.objects.create(file_name="x.csv", content="email\n")
    people_import_job_run.on_failure(RuntimeError("boom"), "task-id", (job.pk,), {}, None)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "unexpected error (RuntimeError)" in job.errors[0]["message"]


@pytest.mark.django_db(transaction=True)
def test_progress_is_committed_during_validation_and_the_write_is_one_transaction(monkeypatch):
    RoleFactory(name="Product Manager")
    seen = []
    original_write = imports.write_plan

    def spy_people_import(**kwargs):
        report = kwargs["progress"]

        def progress(phase, processed, total):
            report(phase, processed, total)
            job = ImportJob.objects.get(pk=job_id)
            seen.append(
                (phase, processed, job.status, job.processed_rows, connection.in_atomic_block)
            )

        return real_people_import(**{**kwargs, "progress": progress})

    def spy_write(plan, **kwargs):
        seen.append(("write", connection.in_atomic_block))
        return original_write(plan, **kwargs)

    real_people_import = imports.people_import
    monkeypatch.setattr(imports, "people_import", spy_people_import)
    monkeypatch.setattr(imports, "write_plan", spy_write)
    job_id = ImportJob.objects.create(
        file_name="big.csv", content=csv_bytes(org_rows(1000)).decode()
    ).pk

    import_job_run(job_id=job_id)

    validating = [s for s in seen if s[0] == "validating"]
    assert len(validating) >= 5  # a big file reports as it goes
    assert all(s[2] == "validating" and s[3] == s[1] and s[4] is False for s in validating)
    assert [s[1] for s in validating] == sorted(s[1] for s in validating)
    assert seen[-2] == ("writing", 1000, "writing", 1000, False)
    assert seen[-1] == ("write", True)
    assert ImportJob.objects.get(pk=job_id).status == ImportJob.Status.DONE


# --- end to end, with a real worker process ---------------------------------------------


@pytest.mark.worker
def test_an_hr_admin_uploads_a_file_and_a_real_worker_imports_it(celery_worker_process, client):
    RoleFactory(name="Product Manager")
    hr = UserFactory(username="hr.e2e@example.com", hr_admin=True)
    client.force_login(hr)
    celery_worker_process()

    response = upload(client, csv_bytes(org_rows(300)), name="hr-export.csv")
    assert response.status_code == 302
    job = ImportJob.objects.get(file_name="hr-export.csv")
    progress_url = job_url(job, progress=True)

    def finished() -> bool:
        fragment = client.get(progress_url, HTTP_HX_REQUEST="true").content.decode()
        return 'data-status="done"' in fragment or 'data-status="failed"' in fragment

    assert wait_until(finished, timeout=60, interval=0.5)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_count, job.processed_rows) == (300, 300)
    page = client.get(job_url(job)).content.decode()
    assert "The import is complete." in page
    assert "People created</th><td>300" in page
    assert "hx-trigger" not in page
    assert Person.objects.filter(email__endswith="@import.test").count() == 300
    assert Person.objects.get(email="p299@import.test").manager.email == "p298@import.test"
    assert Person.objects.get(email="p1@import.test").history.get().history_user == hr

    # A bad file through the same worker: nothing written, every error on the page.
    rows = org_rows(5, prefix="q")
    rows[1]["role"] = "Wizard"
    rows[3]["start date"] = "soon"
    upload(client, csv_bytes(rows), name="bad-export.csv")
    bad = ImportJob.objects.get(file_name="bad-export.csv")
    assert wait_until(
        lambda: ImportJob.objects.get(pk=bad.pk).is_finished, timeout=60, interval=0.5
    )
    page = client.get(job_url(bad)).content.decode()
    assert "the file has 2 problems" in page
    assert "Unknown role “Wizard”" in page and "“soon” is not a date" in page
    assert not Person.objects.filter(email__startswith="q").exists()
