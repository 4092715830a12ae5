"""Pages of the organisation: the org chart, person pages and the people directory.

Who sees what: organisation structure is visible to every signed-in member (DESIGN.md,
"transparency is the point of alignment"), so any member may browse the whole chart and
every active person's page — not only their own subtree. People who have left (inactive)
are shown to HR admins only; everyone else gets a 404, as for an id that does not exist.
Private data never appears on these pages: seats show role, team and status, never their
budgeted cost (the selectors do not even load it).

Views only parse input, call selectors and render; each page runs a fixed number of
queries whatever the size of the organisation (tests/pages/test_query_counts.py).
"""

from __future__ import annotations

import django_filters
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from .filters import PersonFilterSet
from .models import BusinessUnit
from .selectors import (
    business_unit_subtree,
    directory_filter_choices,
    person_branch_sizes,
    person_direct_reports,
    person_for_user,
    person_get_for_page,
    person_list,
    person_management_chain,
    person_org_tops,
    position_open_seat_count_in_org,
    position_open_seats_reporting_to,
    user_is_hr_admin,
)

DIRECTORY_PAGE_SIZE = 25
# The filters the directory form offers (PersonFilterSet's names, shared with the API).
DIRECTORY_PARAMS = ("search", "team", "business_unit", "role")


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a history restore, which needs it all)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def _with_sized_reports(manager):
    """``manager``'s direct reports, each carrying ``branch_size`` (two queries)."""
    reports = list(person_direct_reports(manager=manager))
    sizes = person_branch_sizes(manager=manager)
    for report in reports:
        report.branch_size = sizes.get(report.pk, 1)
    return reports


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Leaders (anyone with active reports) and HR admins start on the leader dashboard;
    everyone else on their organisation."""
    if user_is_hr_admin(user=request.user):
        return redirect("dashboard")
    viewer = person_for_user(user=request.user)
    if viewer is not None and viewer.reports.filter(is_active=True).exists():
        return redirect("dashboard")
    return redirect("org-chart")


@require_GET
def org_chart(request: HttpRequest, person_id: int | None = None) -> HttpResponse:
    """The org chart around one person: them, their direct reports and open seats.

    ``/org/`` centres on the signed-in person; ``/org/<id>/`` on anyone a member may see
    (see the module docstring). Each report's branch expands in place (htmx, via
    ``org_branch``) or, with JavaScript off, links to that person's own chart.
    """
    viewer = person_for_user(user=request.user)
    if person_id is None:
        if viewer is None:
            return render(
                request,
                "roles/org_unlinked.html",
                {"tops": person_org_tops()[:5]},
            )
        person_id = viewer.pk
    person = person_get_for_page(user=request.user, person_id=person_id)
    reports = _with_sized_reports(person)
    context = {
        "person": person,
        "is_me": viewer is not None and viewer.pk == person.pk,
        "chain": list(reversed(person_management_chain(person=person))),
        "reports": reports,
        "seats": list(position_open_seats_reporting_to(manager=person)),
        "org_size": 1 + sum(r.branch_size for r in reports),
        "org_open_seats": position_open_seat_count_in_org(root=person),
    }
    return render(request, "roles/org_chart.html", context)


@require_GET
def org_branch(request: HttpRequest, person_id: int) -> HttpResponse:
    """The htmx partial that expands one branch: a manager's reports and open seats.

    Opened without htmx (a bookmarked or shared link) it sends the reader to that
    person's full chart instead of a page fragment.
    """
    if not _wants_partial(request):
        return redirect("org-chart-person", person_id=person_id)
    manager = person_get_for_page(user=request.user, person_id=person_id)
    context = {
        "manager": manager,
        "reports": _with_sized_reports(manager),
        "seats": list(position_open_seats_reporting_to(manager=manager)),
    }
    response = render(request, "roles/_org_branch.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person: their rung, team, unit, management chain, reports and open seats."""
    person = person_get_for_page(user=request.user, person_id=person_id)
    viewer = person_for_user(user=request.user)
    context = {
        "person": person,
        "is_me": viewer is not None and viewer.pk == person.pk,
        "chain": list(reversed(person_management_chain(person=person))),
        "reports": list(person_direct_reports(manager=person)),
        "seats": list(position_open_seats_reporting_to(manager=person)),
    }
    return render(request, "roles/person_detail.html", context)


class PersonDirectoryFilterSet(PersonFilterSet):
    """The API's people filters (same parameter names), plus what someone browsing the
    directory expects: search also matches job titles, and a business unit includes the
    units nested in it."""

    business_unit = django_filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), method="filter_business_unit"
    )

    def filter_search(self, queryset, name, value):
        for term in value.split():
            queryset = queryset.filter(
                Q(full_name__icontains=term) | Q(email__icontains=term) | Q(title__icontains=term)
            )
        return queryset

    def filter_business_unit(self, queryset, name, value):
        # One recursive subquery inside the list query.
        return queryset.filter(business_unit__in=business_unit_subtree(root=value).values("id"))


@require_GET
def people_directory(request: HttpRequest) -> HttpResponse:
    """Active people, searchable by name, e-mail or title and filtered by team, unit and
    role. The same URL serves the full page and, to htmx, only the result list, so the
    form works the same with JavaScript off. Invalid filter values are ignored."""
    data = {key: request.GET.get(key, "").strip()[:200] for key in DIRECTORY_PARAMS}
    filterset = PersonDirectoryFilterSet(
        data, queryset=person_list().filter(is_active=True).order_by("full_name", "pk")
    )
    page = Paginator(filterset.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": data,
        "is_filtered": any(data.values()),
    }
    if _wants_partial(request):
        context["oob"] = True  # also refresh the screen-reader status line
        response = render(request, "roles/_people_results.html", context)
    else:
        context.update(directory_filter_choices())
        response = render(request, "roles/people_directory.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response
