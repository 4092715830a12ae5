"""Pages of the leader dashboard: the numbers, charts and findings of a subtree."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard_mine, name="dashboard"),
    path("dashboard/<int:person_id>/", views.dashboard, name="dashboard-leader"),
    path("dashboard/<int:person_id>/export.csv", views.dashboard_export, name="dashboard-export"),
    path("dashboard/<int:person_id>/print/", views.dashboard_print, name="dashboard-print"),
    path(
        "dashboard/<int:person_id>/health/refresh/",
        views.dashboard_health_refresh,
        name="dashboard-health-refresh",
    ),
]
