"""The raw-SQL JSON view the API's people list is measured against.

No authentication, serializer or ORM: one SQL statement that builds the JSON in the
database, answered as it comes. It exists only under the bench settings.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse

from .baselines import people_page_json

MAX_PAGE_SIZE = 500


@login_not_required
def people_page_view(request: HttpRequest) -> HttpResponse:
    """``/bench/people.json?page_size=N``: the first page of people, as the API lists them."""
    size = min(max(int(request.GET.get("page_size", 50)), 1), MAX_PAGE_SIZE)
    next_url = request.build_absolute_uri(f"{request.path}?page=2&page_size={size}")
    body = people_page_json(limit=size, next_url=next_url)
    return HttpResponse(body, content_type="application/json")
