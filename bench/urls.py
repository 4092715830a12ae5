"""The product's URLs, and under ``/bench/`` the raw-SQL views the API is measured against."""

from django.urls import path

from productorg.urls import urlpatterns as product_urlpatterns

from . import views

urlpatterns = [
    path("bench/people.json", views.people_page_view, name="bench-people-json"),
    *product_urlpatterns,
]
