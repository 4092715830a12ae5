"""The bench's machinery: results and their tables, alternating timing, the machine's
description, and the gunicorn it measures through."""

from __future__ import annotations

import http.client
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class BenchError(Exception):
    """The bench cannot run as asked (wrong database, no demo, a failing request)."""


# --- Results ------------------------------------------------------------------------------


@dataclass
class Result:
    """One measure: medians in milliseconds, their ratio and whether it meets the target."""

    measure: str
    ours_ms: float | None
    baseline_ms: float | None
    target: float
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours_ms is None or not self.baseline_ms:
            return None
        return self.ours_ms / self.baseline_ms

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return "skipped"
        return "pass" if self.ratio <= self.target else "FAIL"


@dataclass
class Machine:
    cpu: str
    cores: int
    ram_gib: float
    postgres: str
    python: str = field(default_factory=platform.python_version)
    # The 1-minute load average when the run ended: other work on the machine slows
    # both sides of a ratio, but it explains absolute times.
    load: float | None = None

    def line(self) -> str:
        load = "" if self.load is None else f"; load average {self.load:.1f} at the end"
        return (
            f"{self.cpu}, {self.cores} cores, {self.ram_gib:.0f} GiB RAM; "
            f"PostgreSQL {self.postgres}; Python {self.python}{load}"
        )


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else (f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms")


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else (f"{value:.3f}×" if value < 0.1 else f"{value:.2f}×")


def _rows(results: list[Result]) -> list[list[str]]:
    return [
        [
            r.measure,
            fmt_ms(r.ours_ms),
            fmt_ms(r.baseline_ms),
            fmt_ratio(r.ratio),
            f"≤ {r.target:g}×",
            r.verdict,
        ]
        for r in results
    ]


HEADER = ["measure", "ours p50", "baseline p50", "ratio", "target", "result"]


def text_table(results: list[Result], machine: Machine) -> str:
    """The table for a terminal, then the notes and the machine."""
    rows = [HEADER, *_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = [f"  {r.measure}: {r.note}" for r in results if r.note]
    return "\n".join([*lines, "", *(["Notes:", *notes, ""] if notes else []), machine.line()])


def markdown_table(results: list[Result], machine: Machine) -> str:
    """The same table in Markdown, for the README."""
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join(["---"] + ["---:"] * 4 + [":---:"]) + "|",
        *("| " + " | ".join(row) + " |" for row in _rows(results)),
        "",
        f"Machine: {machine.line()}.",
    ]
    notes = [f"- {r.measure}: {r.note}" for r in results if r.note]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


# --- Timing -------------------------------------------------------------------------------


# Ours is timed once, not repeated, when one run takes longer than this (seconds).
SLOW_SECONDS = 60.0


def alternate(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    repeats: int,
    warmup: int = 2,
) -> tuple[float, float]:
    """Medians (ms) of ``ours`` and ``baseline`` run in turn ``repeats`` times each.

    When one run of ours takes longer than ``SLOW_SECONDS``, that run and one of the
    baseline are the answer: repeating would take the whole session.
    """
    for round_ in range(warmup):
        started = time.perf_counter()
        ours()
        took = time.perf_counter() - started
        if round_ == 0 and took > SLOW_SECONDS:
            started = time.perf_counter()
            baseline()
            return took * 1000, (time.perf_counter() - started) * 1000
        baseline()
    ours_times, baseline_times = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        ours()
        ours_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline()
        baseline_times.append(time.perf_counter() - started)
    return statistics.median(ours_times) * 1000, statistics.median(baseline_times) * 1000


# --- Machine ------------------------------------------------------------------------------


def machine_info() -> Machine:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return Machine(cpu=cpu, cores=os.cpu_count() or 1, ram_gib=ram, postgres=postgres, load=load)


# --- The web server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving the bench settings on a free port, stopped on exit."""

    def __init__(self, *, workers: int, threads: int, conn_max_age: int):
        self.port = free_port()
        self.workers, self.threads, self.conn_max_age = workers, threads, conn_max_age
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "CONN_MAX_AGE": str(self.conn_max_age),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "productorg.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(self.threads),
                "--timeout",
                "300",
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise BenchError("gunicorn did not start listening within 60 s")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Http:
    """One keep-alive connection to the bench's gunicorn."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.port, self.headers = port, headers
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def get(self, path: str) -> bytes:
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt == 2:
                    raise
        if response.status != 200:
            raise BenchError(f"GET {path} answered {response.status}: {body[:200]!r}")
        return body

    def status(self, path: str) -> int:
        try:
            self.get(path)
        except BenchError as exc:
            return int(str(exc).split(" answered ")[1].split(":")[0])
        return 200
