"""The dashboard's pieces: headline counts, units, key metrics, products, findings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from health.models import FindingKind
from roadmaps.models import (
    STAGE_ORDER,
    Goal,
    KeyResult,
    LifecycleStage,
    Metric,
    MetricRollup,
    Period,
    Product,
    RollupScope,
    StagePolicy,
)
from roadmaps.selectors import goal_visibility_q
from roles.models import BusinessUnit, Person, Position, Role
from roles.selectors import person_subtree, person_subtree_ids, user_is_hr_admin

from .series import (
    company_series,
    grain_starts,
    in_ids,
    metric_breakdown,
    metric_series,
    product_latest_values,
)
from .types import (
    FINDING_SORTS,
    FINDINGS_PAGE_SIZE,
    KEY_METRICS_MAX,
    PRODUCT_SORTS,
    PRODUCT_TABLE_METRICS,
    PRODUCTS_PAGE_SIZE,
    UNIT_SORTS,
    FindingRow,
    KeyMetric,
    MetricCell,
    ProductRow,
    ProductTable,
    ProductValue,
    SeriesPoint,
    StageCount,
    UnitRow,
)

# --- The pieces of the dashboard --------------------------------------------------------


def _subtree_people(*, leader: Person) -> dict:
    """Active people and people in product roles under ``leader`` (one query)."""
    return (
        person_subtree(root=leader)
        .filter(is_active=True)
        .aggregate(
            people=Count("id"),
            product_roles=Count("id", filter=Q(role__family=Role.Family.PRODUCT)),
        )
    )


def _open_seats(*, leader: Person) -> int:
    """Open seats reporting to anyone in the subtree (one query; costs never loaded)."""
    return Position.objects.filter(
        status=Position.Status.OPEN, reports_to__in=person_subtree_ids(root=leader)
    ).count()


def subtree_products(*, leader: Person) -> list[tuple[int, str]]:
    """``(id, stage)`` of every product someone in the subtree owns (one query)."""
    return list(
        Product.objects.filter(owner__in=person_subtree_ids(root=leader))
        .order_by("id")
        .values_list("id", "stage")
    )


def _stage_counts(products: list[tuple[int, str]]) -> list[StageCount]:
    counts: dict[str, int] = defaultdict(int)
    for _, stage in products:
        counts[stage] += 1
    return [StageCount(value, label, counts[value]) for value, label in LifecycleStage.choices]


def _goal_visibility_q(*, viewer_user, leader: Person) -> Q:
    """``goal_visibility_q`` for the viewer; on the leader's own dashboard, with their
    subtree as a subquery (the same people) instead of a list of every id in it."""
    own = leader.user_id is not None and leader.user_id == viewer_user.pk
    if own and not user_is_hr_admin(user=viewer_user):
        return Q(visibility=Goal.Visibility.PUBLIC) | Q(owner__in=person_subtree_ids(root=leader))
    return goal_visibility_q(user=viewer_user)


def _visible_subtree_goals(*, viewer_user, leader: Person, period: Period) -> QuerySet[Goal]:
    """The goals the subtree owns in ``period`` that the viewer may see. The leader sees
    every goal of their own subtree (they are in each owner's management chain), so
    their own dashboard needs no visibility filter (nor its list of ids)."""
    own = leader.user_id is not None and leader.user_id == viewer_user.pk
    return Goal.objects.filter(
        Q() if own else goal_visibility_q(user=viewer_user),
        period=period,
        owner__in=person_subtree_ids(root=leader),
    ).order_by()


def _goal_counts(units: list[UnitRow]) -> dict:
    """The headline's goal counts: the units' rows added up (each goal is in one unit)."""
    total = sum(u.goals for u in units)
    return {
        "total": total,
        "on_track": sum(u.on_track for u in units),
        "at_risk": sum(u.at_risk for u in units),
        "off_track": sum(u.off_track for u in units),
        "average": sum((u.progress_sum for u in units), Decimal(0)) / total if total else None,
    }


def dashboard_units(
    *, viewer_user, leader: Person, period: Period, sort: str = "name"
) -> list[UnitRow]:
    """Goal progress per business unit: the goals the subtree owns in ``period`` that the
    viewer may see, each counted in its own unit, else its owner's (one query), then the
    units' names (one). Grouping by the unit's id alone lets the database hash the
    thousands of goals into a few dozen groups instead of sorting them by name."""
    rows = list(
        _visible_subtree_goals(viewer_user=viewer_user, leader=leader, period=period)
        .values(unit_id=Coalesce("business_unit_id", "owner__business_unit_id"))
        .annotate(
            goals=Count("id"),
            average=Avg("progress"),
            on_track=Count("id", filter=Q(status=Goal.Status.ON_TRACK)),
            at_risk=Count("id", filter=Q(status=Goal.Status.AT_RISK)),
            off_track=Count("id", filter=Q(status=Goal.Status.OFF_TRACK)),
            progress_sum=Sum("progress"),
        )
    )
    ids = {row["unit_id"] for row in rows if row["unit_id"] is not None}
    names = dict(BusinessUnit.objects.filter(pk__in=ids).values_list("id", "name")) if ids else {}
    units = [
        UnitRow(
            id=row["unit_id"],
            name=names.get(row["unit_id"]) or "No business unit",
            goals=row["goals"],
            average_progress=_round(row["average"]),
            on_track=row["on_track"],
            at_risk=row["at_risk"],
            off_track=row["off_track"],
            progress_sum=Decimal(row["progress_sum"] or 0),
        )
        for row in rows
    ]
    return sort_units(units, sort)


def sort_units(units: list[UnitRow], sort: str) -> list[UnitRow]:
    sort = sort if sort in UNIT_SORTS else "name"
    key = sort.lstrip("-")
    getters = {
        "name": lambda u: (u.name.lower(),),
        "progress": lambda u: (u.average_progress or Decimal(0), u.name.lower()),
        "goals": lambda u: (u.goals, u.name.lower()),
        "behind": lambda u: (u.behind, u.name.lower()),
    }
    return sorted(units, key=getters[key], reverse=sort.startswith("-"))


def _round(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.1"))


def _key_metrics(
    *, products: list[tuple[int, str]], grain: str, first: dt.date, last: dt.date
) -> tuple[list[Metric], set[str], bool]:
    """The metrics charted (two queries): those the products' stages expect and those
    with roll-ups for the products in the period, the ones with data first; and whether
    the products are every product there is (counted in the same query), so that the
    company-scope roll-ups hold their numbers."""
    stages = {stage for _, stage in products}
    expected: set[str] = set()
    for keys in StagePolicy.objects.filter(stage__in=stages).values_list(
        "expected_metric_keys", flat=True
    ):
        expected.update(k for k in keys or [] if isinstance(k, str))
    product_ids = [pid for pid, _ in products]
    if not product_ids:
        return [], expected, False
    has_rollups = Exists(
        MetricRollup.objects.filter(
            in_ids("scope_id", product_ids),
            metric_id=OuterRef("pk"),
            scope=RollupScope.PRODUCT,
            grain=grain,
            period_start__gte=first,
            period_start__lte=last,
        )
    )
    products_total = RawSQL(
        f"SELECT COUNT(*) FROM {connection.ops.quote_name(Product._meta.db_table)}", []
    )
    metrics = list(
        Metric.objects.annotate(
            has_data=has_rollups,
            is_expected=Case(
                When(key__in=sorted(expected), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            products_total=products_total,
        )
        .filter(Q(has_data=True) | Q(is_expected=1))
        .order_by("-has_data", "-is_expected", "key")[:KEY_METRICS_MAX]
    )
    # The ids are distinct, so as many as there are products means all of them.
    every_product = bool(metrics) and metrics[0].products_total == len(set(product_ids))
    return metrics, expected, every_product


def dashboard_key_metrics(
    *, products: list[tuple[int, str]], period: Period, grain: str
) -> list[KeyMetric]:
    """The key metrics of the subtree's products over ``period``: the metrics (two
    queries), the series (the company-scope roll-ups when the subtree holds every
    product: one query; else the products': one, plus one when a metric takes the last
    reading), the breakdown (one, plus one for last-reading metrics; over every product's
    roll-ups when the subtree holds them all) and the names of the products it ranks
    (one)."""
    if not products:
        return []
    starts = grain_starts(period.start, period.end, grain)
    first, last = starts[0], starts[-1]
    metrics, expected, every_product = _key_metrics(
        products=products, grain=grain, first=first, last=last
    )
    product_ids = [pid for pid, _ in products]
    if every_product:
        series = company_series(
            metric_ids=[m.pk for m in metrics], grain=grain, first=first, last=last
        )
    else:
        series = metric_series(
            metrics=metrics, product_ids=product_ids, grain=grain, first=first, last=last
        )
    breakdown = metric_breakdown(
        metrics=metrics,
        product_ids=None if every_product else product_ids,
        grain=grain,
        first=first,
        last=last,
    )
    named = {pid for items in breakdown.values() for pid, _ in items}
    names = dict(Product.objects.filter(pk__in=named).values_list("id", "name")) if named else {}
    result = []
    for metric in metrics:
        points = series.get(metric.pk, {})
        result.append(
            KeyMetric(
                id=metric.pk,
                key=metric.key,
                name=metric.name,
                unit=metric.unit,
                aggregation=metric.aggregation,
                direction=metric.direction,
                expected=metric.key in expected,
                series=[SeriesPoint(start, *points.get(start, (None, 0))) for start in starts],
                breakdown=[
                    ProductValue(pid, names.get(pid, f"#{pid}"), value)
                    for pid, value in breakdown.get(metric.pk, [])
                ],
            )
        )
    return result


def dashboard_products(
    *,
    viewer_user,
    leader: Person,
    period: Period,
    grain: str,
    key_metrics: list[KeyMetric],
    sort: str = "name",
    stage: str = "",
    search: str = "",
    page: int = 1,
    page_size: int | None = PRODUCTS_PAGE_SIZE,
) -> ProductTable:
    """The subtree's products, sorted, filtered and paged, each with its latest value of
    the first key metrics against the target of a visible key result that follows the
    metric (else against the bucket before). Four queries: count, page, values, targets."""
    sort = sort if sort in PRODUCT_SORTS else "name"
    stage = stage if stage in LifecycleStage.values else ""
    search = (search or "").strip()[:100]
    qs = Product.objects.filter(owner__in=person_subtree_ids(root=leader))
    if stage:
        qs = qs.filter(stage=stage)
    if search:
        qs = qs.filter(name__icontains=search)
    total = qs.count()
    pages = max(1, -(-total // page_size)) if page_size else 1
    page = min(max(1, page), pages)
    ordered = (
        qs.select_related("owner", "business_unit")
        .only("id", "name", "stage", "owner__full_name", "business_unit__name")
        .annotate(
            stage_rank=Case(
                *(When(stage=value, then=Value(rank)) for rank, value in enumerate(STAGE_ORDER)),
                output_field=IntegerField(),
            )
        )
        .order_by(*PRODUCT_SORTS[sort])
    )
    if page_size:
        ordered = ordered[(page - 1) * page_size : page * page_size]
    products = list(ordered) if total else []
    shown = key_metrics[:PRODUCT_TABLE_METRICS]
    ids = [p.pk for p in products]
    metric_ids = [m.id for m in shown]
    latest: dict = {}
    targets: dict[tuple[int, int], Decimal] = {}
    if ids and metric_ids:
        starts = grain_starts(period.start, period.end, grain)
        latest = product_latest_values(
            metric_ids=metric_ids, product_ids=ids, grain=grain, first=starts[0], last=starts[-1]
        )
        key_results = (
            KeyResult.objects.filter(
                metric_id__in=metric_ids, goal__product_id__in=ids, goal__period=period
            )
            .filter(_goal_q_via(_goal_visibility_q(viewer_user=viewer_user, leader=leader), "goal"))
            .order_by("goal_id", "id")
            .values_list("goal__product_id", "metric_id", "target_value")
        )
        for product_id, metric_id, target in key_results:
            targets.setdefault((product_id, metric_id), target)
    rows = []
    for product in products:
        cells = []
        for metric in shown:
            values = latest.get((product.pk, metric.id), [])
            target = targets.get((product.pk, metric.id))
            if target is not None:
                compare, kind = target, "target"
            elif len(values) > 1:
                compare, kind = values[1], "previous"
            else:
                compare, kind = None, ""
            cells.append(
                MetricCell(
                    metric_id=metric.id,
                    metric_name=metric.name,
                    unit=metric.unit,
                    direction=metric.direction,
                    latest=values[0] if values else None,
                    compare_to=compare,
                    compare_kind=kind,
                )
            )
        rows.append(
            ProductRow(
                id=product.pk,
                name=product.name,
                stage=product.stage,
                stage_label=product.get_stage_display(),
                owner_id=product.owner_id,
                owner_name=product.owner.full_name if product.owner else "",
                unit_name=product.business_unit.name,
                metrics=cells,
            )
        )
    return ProductTable(
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        sort=sort,
        stage=stage,
        search=search,
        metrics=shown,
    )


def _goal_q_via(q: Q, relation: str) -> Q:
    """``q`` (a filter on Goal) re-rooted at ``relation``, as roadmaps.selectors does."""
    rerooted = Q()
    rerooted.connector, rerooted.negated = q.connector, q.negated
    rerooted.children = [
        _goal_q_via(child, relation)
        if isinstance(child, Q)
        else (f"{relation}__{child[0]}", child[1])
        for child in q.children
    ]
    return rerooted


def findings_limit(*, sort: str, page: int | None) -> int | None:
    """How many findings of each kind to read for ``page`` of the table (``None``: all).

    Sorted by kind, each kind keeps the order its rule reads it in, so page ``n`` lies
    within the first ``n × page size`` rows of each kind and the rules read no more
    (``LIMIT`` in SQL). Sorted by subject or owner, every finding is read.
    """
    if page is None or sort.lstrip("-") != "kind":
        return None
    return max(1, page) * FINDINGS_PAGE_SIZE


def dashboard_health(*, viewer_user, leader: Person, kind: str = "", per_kind: int | None):
    """The leader's health for the dashboard: the stored report as the viewer may see it
    (``health.services.health_report_for_viewer``: computed and stored when there is
    none, refreshed in the background when old), unless the findings asked for (the
    first ``per_kind`` of ``kind``, or of every kind) go beyond the ones it keeps; those
    are computed live (``health.selectors.leader_health``)."""
    from health.selectors import leader_health
    from health.services import health_report_for_viewer

    report = health_report_for_viewer(leader=leader, viewer_user=viewer_user)
    if report.covers(kind=kind, per_kind=per_kind):
        return report
    return leader_health(leader=leader, viewer_user=viewer_user, limit_per_kind=per_kind)


def dashboard_findings(
    *,
    viewer_user,
    leader: Person,
    kind: str = "",
    sort: str = "kind",
    report=None,
    limit_per_kind: int | None = None,
) -> tuple[list[FindingRow], object]:
    """The leader's alignment findings as table rows, filtered by kind and sorted, with
    the health report they come from (``health.selectors.leader_health``, reading at most
    ``limit_per_kind`` findings of each kind)."""
    if report is None:
        report = dashboard_health(
            viewer_user=viewer_user, leader=leader, kind=kind, per_kind=limit_per_kind
        )
    rows = [
        FindingRow(
            kind=str(getattr(f, "kind", "")),
            label=str(getattr(f, "label", "") or getattr(f, "kind", "")),
            subject=str(getattr(f, "subject", "")),
            url=str(getattr(f, "url", "") or ""),
            detail=str(getattr(f, "detail", "") or ""),
            owner=_owner_name(getattr(f, "owner", None)),
        )
        for f in report.findings
    ]
    if kind:
        rows = [r for r in rows if r.kind == kind]
    sort = sort if sort in FINDING_SORTS else "kind"
    key = sort.lstrip("-")
    # By kind means in the order the health rules are listed, the most pressing first;
    # within a kind, in the order its rule reads them (a stable sort keeps it).
    rank = {kind: i for i, kind in enumerate(FindingKind.values)}
    if key == "kind":
        rows.sort(key=lambda row: rank.get(row.kind, len(rank)), reverse=sort.startswith("-"))
        return rows, report

    def sort_key(row: FindingRow):
        return (getattr(row, key).lower(), row.subject.lower())

    rows.sort(key=sort_key, reverse=sort.startswith("-"))
    return rows, report


@dataclass
class FindingsPage:
    rows: list[FindingRow]
    total: int
    page: int
    pages: int
    report: object


def dashboard_findings_page(
    *,
    viewer_user,
    leader: Person,
    kind: str = "",
    sort: str = "kind",
    page: int | None = 1,
    report=None,
) -> FindingsPage:
    """One page of the findings table (every finding when ``page`` is ``None``), reading
    only the findings up to that page of each kind when sorted by kind. The total comes
    from the health breakdown, which counts every failing row."""
    rows, report = dashboard_findings(
        viewer_user=viewer_user,
        leader=leader,
        kind=kind,
        sort=sort,
        report=report,
        limit_per_kind=findings_limit(sort=sort, page=page),
    )
    total = sum(e.failing for e in report.breakdown if not kind or e.kind == kind)
    if page is None:
        return FindingsPage(rows=rows, total=max(total, len(rows)), page=1, pages=1, report=report)
    pages = max(1, -(-total // FINDINGS_PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * FINDINGS_PAGE_SIZE
    return FindingsPage(
        rows=rows[start : start + FINDINGS_PAGE_SIZE],
        total=total,
        page=page,
        pages=pages,
        report=report,
    )


def _owner_name(owner) -> str:
    if owner is None:
        return ""
    return getattr(owner, "full_name", None) or str(owner)


def _trend_points(trend) -> list[tuple[dt.date, int]]:
    points = []
    for item in trend or []:
        if isinstance(item, tuple | list):
            day, score = item[0], item[1]
        elif isinstance(item, dict):
            day, score = item.get("taken_on") or item.get("day"), item.get("score")
        else:
            day, score = getattr(item, "taken_on", None), getattr(item, "score", None)
        if day is not None and score is not None:
            points.append((day, int(score)))
    return sorted(points)
