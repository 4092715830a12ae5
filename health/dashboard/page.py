"""The whole dashboard of a leader, and whom a viewer may pick."""

from __future__ import annotations

from django.db.models import F

from roadmaps.models import Period, RollupGrain
from roles.models import Person
from roles.selectors import person_subtree_ids, user_is_hr_admin

from .series import parse_grain
from .tables import (
    _goal_counts,
    _open_seats,
    _round,
    _stage_counts,
    _subtree_people,
    _trend_points,
    dashboard_findings_page,
    dashboard_health,
    dashboard_key_metrics,
    dashboard_products,
    dashboard_units,
    findings_limit,
    subtree_products,
)
from .types import FINDING_SORTS, Dashboard, Headline


def leader_dashboard(
    *,
    viewer_user,
    leader: Person,
    period: Period,
    grain: str = RollupGrain.WEEK,
    product_sort: str = "name",
    product_stage: str = "",
    product_search: str = "",
    product_page: int = 1,
    unit_sort: str = "name",
    finding_kind: str = "",
    finding_sort: str = "kind",
    finding_page: int | None = 1,
) -> Dashboard:
    """Everything the leader dashboard shows for ``leader``'s subtree in ``period``.

    The caller decides whether ``viewer_user`` may look at ``leader`` at all
    (``health.selectors.leader_get_for_viewer``); here the viewer only narrows the
    goals to those they may see. The number of queries is the same for a team of three
    and an organisation of thousands.
    """
    from health.selectors import leader_health_trend

    grain = parse_grain(grain)
    user_is_hr_admin(user=viewer_user)  # cached on the user for the visibility checks
    people = _subtree_people(leader=leader)
    open_seats = _open_seats(leader=leader)
    products = subtree_products(leader=leader)
    stages = _stage_counts(products)
    finding_sort = finding_sort if finding_sort in FINDING_SORTS else "kind"
    # The stored health, unless the page's findings (``finding_page``; every one when it
    # is None) go beyond the ones it keeps.
    report = dashboard_health(
        viewer_user=viewer_user,
        leader=leader,
        kind=finding_kind,
        per_kind=findings_limit(sort=finding_sort, page=finding_page),
    )
    trend = _trend_points(leader_health_trend(leader=leader))
    key_metrics = dashboard_key_metrics(products=products, period=period, grain=grain)
    units = dashboard_units(viewer_user=viewer_user, leader=leader, period=period, sort=unit_sort)
    goals = _goal_counts(units)
    table = dashboard_products(
        viewer_user=viewer_user,
        leader=leader,
        period=period,
        grain=grain,
        key_metrics=key_metrics,
        sort=product_sort,
        stage=product_stage,
        search=product_search,
        page=product_page,
    )
    findings = dashboard_findings_page(
        viewer_user=viewer_user,
        leader=leader,
        kind=finding_kind,
        sort=finding_sort,
        page=finding_page,
        report=report,
    )
    headline = Headline(
        people=people["people"],
        product_roles=people["product_roles"],
        open_seats=open_seats,
        products=len(products),
        products_by_stage=stages,
        goals=goals["total"],
        goals_on_track=goals["on_track"],
        goals_at_risk=goals["at_risk"],
        goals_off_track=goals["off_track"],
        goals_average_progress=_round(goals["average"]),
        health_score=report.score,
        health_trend=trend,
    )
    return Dashboard(
        leader=leader,
        period=period,
        grain=grain,
        headline=headline,
        key_metrics=key_metrics,
        units=units,
        stages=stages,
        products=table,
        findings=findings.rows,
        health_breakdown=list(report.breakdown),
        health_computed_at=report.computed_at,
        health_stale=report.stale,
        findings_total=findings.total,
        findings_page=findings.page,
        findings_pages=findings.pages,
    )


def dashboard_leader_choices(*, viewer_user) -> list[Person]:
    """The leaders ``viewer_user`` may open: HR admins every active manager; anybody
    else the managers of their own subtree, themself first (one query)."""
    from roles.selectors import person_for_user

    managers = Person.objects.filter(is_active=True, reports__is_active=True)
    if not user_is_hr_admin(user=viewer_user):
        viewer = person_for_user(user=viewer_user)
        if viewer is None:
            return []
        managers = managers.filter(pk__in=person_subtree_ids(root=viewer))
    return list(
        managers.select_related("role")
        .distinct()
        .order_by(F("role__level").desc(nulls_last=True), "full_name", "id")
    )
