"""Pages of the organisation."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("org/", views.org_chart, name="org-chart"),
    path("org/<int:person_id>/", views.org_chart, name="org-chart-person"),
    path("org/<int:person_id>/reports/", views.org_branch, name="org-branch"),
    path("people/", views.people_directory, name="people-directory"),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
]
