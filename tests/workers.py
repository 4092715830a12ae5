"""Real Celery worker and beat processes for the tests that are about tasks.

The worker runs ``celery -A productorg worker`` against the test database (committed
data: use ``transactional_db``) and the configured broker: Redis when ``REDIS_URL`` is
set, otherwise the filesystem broker in a private folder. No eager mode. Beat processes
(``celery -A productorg beat``, database scheduler) share that database and broker.

A test that also asks for ``private_redis`` gets a Redis server of its own (a free port,
nothing saved to disk) that it may stop and start again; the worker, beat and this
process then use it as their broker. E-mail sent by these processes lands in a folder
through Django's file backend; :func:`sent_emails` reads it back.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
    """One real worker; ``start()``, ``kill()`` (SIGKILL), ``stop()``; may start again."""

    ready_marker = b"ready."

    def __init__(self, *, env: dict[str, str], log: Path, concurrency: int = 1):
        self.env = env
        self.log = log
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None
        self.log_offset = 0

    def command(self) -> list[str]:
        return [
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
        ]

    def start(self, *, wait: float = 30.0) -> WorkerProcess:
        return self.launch().wait_ready(wait)

    def launch(self) -> WorkerProcess:
        """Start the process without waiting for it (see ``wait_ready``)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # Only what this start writes counts towards readiness: a restart appends.
        self.log_offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, wait: float = 30.0) -> WorkerProcess:
        name = type(self).__name__
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.ready_marker in self.log.read_bytes()[self.log_offset :]:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{self.log_text()[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"{name} not ready after {wait}s:\n{self.log_text()[-3000:]}")

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

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def finished(self, task_name: str) -> int:
        """How many runs of ``task_name`` this process's log reports as over."""
        return sum(
            1
            for line in self.log_text().splitlines()
            if f" Task {task_name}[" in line and (" succeeded in " in line or " raised " in line)
        )

    _TASK_LINE = re.compile(r" Task [\w.]+\[([0-9a-f-]+)\] (received|succeeded|raised|retry)")

    def busy(self) -> bool:
        """The last task event in the log is a receipt: a task is in hand right now."""
        with self.log.open("rb") as log:
            log.seek(max(self.log_offset, log.seek(0, os.SEEK_END) - 4096))
            events = self._TASK_LINE.findall(log.read().decode(errors="replace"))
        return bool(events) and events[-1][1] == "received"

    def idle(self) -> bool:
        """Every task this run of the worker received has finished (or was retried)."""
        received, over = set(), set()
        text = self.log.read_bytes()[self.log_offset :].decode(errors="replace")
        for task_id, event in self._TASK_LINE.findall(text):
            (received if event == "received" else over).add(task_id)
        return received <= over


class BeatProcess(WorkerProcess):
    """One real ``celery beat`` with the database scheduler (its schedule: PeriodicTask rows)."""

    ready_marker = b"beat: Starting..."

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "productorg",
            "beat",
            "--loglevel",
            "INFO",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile",
            str(self.log.with_suffix(".pid")),
        ]

    def sent(self, task_name: str) -> int:
        """How many times this beat has sent ``task_name``."""
        return sum(
            1
            for line in self.log_text().splitlines()
            if "Sending due task" in line and f"({task_name})" in line
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private ``redis-server`` (no persistence), which a test may stop and start again."""

    def __init__(self, *, port: int, log: Path):
        self.port = port
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> RedisServer:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    shutil.which("redis-server") or "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(self.ping, timeout=10, interval=0.05):
            raise RuntimeError(f"redis-server did not answer:\n{self.log.read_text()[-2000:]}")
        return self

    def stop(self) -> None:
        """Shut the server down; what it held (queued messages) is gone, as after a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def private_redis(tmp_path, settings) -> Iterator[RedisServer]:
    """A Redis server of this test's own, used as the broker by ``celery_worker_process``."""
    if not shutil.which("redis-server"):
        from tests.conftest import skip_or_fail

        skip_or_fail("needs redis-server (apt-get install redis-server)")
    server = RedisServer(port=free_port(), log=tmp_path / "redis.log").start()
    settings.REDIS_URL = server.url
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class SentEmail:
    """One message as the file backend wrote it."""

    message_id: str
    to: tuple[str, ...]
    subject: str
    key: str
    file: str


def sent_emails(folder: Path) -> list[SentEmail]:
    """Every message Django's file backend wrote into ``folder``, in file order.

    The backend appends each message followed by a line of 79 dashes, and may put
    several messages in one file (its file name is a timestamp and an object id), so
    messages are counted by separator, not by file. A file opened but never written
    (its process killed first) holds no message.
    """
    separator = b"\n" + b"-" * 79 + b"\n"
    found = []
    if not folder.exists():
        return found
    for path in sorted(folder.iterdir()):
        chunks = path.read_bytes().split(separator)
        for chunk in chunks[:-1]:
            message = email.message_from_bytes(chunk, policy=email.policy.default)
            found.append(
                SentEmail(
                    message_id=str(message["Message-ID"]),
                    to=tuple(str(a) for a in message.get_all("To", [])),
                    subject=str(message["Subject"]),
                    key=str(message["X-ProductOrg-Key"]),
                    file=path.name,
                )
            )
        # The backend writes a message and its separator in one flush: text after the
        # last separator would be a message cut short.
        if chunks[-1].strip():
            raise AssertionError(f"{path.name} ends with a partial message: {chunks[-1][:200]!r}")
    return found


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


class CeleryProcesses:
    """What ``celery_worker_process`` gives: call it for a started worker, ``beats(n)`` for beats.

    ``mail`` is the folder the processes' e-mail goes to; ``broker_url`` the broker they
    share with this process.
    """

    def __init__(self, *, env: dict[str, str], folder: Path, broker_url: str):
        self.env = env
        self.folder = folder
        self.broker_url = broker_url
        self.mail = Path(env["EMAIL_FILE_PATH"])
        self.processes: list[WorkerProcess] = []

    def __call__(self, concurrency: int = 1, *, wait: bool = True) -> WorkerProcess:
        """A worker; with ``wait=False`` it is launched only (``wait_ready()`` it later)."""
        worker = WorkerProcess(
            env=self.env,
            log=self.folder / f"worker-{len(self.processes)}.log",
            concurrency=concurrency,
        )
        self.processes.append(worker)
        worker.launch()
        return worker.wait_ready() if wait else worker

    def beats(self, count: int = 1, *, wait: bool = True) -> list[BeatProcess]:
        """``count`` beat processes, launched together."""
        started = []
        for _ in range(count):
            beat = BeatProcess(env=self.env, log=self.folder / f"beat-{len(self.processes)}.log")
            self.processes.append(beat)
            started.append(beat.launch())
        return [beat.wait_ready() for beat in started] if wait else started

    def sent_emails(self) -> list[SentEmail]:
        return sent_emails(self.mail)

    def queue_length(self) -> int:
        """Messages waiting in the default queue (the broker's view)."""
        if self.broker_url.startswith("redis"):
            import redis

            return redis.Redis.from_url(self.broker_url).llen("celery")
        return sum(1 for _ in (Path(self.env["CELERY_FS_ROOT"]) / "queue").iterdir())

    def queue_empty(self) -> bool:
        try:
            return self.queue_length() == 0
        except Exception:  # a broker that is down is no answer
            return False

    def settled(self) -> bool:
        """Nothing queued and every running worker done with what it took."""
        running = [p for p in self.processes if type(p) is WorkerProcess and p.proc]
        return self.queue_empty() and all(w.idle() for w in running if w.proc.poll() is None)

    def kill_all(self) -> None:
        # At the end of a test a warm shutdown buys nothing and costs seconds a worker.
        for process in self.processes:
            process.kill()


@pytest.fixture
def celery_worker_process(
    request, transactional_db, tmp_path, settings
) -> Iterator[CeleryProcesses]:
    """Start real workers (and beats) sharing this test's database and a private broker.

    Calls give a started :class:`WorkerProcess`; every process is stopped afterwards.
    The app in this process is pointed at the same broker so ``.delay()`` reaches them.
    """
    if "private_redis" in request.fixturenames:
        request.getfixturevalue("private_redis")  # first: it decides the broker
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
        env.pop("CELERY_FS_ROOT", None)
        app.conf.broker_url = settings.REDIS_URL
        app.conf.broker_transport_options = {"visibility_timeout": 3600}
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
    processes = CeleryProcesses(env=env, folder=tmp_path, broker_url=app.conf.broker_url)
    try:
        yield processes
    finally:
        processes.kill_all()
        app.conf.broker_url = old_conf["broker_url"]
        app.conf.broker_transport_options = old_conf["broker_transport_options"]
        _reset_producer_pool()
