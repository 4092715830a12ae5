"""The one pagination format of the API.

``{"count": …, "next": url|null, "previous": url|null, "results": […]}``;
``?page=N`` and ``?page_size=M`` (at most 500).
"""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
