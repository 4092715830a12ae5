"""URL configuration: pages, the admin, the REST API and its schema."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "ProductOrg administration"
admin.site.site_title = "ProductOrg admin"
admin.site.index_title = "Organisation set-up"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("productorg.api.urls")),
    path("", include("productorg.web_urls")),
    path("", include("roles.urls")),
    path("", include("roadmaps.urls")),
    path("", include("stakeholders.urls")),
    path("", include("health.urls")),
]
