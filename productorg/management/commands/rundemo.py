"""``manage.py rundemo`` (what ``make run`` runs): set up and serve the demo, in the foreground.

1. migrate, collect static files, seed the small demo organisation if nobody is in the
   database yet, make sure the demo logins exist;
2. print where everything is;
3. run the web server (gunicorn), a Celery worker and Celery beat as child processes,
   their output prefixed ``[web]``, ``[worker]``, ``[beat]``.

Ctrl-C (SIGINT) or SIGTERM stops all three. If one of them dies, the others are stopped
and the command exits non-zero. The database and the broker are whatever the settings
say: SQLite and the filesystem broker by default, PostgreSQL and Redis with
``DATABASE_URL`` and ``REDIS_URL``.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from kombu.utils.url import maybe_sanitize_url

from productorg.celery import ensure_broker_folders
from productorg.demo import DEMO_PASSWORD, demo_logins_ensure
from roles.models import Person

# How long children get to finish what they are doing before they are killed.
STOP_TIMEOUT = 20.0
COLOURS = {"web": "36", "worker": "33", "beat": "35", "rundemo": "1"}


def _parent_death_signal() -> None:
    """Ask Linux to SIGTERM the child if rundemo itself is killed (no orphans left behind)."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


try:
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform.startswith("linux") else None
except OSError:  # pragma: no cover - a Linux without glibc
    _LIBC = None


@dataclass
class Child:
    """One supervised process; its output is copied line by line with a prefix."""

    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    reader: threading.Thread | None = None


class Supervisor:
    """Runs children in their own process groups and stops them all together."""

    def __init__(self, children: list[Child], out: TextIO):
        self.children = children
        self.out = out
        self.lock = threading.Lock()
        self.colour = out.isatty()
        self.width = max(len(c.name) for c in children) + 2
        self.stop_requested: str | None = None

    def say(self, name: str, line: str) -> None:
        prefix = f"[{name}]".ljust(self.width)
        if self.colour:
            prefix = f"\033[{COLOURS.get(name, '0')}m{prefix}\033[0m"
        with self.lock:
            self.out.write(f"{prefix} {line.rstrip()}\n")
            self.out.flush()

    def _copy_output(self, child: Child) -> None:
        assert child.proc and child.proc.stdout
        for raw in iter(child.proc.stdout.readline, b""):
            self.say(child.name, raw.decode("utf-8", "replace"))
        child.proc.stdout.close()

    def start(self, env: dict[str, str]) -> None:
        # Every child is started before any reader thread: forking with threads running
        # and a preexec function is what the subprocess docs warn against.
        for child in self.children:
            child.proc = subprocess.Popen(
                child.argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                # Own process group: a Ctrl-C in the terminal reaches rundemo only, which
                # then stops the children in order (and a group signal reaches a child's
                # own subprocesses, such as the worker's pool).
                start_new_session=True,
                preexec_fn=_parent_death_signal,
            )
        for child in self.children:
            child.reader = threading.Thread(target=self._copy_output, args=(child,), daemon=True)
            child.reader.start()
            self.say("rundemo", f"started {child.name} (pid {child.proc.pid})")

    def request_stop(self, signum: int, frame: object) -> None:
        self.stop_requested = signal.Signals(signum).name

    def run_until_stopped(self) -> Child | None:
        """Wait for a stop signal or for a child to exit; return the child that died, if any."""
        while self.stop_requested is None:
            for child in self.children:
                if child.proc.poll() is not None:
                    return child
            time.sleep(0.2)
        return None

    def _signal_group(self, child: Child, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.proc.pid, signum)

    def stop(self) -> None:
        # SIGTERM to the child itself: gunicorn and Celery then stop their own workers
        # gracefully (signalling the whole group would cut the pool processes short).
        for child in self.children:
            if child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in self.children:
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("rundemo", f"{child.name} did not stop in time; killing it")
        for child in self.children:
            # Also reaches what a child left behind in its group (a pool process).
            self._signal_group(child, signal.SIGKILL)
            child.proc.wait()
            if child.reader:
                child.reader.join(5)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def _exclusive(lock_path: Path):
    """Serialise a step between concurrent ``rundemo`` runs of the same checkout."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _database_description() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite, {s['NAME']}"
    return f"{connection.display_name}, {s['NAME']} on {s.get('HOST') or 'localhost'}"


def _broker_description() -> str:
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        return f"filesystem, {settings.CELERY_FS_ROOT}"
    return f"Redis, {maybe_sanitize_url(settings.CELERY_BROKER_URL)}"


class Command(BaseCommand):
    help = (
        "Set up the database, load the demo organisation if it is empty, then serve it: "
        "web (gunicorn), Celery worker and beat in the foreground until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="Port of the web server on 127.0.0.1 (default: $PORT or 8000).",
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads of the web server (default: 4)."
        )

    def handle(self, *args, port: int, threads: int, **options):
        if not _port_is_free(port):
            raise CommandError(
                f"Port {port} on 127.0.0.1 is in use. Stop what uses it, or choose another "
                f"port: PORT={port + 1} make run"
            )
        self.stdout.write("Preparing the database (migrate)…")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Collecting static files…")
        with _exclusive(Path(settings.STATIC_ROOT) / ".collectstatic.lock"):
            call_command("collectstatic", interactive=False, verbosity=0)
        if not Person.objects.exists():
            self.stdout.write("Loading the demo organisation…")
            report = io.StringIO()
            call_command("seed_demo", size="small", stdout=report)
            self.stdout.write(report.getvalue().splitlines()[0])
        accounts = demo_logins_ensure()
        ensure_broker_folders()
        self.print_banner(port, accounts)
        # The children open their own connections; none may inherit this one.
        connections.close_all()

        python = sys.executable
        children = [
            Child(
                "web",
                [
                    python, "-m", "gunicorn", "productorg.wsgi:application",
                    "--bind", f"127.0.0.1:{port}",
                    "--worker-class", "gthread", "--threads", str(threads),
                    "--graceful-timeout", "10",
                    # The control socket sits at one path per user: two demos would clash.
                    "--no-control-socket",
                    "--access-logfile", "-",
                ],
            ),
            Child(
                "worker",
                [
                    python, "-m", "celery", "-A", "productorg", "worker",
                    "--loglevel", "INFO", "--concurrency", "2",
                    "--without-gossip", "--without-mingle",
                    "--hostname", "demo@%h",
                ],
            ),
            Child(
                "beat",
                [
                    python, "-m", "celery", "-A", "productorg", "beat",
                    "--loglevel", "INFO",
                    "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                ],
            ),
        ]  # fmt: skip
        supervisor = Supervisor(children, sys.stdout)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        signal.signal(signal.SIGINT, supervisor.request_stop)
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        supervisor.start(env)
        died = supervisor.run_until_stopped()
        if died is not None:
            supervisor.say(
                "rundemo", f"{died.name} exited with code {died.proc.returncode}; stopping"
            )
        else:
            supervisor.say("rundemo", f"{supervisor.stop_requested}: stopping")
        supervisor.stop()
        if died is not None:
            raise CommandError(f"{died.name} stopped unexpectedly; see its output above.")
        supervisor.say("rundemo", "stopped")

    def print_banner(self, port: int, accounts: list) -> None:
        base = f"http://127.0.0.1:{port}"
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS("ProductOrg demo"))
        w(f"  Open        {base}/")
        w(f"  Admin       {base}/admin/")
        w(f"  API docs    {base}/api/docs/")
        w(f"  Database    {_database_description()}")
        w(f"  Broker      {_broker_description()}")
        if accounts:
            w(f"  Demo logins (password: {DEMO_PASSWORD})")
            for account in accounts:
                w(
                    f"    {account.login.username:<31} {account.person.full_name}, "
                    f"{account.person.title}"
                )
        else:
            w("  No demo logins: this database does not hold the demo organisation.")
        w("  Web, worker and beat run below. Stop them all with Ctrl-C.")
        w("")
