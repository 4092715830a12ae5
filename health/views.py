"""The leader dashboard pages: the page, its tables as htmx partials, CSV and print.

``/dashboard/`` shows the signed-in person's own subtree; ``/dashboard/<id>/`` any leader
the viewer may see (``leader_get_for_viewer``: HR admins, the leader, or anyone above
them; everyone else gets 404). Every table sorts and filters with plain links and GET
forms, so the page works without JavaScript; with htmx the same URLs swap only the
table (``?partial=products|units|findings``).

The alignment health on the page is the leader's stored report (``health.services``),
shown "as of" when it was computed; its Refresh button POSTs to
``/dashboard/<id>/health/refresh/``, which recomputes it and sends the browser back to
the page it came from (htmx swaps the page's content in place; without JavaScript the
browser follows the redirect).
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from roadmaps.models import LifecycleStage, RollupGrain
from roadmaps.selectors import period_choices
from roadmaps.views.common import resolve_period, wants_partial
from roles.selectors import person_for_user, user_is_hr_admin

from . import charts
from .charts import format_value
from .dashboard import (
    FINDING_SORTS,
    PRODUCT_SORTS,
    UNIT_SORTS,
    Dashboard,
    FindingsPage,
    dashboard_findings,
    dashboard_findings_page,
    dashboard_key_metrics,
    dashboard_leader_choices,
    dashboard_products,
    dashboard_units,
    leader_dashboard,
    parse_grain,
    subtree_products,
)
from .models import FindingKind
from .selectors import leader_get_for_viewer
from .services import health_report_refresh

PARTIALS = {
    "products": "health/_products_body.html",
    "units": "health/_units.html",
    "findings": "health/_findings_body.html",
}
PRODUCT_SORT_CHOICES = [
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("stage", "Stage, discovery first"),
    ("-stage", "Stage, retired first"),
    ("owner", "Owner"),
    ("unit", "Business unit"),
]
GRAIN_CHOICES = [
    (RollupGrain.WEEK, "Weekly"),
    (RollupGrain.MONTH, "Monthly"),
    (RollupGrain.QUARTER, "Quarterly"),
    (RollupGrain.DAY, "Daily"),
]


def _int(value: str | None, default: int = 1) -> int:
    try:
        return int(value or default)
    except (TypeError, ValueError):
        return default


def _options(request: HttpRequest) -> dict:
    """The tables' sort and filter settings from the query string (bad values ignored)."""
    get = request.GET
    kind = get.get("kind", "")
    return {
        "product_sort": get.get("sort", "name") if get.get("sort") in PRODUCT_SORTS else "name",
        "product_stage": get.get("stage", "") if get.get("stage") in LifecycleStage.values else "",
        "product_search": get.get("q", "").strip()[:100],
        "product_page": _int(get.get("page")),
        "unit_sort": get.get("usort", "name") if get.get("usort") in UNIT_SORTS else "name",
        "finding_kind": kind if kind in FindingKind.values else "",
        "finding_sort": get.get("fsort", "kind") if get.get("fsort") in FINDING_SORTS else "kind",
        "finding_page": _int(get.get("fpage")),
    }


def _findings_context(page: FindingsPage | Dashboard, breakdown: list) -> dict:
    """A page of findings, and how many of each kind (the kind filter's links)."""
    if isinstance(page, Dashboard):
        rows, total = page.findings, page.findings_total
        number, pages = page.findings_page, page.findings_pages
    else:
        rows, total, number, pages = page.rows, page.total, page.page, page.pages
    return {
        "findings": rows,
        "findings_total": total,
        "findings_page": number,
        "findings_pages": pages,
        "finding_counts": [(e.kind, e.label, e.failing) for e in breakdown if e.failing],
        "findings_all": sum(e.failing for e in breakdown),
    }


def _switch_leader(request: HttpRequest, leader_id: int) -> HttpResponse | None:
    """The leader picker submits ``?leader=<id>``: go to that leader's dashboard."""
    wanted = request.GET.get("leader", "").strip()
    if not wanted.isdigit() or int(wanted) == leader_id:
        return None
    query = {k: v for k, v in request.GET.items() if k in ("period", "grain")}
    url = reverse("dashboard-leader", args=[int(wanted)])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def _base_context(request: HttpRequest, leader) -> dict:
    periods = period_choices()
    period = resolve_period(request, periods)
    grain = parse_grain(request.GET.get("grain"))
    query = {"period": period.pk if period else "", "grain": grain}
    return {
        "leader": leader,
        "periods": periods,
        "period": period,
        "grain": grain,
        "grains": GRAIN_CHOICES,
        "grain_label": dict(GRAIN_CHOICES)[grain],
        "stages": LifecycleStage.choices,
        "product_sorts": PRODUCT_SORT_CHOICES,
        "finding_kinds": FindingKind.choices,
        "options": _options(request),
        "is_own": leader == person_for_user(user=request.user),
        "export_query": urlencode(query),
    }


def _chart_context(dashboard: Dashboard) -> dict:
    """The SVG of every chart, beside the numbers they draw."""
    metrics = []
    for metric in dashboard.key_metrics:
        metrics.append(
            {
                "metric": metric,
                "line": charts.line_chart(
                    title=metric.name,
                    unit=metric.unit,
                    points=[(p.period_start, p.value) for p in metric.series],
                ),
                "bars": charts.bar_chart(
                    title=f"{metric.name} by product",
                    unit=metric.unit,
                    items=[(p.name, p.value) for p in metric.breakdown],
                )
                if metric.breakdown
                else None,
                "latest": format_value(metric.latest.value, metric.unit) if metric.latest else "—",
                "change": format_value(abs(metric.change), metric.unit)
                if metric.change is not None
                else "",
            }
        )
    units_with_goals = [u for u in dashboard.units if u.goals]
    return {
        "metric_charts": metrics,
        "units_chart": charts.bar_chart(
            title="Average goal progress by business unit",
            unit="%",
            items=[(u.name, u.average_progress) for u in units_with_goals],
            max_value=100,
        )
        if units_with_goals
        else None,
        "stage_chart": charts.stage_chart(
            stages=[(s.stage, s.label, s.count) for s in dashboard.stages]
        ),
        "health_spark": charts.sparkline(points=dashboard.headline.health_trend),
        "health_failing": [e for e in dashboard.health_breakdown if e.failing],
    }


def _dashboard_page(request: HttpRequest, leader, *, template: str = "health/dashboard.html"):
    context = _base_context(request, leader)
    period, grain, options = context["period"], context["grain"], context["options"]
    partial = request.GET.get("partial", "")
    if period is not None and partial in PARTIALS and wants_partial(request):
        context.update(_partial_context(request, leader, period, grain, options, partial))
        response = render(request, PARTIALS[partial], context)
        patch_vary_headers(response, ("HX-Request",))
        return response
    context["leaders"] = dashboard_leader_choices(viewer_user=request.user)
    if period is not None:
        printing = template.endswith("_print.html")
        if printing:  # every finding, unpaged
            options = {**options, "finding_page": None}
        dashboard = leader_dashboard(
            viewer_user=request.user, leader=leader, period=period, grain=grain, **options
        )
        context.update(
            dashboard=dashboard,
            products=dashboard.products,
            units=dashboard.units,
            **_findings_context(dashboard, dashboard.health_breakdown),
            **_chart_context(dashboard),
        )
        if printing:
            context["products"] = dashboard_products(
                viewer_user=request.user,
                leader=leader,
                period=period,
                grain=grain,
                key_metrics=dashboard.key_metrics,
                sort=options["product_sort"],
                stage=options["product_stage"],
                search=options["product_search"],
                page_size=None,
            )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _partial_context(request, leader, period, grain, options, partial: str) -> dict:
    """Only what one table needs, for an htmx swap of that table."""
    if partial == "products":
        key_metrics = dashboard_key_metrics(
            products=subtree_products(leader=leader), period=period, grain=grain
        )
        return {
            "products": dashboard_products(
                viewer_user=request.user,
                leader=leader,
                period=period,
                grain=grain,
                key_metrics=key_metrics,
                sort=options["product_sort"],
                stage=options["product_stage"],
                search=options["product_search"],
                page=options["product_page"],
            )
        }
    if partial == "units":
        return {
            "units": dashboard_units(
                viewer_user=request.user, leader=leader, period=period, sort=options["unit_sort"]
            )
        }
    page = dashboard_findings_page(
        viewer_user=request.user,
        leader=leader,
        kind=options["finding_kind"],
        sort=options["finding_sort"],
        page=options["finding_page"],
    )
    return _findings_context(page, page.report.breakdown)


@require_GET
def dashboard_mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own dashboard; HR admins with no person pick a leader."""
    me = person_for_user(user=request.user)
    if me is None:
        if not user_is_hr_admin(user=request.user):
            raise Http404("Your login is not linked to a person in the organisation.")
        wanted = request.GET.get("leader", "").strip()
        if wanted.isdigit():
            return redirect("dashboard-leader", int(wanted))
        return render(
            request,
            "health/dashboard_pick.html",
            {"leaders": dashboard_leader_choices(viewer_user=request.user)},
        )
    switched = _switch_leader(request, me.pk)
    if switched is not None:
        return switched
    return _dashboard_page(request, me)


@require_GET
def dashboard(request: HttpRequest, person_id: int) -> HttpResponse:
    """A leader's dashboard, for HR admins, the leader and anyone above them."""
    leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
    switched = _switch_leader(request, leader.pk)
    if switched is not None:
        return switched
    return _dashboard_page(request, leader)


@require_GET
def dashboard_print(request: HttpRequest, person_id: int) -> HttpResponse:
    """The whole dashboard on one page for paper or PDF: every product, no controls."""
    leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
    return _dashboard_page(request, leader, template="health/dashboard_print.html")


@require_POST
def dashboard_health_refresh(request: HttpRequest, person_id: int) -> HttpResponse:
    """Recompute the leader's alignment health now (for whoever may see the dashboard),
    then back to the dashboard page it was asked from (``next``), else the leader's."""
    leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
    health_report_refresh(leader=leader)
    # With htmx, the page as it is now (its tables may have been filtered in place since
    # the form was drawn); without, the page the form was drawn on.
    back = (request.htmx and request.htmx.current_url_abs_path) or request.POST.get("next", "")
    dashboards = (reverse("dashboard"), reverse("dashboard-leader", args=[leader.pk]))
    safe = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not (safe and back.startswith(dashboards)):
        back = reverse("dashboard-leader", args=[leader.pk])
    return HttpResponseSeeOther(back)


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: the browser (or htmx's request) follows with a GET."""

    status_code = 303


def _cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (leading =, +, -, @ are escaped)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@require_GET
def dashboard_export(request: HttpRequest, person_id: int) -> HttpResponse:
    """One of the dashboard's tables as CSV (``?table=products|units|findings``), with the
    page's filters and sort; the products table unpaged."""
    leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
    table = request.GET.get("table", "products")
    if table not in PARTIALS:
        raise Http404("No such table.")
    context = _base_context(request, leader)
    period, grain, options = context["period"], context["grain"], context["options"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    slug = f"{leader.full_name}-{period.name if period else 'no-period'}-{table}"
    filename = "".join(c if c.isalnum() else "-" for c in slug).lower()
    response["Content-Disposition"] = f'attachment; filename="dashboard-{filename}.csv"'
    writer = csv.writer(response)
    if table == "findings":
        findings, _ = dashboard_findings(
            viewer_user=request.user,
            leader=leader,
            kind=options["finding_kind"],
            sort=options["finding_sort"],
        )
        writer.writerow(["kind", "finding", "subject", "owner", "detail", "link"])
        for f in findings:
            link = request.build_absolute_uri(f.url) if f.url else ""
            writer.writerow(
                [f.kind, _cell(f.label), _cell(f.subject), _cell(f.owner), _cell(f.detail), link]
            )
        return response
    if period is None:
        writer.writerow(["No planning period yet"])
        return response
    if table == "units":
        writer.writerow(
            ["business unit", "goals", "average progress", "on track", "at risk", "off track"]
        )
        for unit in dashboard_units(
            viewer_user=request.user, leader=leader, period=period, sort=options["unit_sort"]
        ):
            writer.writerow(
                [
                    _cell(unit.name),
                    unit.goals,
                    unit.average_progress,
                    unit.on_track,
                    unit.at_risk,
                    unit.off_track,
                ]
            )
        return response
    key_metrics = dashboard_key_metrics(
        products=subtree_products(leader=leader), period=period, grain=grain
    )
    products = dashboard_products(
        viewer_user=request.user,
        leader=leader,
        period=period,
        grain=grain,
        key_metrics=key_metrics,
        sort=options["product_sort"],
        stage=options["product_stage"],
        search=options["product_search"],
        page_size=None,
    )
    header = ["product", "stage", "owner", "business unit"]
    for metric in products.metrics:
        name = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
        header += [f"{name} latest", f"{name} compared with", f"{name} comparison"]
    writer.writerow(header)
    for row in products.rows:
        cells = [_cell(row.name), row.stage_label, _cell(row.owner_name), _cell(row.unit_name)]
        for cell in row.metrics:
            cells += [cell.latest, cell.compare_to, cell.compare_kind]
        writer.writerow(cells)
    return response
