"""``python -m bench.run``: measure ProductOrg against its baselines and print the table.

Needs ``DATABASE_URL`` pointing at a PostgreSQL database that holds the large demo.
Starts its own gunicorn (bench settings, ``CONN_MAX_AGE`` set so connections persist)
on a free localhost port, warms every measure up, then runs ours and the baseline in
turn (ours, baseline, ours, baseline…) so that drift in the machine hits both alike,
and reports the medians. Every baseline is built in the same database in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import math
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
from importlib import import_module
from pathlib import Path

import django

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


def _fmt_ms(value: float | None) -> str:
    return "—" if value is None else (f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms")


def _fmt_ratio(value: float | None) -> str:
    return "—" if value is None else (f"{value:.3f}×" if value < 0.1 else f"{value:.2f}×")


def _rows(results: list[Result]) -> list[list[str]]:
    return [
        [
            r.measure,
            _fmt_ms(r.ours_ms),
            _fmt_ms(r.baseline_ms),
            _fmt_ratio(r.ratio),
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


# --- Measures -----------------------------------------------------------------------------


@dataclass
class Context:
    """What the measures share: the server, the demo's logins and the counts."""

    port: int
    api: Http
    session: Http
    repeats: int
    heavy_repeats: int
    cpo_id: int
    synthetic_note: str = ""


def measure_api_list(ctx: Context, *, page_size: int = 50) -> Result:
    import json

    path = f"/api/v1/people/?page_size={page_size}"
    raw_path = f"/bench/people.json?page_size={page_size}"
    ours_ids = [row["id"] for row in json.loads(ctx.api.get(path))["results"]]
    raw_ids = [row["id"] for row in json.loads(ctx.api.get(raw_path))["results"]]
    if ours_ids != raw_ids:
        raise BenchError("the raw-SQL people page does not list the API's people")
    ours, baseline = alternate(
        lambda: ctx.api.get(path), lambda: ctx.api.get(raw_path), repeats=ctx.repeats, warmup=5
    )
    return Result(
        f"API list, {page_size} people (HTTP)",
        ours,
        baseline,
        2.0,
        f"GET {path} with a bearer token vs a raw-SQL JSON view (json_agg) of the same page",
    )


def measure_subtrees(ctx: Context) -> list[Result]:
    from roles.models import Person
    from roles.selectors import person_subtree, person_subtree_id_list

    from . import baselines

    built = time.perf_counter()
    pairs = baselines.closure_build()
    built_ms = (time.perf_counter() - built) * 1000
    sizes = baselines.closure_subtree_sizes()
    total = Person.objects.count()
    results = []
    for share in (0.01, 0.10, 1.0):
        # Closest on a log scale: org sizes jump by the span of control at each level.
        root_id, size = min(
            sizes, key=lambda row: (abs(math.log(row[1] / (share * total))), row[0])
        )
        root = Person.objects.get(pk=root_id)
        pairs_of_measures = (
            (
                "people",
                lambda root=root: list(person_subtree(root=root).values_list("id", flat=True)),
                lambda root_id=root_id: baselines.closure_subtree_people(root_id=root_id),
                True,
            ),
            (
                "ids",
                lambda root=root: person_subtree_id_list(root=root),
                lambda root_id=root_id: baselines.closure_subtree_ids(root_id=root_id),
                False,
            ),
        )
        for what, ours, baseline, ordered in pairs_of_measures:
            mine, theirs = ours(), baseline()
            if (mine if ordered else sorted(mine)) != (theirs if ordered else sorted(theirs)):
                raise BenchError(f"the closure table and the selector disagree for {root_id}")
            ours_ms, baseline_ms = alternate(ours, baseline, repeats=ctx.repeats, warmup=3)
            results.append(
                Result(
                    f"Subtree {what}, ~{share:.0%}: {size:,} ({size / total:.0%})",
                    ours_ms,
                    baseline_ms,
                    2.0,
                    {
                        ("people", 1.0): "person_subtree (people whose ids the "
                        "reporting-line closure lists), by name, vs a "
                        f"closure table ({pairs:,} pairs, built in {built_ms:,.0f} ms) "
                        "joined to people, by name",
                        ("ids", 1.0): "person_subtree_id_list (the ids goal visibility "
                        "holds for a viewer) vs the closure table's descendants",
                    }.get((what, share), ""),
                )
            )
    return results


def measure_rollup(ctx: Context) -> Result:
    from roadmaps.models import MetricObservation

    from . import baselines

    name = "Full metric roll-up"
    observations = MetricObservation.objects.count()
    if not observations:
        return Result(name, None, None, 1.5, "skipped: the database holds no observations")
    try:
        rollups = import_module("roadmaps.rollups")
    except ImportError:
        return Result(name, None, None, 1.5, "skipped: roadmaps.rollups is not there yet")
    ours, baseline = alternate(
        lambda: rollups.metric_rollups_run(full=True),
        baselines.flat_group_by,
        repeats=ctx.heavy_repeats,
        warmup=0,  # each run takes long enough to warm itself; the seed warmed the cache
    )
    groups = baselines.flat_group_by()
    return Result(
        name,
        ours,
        baseline,
        1.5,
        f"metric_rollups_run(full=True) vs one GROUP BY of {observations:,} observations "
        f"into {groups:,} metric × product × day rows{ctx.synthetic_note}",
    )


def measure_dashboard(ctx: Context) -> list[Result]:
    from django.contrib.auth import get_user_model

    from roadmaps.models import MetricObservation, Period
    from roadmaps.selectors import period_current
    from roles.models import Person

    from . import baselines

    try:
        dashboard = import_module("health.dashboard")
    except ImportError:
        return [Result("Dashboard", None, None, 0.05, "skipped: health.dashboard is not there")]
    if not MetricObservation.objects.exists():
        return [Result("Dashboard", None, None, 0.05, "skipped: no observations to roll up")]
    leader = Person.objects.get(pk=ctx.cpo_id)
    viewer = get_user_model().objects.get(pk=leader.user_id)
    period = period_current() or Period.objects.order_by("-start").first()
    products = dashboard.subtree_products(leader=leader)

    def whole():
        return dashboard.leader_dashboard(viewer_user=viewer, leader=leader, period=period)

    def key_metrics():
        return dashboard.dashboard_key_metrics(products=products, period=period, grain="week")

    path = f"/api/v1/leaders/{leader.pk}/dashboard/"

    def api():
        return ctx.api.get(path)

    # The dashboard reads the leader's stored health; what computing it costs (nightly,
    # on a Refresh, or on a first view) is reported beside it, with no target of 0.05×.
    from django.conf import settings

    health = import_module("health.selectors")
    per_kind = getattr(settings, "HEALTH_REPORT_FINDINGS_PER_KIND", None)

    def health_compute():
        return health.leader_health(leader=leader, viewer_user=None, limit_per_kind=per_kind)

    measures = [
        ("Dashboard roll-up read, whole org", key_metrics, "dashboard_key_metrics", 0.05),
        ("Dashboard page data, whole org", whole, "leader_dashboard (stored health)", 0.05),
    ]
    if ctx.api.status(path) == 200:
        measures.append(("Dashboard API, whole org (HTTP)", api, f"GET {path}", 0.05))
    if per_kind is not None:
        measures.append(
            (
                "Health computation, whole org",
                health_compute,
                f"informational: leader_health over the whole subtree, the first {per_kind} "
                "findings of each kind (what a refresh computes before storing it)",
                1.0,
            )
        )
    results = []
    for label, ours_fn, what, target in measures:
        ours, baseline = alternate(
            ours_fn, baselines.flat_group_by, repeats=ctx.heavy_repeats, warmup=1
        )
        results.append(
            Result(
                label,
                ours,
                baseline,
                target,
                f"{what} for the CPO, {len(products):,} products, {period.name}, weekly, "
                "vs the flat GROUP BY of the roll-up",
            )
        )
    return results


def measure_export(ctx: Context) -> Result:
    from roadmaps.models import Goal

    from . import baselines

    counts = Goal.objects.values_list("period_id").order_by()
    by_period = {}
    for (period_id,) in counts:
        by_period[period_id] = by_period.get(period_id, 0) + 1
    large = sorted((n, pk) for pk, n in by_period.items() if n >= 1000)
    if not large:
        return Result("Goals export", None, None, 4.0, "skipped: no period has 1,000 goals")
    rows, period_id = large[0]
    path = f"/goals/export.csv?period={period_id}"
    lines = ctx.session.get(path).count(b"\n") - 1
    if lines < rows:
        raise BenchError(f"{path} wrote {lines} rows, expected {rows}")
    ours, baseline = alternate(
        lambda: ctx.session.get(path),
        lambda: baselines.goals_export_rows(period_id=period_id),
        repeats=ctx.repeats,
        warmup=2,
    )
    return Result(
        f"Goals export, {rows:,} rows (HTTP)",
        ours,
        baseline,
        4.0,
        f"GET {path} as an HR admin vs a raw psycopg fetch of the same rows and parents",
    )


# --- Logins -------------------------------------------------------------------------------


@dataclass
class Logins:
    cpo_id: int
    token_header: dict[str, str]
    session_header: dict[str, str]
    cleanup: Callable[[], None]


def logins() -> Logins:
    """A bearer token for the demo CPO and a session for the demo HR admin."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from productorg.demo import DEMO_LOGINS
    from productorg.selectors import user_get_by_email
    from productorg.services import api_token_create

    by_key = {login.key: user_get_by_email(email=login.username) for login in DEMO_LOGINS}
    cpo, hr = by_key.get("cpo"), by_key.get("hr")
    if cpo is None or hr is None:
        raise BenchError("no demo logins: load the demo first (manage.py seed_demo --size large)")
    token, raw = api_token_create(user=cpo, name="Benchmark")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(hr.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = hr.get_session_auth_hash()
    store.create()

    def cleanup():
        token.delete()
        store.delete()

    return Logins(
        cpo_id=cpo.person.pk,
        token_header={"Authorization": f"Bearer {raw}"},
        session_header={"Cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"},
        cleanup=cleanup,
    )


# --- Main ---------------------------------------------------------------------------------

MEASURES = ("api", "subtree", "rollup", "dashboard", "export")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--repeats", type=int, default=30, help="timed runs of light measures")
    parser.add_argument(
        "--heavy-repeats", type=int, default=3, help="timed runs of the roll-up and GROUP BY"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--conn-max-age", type=int, default=600, help="CONN_MAX_AGE (seconds)")
    parser.add_argument("--only", choices=MEASURES, action="append", help="run only these measures")
    parser.add_argument(
        "--synthetic-observations",
        type=int,
        default=0,
        metavar="DAYS",
        help="when the database holds no observations, insert this many days of fallback "
        "readings (source bench-synthetic) for the roll-up and dashboard measures, and "
        "delete them afterwards",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=None,
        help="also write the table as Markdown here (default: var/bench.md)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> list[Result]:
    from django.db import connection

    from roles.models import Person

    if connection.vendor != "postgresql":
        raise BenchError("the bench runs on PostgreSQL: set DATABASE_URL=postgres://…")
    people = Person.objects.count()
    if people < 5000:
        print(
            f"Warning: {people:,} people; the targets are set for the large demo "
            "(manage.py seed_demo --size large).",
            file=sys.stderr,
        )
    # A freshly seeded database has no planner statistics yet; a live one has them
    # from autovacuum. Both sides of every ratio get the same plans either way.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    only = set(args.only or MEASURES)
    accounts = logins()
    results: list[Result] = []
    synthetic = 0
    try:
        synthetic = synthetic_observations(args, only)
        with Gunicorn(
            workers=args.workers, threads=args.threads, conn_max_age=args.conn_max_age
        ) as server:
            ctx = Context(
                port=server.port,
                api=Http(server.port, accounts.token_header),
                session=Http(server.port, accounts.session_header),
                repeats=args.repeats,
                heavy_repeats=args.heavy_repeats,
                cpo_id=accounts.cpo_id,
                synthetic_note=(
                    f" (fallback data: {synthetic:,} synthetic readings)" if synthetic else ""
                ),
            )
            steps: list[tuple[str, Callable[[Context], Result | list[Result]]]] = [
                ("api", measure_api_list),
                ("subtree", measure_subtrees),
                ("rollup", measure_rollup),
                ("dashboard", measure_dashboard),
                ("export", measure_export),
            ]
            for key, step in steps:
                if key not in only:
                    continue
                print(f"Measuring {key}…", file=sys.stderr, flush=True)
                outcome = step(ctx)
                for result in outcome if isinstance(outcome, list) else [outcome]:
                    results.append(result)
                    print(
                        f"  {result.measure}: ours {_fmt_ms(result.ours_ms)}, baseline "
                        f"{_fmt_ms(result.baseline_ms)}, {_fmt_ratio(result.ratio)} "
                        f"(target ≤ {result.target:g}×) {result.verdict}",
                        file=sys.stderr,
                        flush=True,
                    )
    finally:
        accounts.cleanup()
        if synthetic:
            synthetic_observations_remove()
    return results


def synthetic_observations(args: argparse.Namespace, only: set[str]) -> int:
    """Insert the fallback observations if asked and none exist; returns how many."""
    from roadmaps.models import MetricObservation

    from . import baselines

    if not args.synthetic_observations or not only & {"rollup", "dashboard"}:
        return 0
    if MetricObservation.objects.exists():
        return 0
    print(
        f"No observations: inserting {args.synthetic_observations} days of synthetic "
        f"readings (source {baselines.SYNTHETIC_SOURCE})…",
        file=sys.stderr,
        flush=True,
    )
    inserted = baselines.synthetic_observations_insert(days=args.synthetic_observations)
    if "rollup" not in only:
        import_module("roadmaps.rollups").metric_rollups_run(full=True)
    return inserted


def synthetic_observations_remove() -> None:
    """Delete the fallback observations and the roll-ups computed from them."""
    from . import baselines

    print("Deleting the synthetic readings and their roll-ups…", file=sys.stderr, flush=True)
    baselines.synthetic_observations_delete()
    import_module("roadmaps.rollups").metric_rollups_run(full=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    try:
        results = run(args)
        machine = machine_info()
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    print(text_table(results, machine))
    from django.conf import settings

    markdown = args.markdown or Path(settings.VAR_DIR) / "bench.md"
    markdown.write_text(markdown_table(results, machine))
    print(f"\nMarkdown written to {markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
