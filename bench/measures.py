"""The measures: each times one of ours against its baseline, built in the same database."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from .harness import BenchError, Http, Result, alternate

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
