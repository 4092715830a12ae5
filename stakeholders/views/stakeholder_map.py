"""The stakeholder map: the influence × interest grid and the alignments under it."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from productorg.errors import ApplicationError
from roadmaps.models import Product
from roles.selectors import person_for_user, person_get_for_page

from ..filters import AlignmentFilterSet
from ..forms import AlignmentConfirmForm
from ..models import Alignment, Stakeholder
from ..selectors import (
    alignment_can_confirm,
    alignment_get_visible,
    alignment_list,
    stakeholder_map_points,
)
from ..services import alignment_confirm
from .common import back_to, wants_partial

MAP_PAGE_SIZE = 25
MAP_FILTERS = ("function", "status", "overdue")
MARKERS_PER_CELL = 6
LEVELS = (5, 4, 3, 2, 1)
# Where the quadrants split the 1–5 scales (as Stakeholder.quadrant does): 3 and up is high.
HIGH = 3


class MapFilterSet(AlignmentFilterSet):
    """The API's alignment filters (same names), plus the stakeholder's function."""

    function = django_filters.ChoiceFilter(
        field_name="stakeholder__function", choices=Stakeholder.Function.choices
    )

    class Meta(AlignmentFilterSet.Meta):
        fields = [*AlignmentFilterSet.Meta.fields, "function"]


def _quadrant(influence: int, interest: int) -> str:
    if influence >= HIGH:
        return "manage_closely" if interest >= HIGH else "keep_satisfied"
    return "keep_informed" if interest >= HIGH else "monitor"


def _grid(points: list[dict]) -> list[dict]:
    """Rows of cells (influence 5 at the top, interest 1 on the left), each with the
    stakeholders placed in it (a few shown, the rest counted)."""
    cells: dict[tuple[int, int], list[dict]] = {}
    for point in points:
        cells.setdefault((point["influence"], point["interest"]), []).append(point)
    rows = []
    for influence in LEVELS:
        row = []
        for interest in reversed(LEVELS):
            here = cells.get((influence, interest), [])
            row.append(
                {
                    "influence": influence,
                    "interest": interest,
                    "quadrant": _quadrant(influence, interest),
                    "shown": here[:MARKERS_PER_CELL],
                    "more": max(0, len(here) - MARKERS_PER_CELL),
                    "count": len(here),
                }
            )
        rows.append({"influence": influence, "cells": row})
    return rows


def _scope(request: HttpRequest):
    """What the map covers: ``?product=``, ``?leader=`` or the viewer's own subtree."""
    product_id = request.GET.get("product", "").strip()
    if product_id.isdigit():
        product = get_object_or_404(Product.objects.select_related("owner"), pk=product_id)
        return {"product": product_id}, {"product": product, "label": product.name}
    leader_id = request.GET.get("leader", "").strip()
    viewer = person_for_user(user=request.user)
    if leader_id.isdigit():
        leader = person_get_for_page(user=request.user, person_id=int(leader_id))
    elif viewer is not None:
        leader = viewer
    else:  # an HR admin with no person: the whole organisation
        return {}, {"label": "The whole organisation"}
    label = (
        "Your organisation"
        if viewer and leader.pk == viewer.pk
        else f"{leader.full_name}’s organisation"
    )
    return {"under": str(leader.pk)}, {"leader": leader, "label": label}


def _with_confirm_forms(request: HttpRequest, alignments) -> list[Alignment]:
    rows = list(alignments)
    for alignment in rows:
        person = alignment.stakeholder.person
        alignment.is_mine = person is not None and person.user_id == request.user.pk
        if alignment.is_mine:
            alignment.form = AlignmentConfirmForm(initial={"status": alignment.status})
    return rows


@require_GET
def stakeholder_map(request: HttpRequest) -> HttpResponse:
    """The grid of stakeholders by influence and interest, coloured by where they stand,
    and the list of alignments under it, filtered by function, status and overdue
    touchpoints. To htmx, only the grid and the list (the filters stay)."""
    scope_params, scope = _scope(request)
    filters = {key: request.GET.get(key, "").strip()[:40] for key in MAP_FILTERS}
    filterset = MapFilterSet(
        {**scope_params, **filters}, queryset=alignment_list(user=request.user), request=request
    )
    alignments = filterset.qs
    points = stakeholder_map_points(alignments=alignments)
    page = Paginator(alignments, MAP_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_confirm_forms(request, page.object_list)
    today = timezone.localdate()
    context = {
        "scope": scope,
        "scope_params": scope_params,
        "filters": filters,
        "is_filtered": any(filters.values()),
        "grid": _grid(points),
        "page": page,
        "today": today,
        "stats": {
            "stakeholders": len(points),
            "manage_closely": sum(
                1 for p in points if _quadrant(p["influence"], p["interest"]) == "manage_closely"
            ),
            "worried": sum(1 for p in points if p["status"] in ("blocking", "concerned")),
            "overdue": sum(1 for p in points if p["due"] and p["due"] < today),
        },
        "statuses": Alignment.Status.choices,
    }
    if wants_partial(request):
        response = render(request, "stakeholders/_map_results.html", context)
    else:
        context["functions"] = Stakeholder.Function.choices
        response = render(request, "stakeholders/map.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
def alignment_confirm_view(request: HttpRequest, alignment_id: int) -> HttpResponse:
    """The stakeholder confirms (or changes) their own alignment.

    404 for an alignment the viewer may not see; 403 for someone else's. To htmx: the
    row again; without JavaScript: back to the map with a message.
    """
    alignment = alignment_get_visible(user=request.user, alignment_id=alignment_id)
    if not alignment_can_confirm(user=request.user, alignment=alignment):
        raise PermissionDenied("Only the stakeholder confirms where they stand.")
    form = AlignmentConfirmForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            alignment_confirm(
                alignment=alignment,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"] or None,
                acting_user=request.user,
            )
            saved = True
        except ApplicationError as exc:
            form.add_service_error(exc)
    subject = alignment.product or alignment.goal
    if wants_partial(request):
        alignment = alignment_get_visible(user=request.user, alignment_id=alignment_id)
        alignment.is_mine = True
        alignment.form = (
            AlignmentConfirmForm(initial={"status": alignment.status}) if saved else form
        )
        context = {"alignment": alignment, "saved": saved, "today": timezone.localdate()}
        return render(
            request, "stakeholders/_alignment_row.html", context, status=200 if saved else 422
        )
    if saved:
        messages.success(request, f"Thank you: your stand on “{subject}” is confirmed.")
    else:
        messages.error(request, next(iter(form.errors.values()))[0])
    return back_to(request, "stakeholder-map")
