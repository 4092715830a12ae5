"""The leader dashboard pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def dashboard_mine(request: HttpRequest) -> HttpResponse:
    raise Http404("The dashboard is not ready yet.")


def dashboard(request: HttpRequest, person_id: int) -> HttpResponse:
    raise Http404("The dashboard is not ready yet.")


def dashboard_export(request: HttpRequest, person_id: int) -> HttpResponse:
    raise Http404("The dashboard is not ready yet.")


def dashboard_print(request: HttpRequest, person_id: int) -> HttpResponse:
    raise Http404("The dashboard is not ready yet.")
