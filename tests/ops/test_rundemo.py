"""``manage.py rundemo`` (``make run``): serves the demo, runs tasks, stops cleanly.

Each run uses the embedded default exactly as a new user gets it (its own SQLite file
and filesystem broker under a temporary ``PRODUCTORG_VAR_DIR``), whatever database the
rest of the suite uses.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from productorg.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.workers import wait_until

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children…), from /proc."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Demo:
    proc: subprocess.Popen
    log: Path
    port: int
    env: dict[str, str]
    var_dir: Path

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, opener=None) -> tuple[int, dict, str]:
        opener = opener or urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(self.url(path), timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode(errors="replace")

    def answers(self, path: str) -> bool:
        try:
            return self.get(path)[0] == 200
        except OSError:
            return False


def start_demo(var_dir: Path, log: Path) -> Demo:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_") and k not in ("DATABASE_URL", "REDIS_URL", "CELERY_FS_ROOT")
    }
    env.update(
        PRODUCTORG_VAR_DIR=str(var_dir),
        PORT=str(port),
        DJANGO_SETTINGS_MODULE="productorg.settings",
        PYTHONUNBUFFERED="1",
    )
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Demo(proc=proc, log=log, port=port, env=env, var_dir=var_dir)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    """One demo database for the module: the second start finds it already seeded."""
    return tmp_path_factory.mktemp("rundemo") / "var"


@pytest.fixture
def demo(var_dir, tmp_path) -> Iterator[Demo]:
    running = start_demo(var_dir, tmp_path / "rundemo.log")
    family: set[int] = set()
    try:
        ready = wait_until(
            lambda: running.answers("/accounts/login/") or running.proc.poll() is not None,
            timeout=90,
            interval=0.5,
        )
        assert ready and running.proc.poll() is None, running.output[-4000:]
        family = descendants(running.proc.pid)
        yield running
    finally:
        family |= descendants(running.proc.pid)
        if running.proc.poll() is None:
            running.proc.send_signal(signal.SIGTERM)
            try:
                running.proc.wait(30)
            except subprocess.TimeoutExpired:
                running.proc.kill()
        for pid in family:
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def sign_in(demo: Demo, username: str) -> CookieJar:
    cookies = CookieJar()
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPCookieProcessor(cookies))
    _, _, page = demo.get("/accounts/login/", opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    try:
        opener.open(demo.url("/accounts/login/"), data=data, timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, f"sign-in as {username} answered {exc.code}"
        assert "/accounts/login/" not in exc.headers["Location"]
    return cookies


def test_rundemo_serves_the_demo_runs_tasks_and_stops_on_ctrl_c(demo):
    out = demo.output
    assert f"http://127.0.0.1:{demo.port}/" in out
    assert f"http://127.0.0.1:{demo.port}/admin/" in out
    assert f"http://127.0.0.1:{demo.port}/api/docs/" in out
    for login in DEMO_LOGINS:
        assert login.username in out
    assert "Seeded the small demo organisation" in out

    # Pages need a sign-in; the API docs are public (the API itself checks credentials).
    status, headers, _ = demo.get("/")
    assert status == 302 and headers["Location"].startswith("/accounts/login/")
    status, headers, body = demo.get("/api/docs/")
    assert status == 200 and "swagger" in body.lower()
    assert demo.get("/healthz")[0] == 200
    assert demo.get("/static/css/app.css")[0] == 200

    # A demo login signs in and sees the home page.
    signed_in = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(sign_in(demo, "pm@demo.productorg.test"))
    )
    with signed_in.open(demo.url("/"), timeout=10) as response:
        assert response.status == 200
        assert "/accounts/login/" not in response.url

    # The worker shares the database and the broker folder: a task sent from another
    # process deletes an expired session from the demo's own SQLite file.
    def worker_and_beat_started() -> bool:
        return "ready." in demo.output and "beat: Starting" in demo.output

    assert wait_until(worker_and_beat_started, timeout=60), demo.output[-3000:]
    db = demo.var_dir / "db.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) "
            "VALUES ('expired-demo-session', 'x', '2000-01-01 00:00:00')"
        )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from productorg.tasks import clear_expired_sessions; clear_expired_sessions.delay()",
        ],
        cwd=ROOT,
        env=demo.env,
        check=True,
        capture_output=True,
        timeout=60,
    )

    def session_gone() -> bool:
        with sqlite3.connect(db) as conn:
            row = conn.execute(
                "SELECT 1 FROM django_session WHERE session_key = 'expired-demo-session'"
            ).fetchone()
        return row is None

    assert wait_until(session_gone, timeout=30), demo.output[-3000:]
    assert "productorg.clear_expired_sessions" in demo.output

    # Ctrl-C stops web, worker (and its pool) and beat, and rundemo exits 0.
    family = descendants(demo.proc.pid)
    assert len(family) >= 5, family  # gunicorn + its worker, celery + pool, beat
    demo.proc.send_signal(signal.SIGINT)
    assert demo.proc.wait(40) == 0, demo.output[-3000:]
    assert wait_until(lambda: not any(alive(pid) for pid in family), timeout=10)
    assert "[rundemo] stopped" in demo.output


def test_rundemo_stops_everything_when_one_process_dies(demo):
    # Started again on the same database: nothing is seeded twice, logins still work.
    assert "Seeded the small demo organisation" not in demo.output
    assert "cpo@demo.productorg.test" in demo.output
    family = descendants(demo.proc.pid)
    beat = next(pid for pid in family if " beat " in cmdline(pid))

    os.kill(beat, signal.SIGKILL)

    assert demo.proc.wait(40) != 0
    assert "beat exited with code -9" in demo.output
    assert wait_until(lambda: not any(alive(pid) for pid in family), timeout=10)
