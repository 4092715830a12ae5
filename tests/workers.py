"""A real Celery worker process for the tests that are about tasks.

The worker runs ``celery -A productorg worker`` against the test database (committed
data: use ``transactional_db``) and the configured broker: Redis when ``REDIS_URL`` is
set, otherwise the filesystem broker in a private folder. No eager mode.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from kombu import pools as kombu_pools

from productorg.celery import app

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_test_db() -> str:
    """A DATABASE_URL pointing at the database pytest-django created for this run."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


class WorkerProcess:
    """One real worker; ``start()``, ``kill()`` (SIGKILL), ``stop()``."""

    def __init__(self, *, env: dict[str, str], log: Path, concurrency: int = 1):
        self.env = env
        self.log = log
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None

    def start(self, *, wait: float = 30.0) -> WorkerProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "productorg",
                "worker",
                "--loglevel",
                "INFO",
                "--pool",
                "prefork",
                "--concurrency",
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if b"ready." in self.log.read_bytes():
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {wait}s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(
    predicate: Callable[[], bool], *, timeout: float = 30.0, interval: float = 0.2
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def _reset_producer_pool() -> None:
    """Drop pooled broker connections so the next publish uses the current options.

    kombu keeps its connection and producer pools in process-wide groups keyed by the
    broker URL and options; they are cleared too, or the next worker test on the same
    Redis URL would be handed the pool closed here ("Acquire on closed pool").
    """
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_process(
    transactional_db, tmp_path, settings
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real workers sharing this test's database and a private broker.

    Calls give a started :class:`WorkerProcess`; every worker is stopped afterwards.
    The app in this process is pointed at the same broker so ``.delay()`` reaches them.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["DATABASE_URL"] = database_url_for_test_db()
    env["DJANGO_SETTINGS_MODULE"] = "productorg.settings"
    env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    env["EMAIL_FILE_PATH"] = str(tmp_path / "mail")
    old_conf = {
        "broker_url": app.conf.broker_url,
        "broker_transport_options": app.conf.broker_transport_options,
    }
    if settings.REDIS_URL:
        # A private Redis database index per test run keeps queues apart.
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        fs_root = tmp_path / "broker"
        env["CELERY_FS_ROOT"] = str(fs_root)
        options = {
            "data_folder_in": str(fs_root / "queue"),
            "data_folder_out": str(fs_root / "queue"),
            "processed_folder": str(fs_root / "processed"),
            "control_folder": str(fs_root / "control"),
            "store_processed": False,
            "polling_interval": 0.2,
        }
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = options
        _reset_producer_pool()
    workers: list[WorkerProcess] = []

    def start(concurrency: int = 1) -> WorkerProcess:
        worker = WorkerProcess(
            env=env, log=tmp_path / f"worker-{len(workers)}.log", concurrency=concurrency
        )
        workers.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        app.conf.broker_transport_options = old_conf["broker_transport_options"]
        _reset_producer_pool()
