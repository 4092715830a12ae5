"""``/api/v1/`` resources, ``/api/schema/`` (OpenAPI 3), ``/api/docs/`` and ``/api/redoc/``.

Resources are plural and kebab-case (DESIGN.md); the interactive docs are served from
drf-spectacular-sidecar's static files, never a CDN.
"""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework import routers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from health import api as health_api
from health import api_dashboard
from roadmaps.api import metrics as metrics_api
from roadmaps.api import views as roadmaps_api
from roles import api as roles_api
from stakeholders.api import views as stakeholders_api

router = routers.DefaultRouter()
router.register("people", roles_api.PersonViewSet, basename="person")
router.register("business-units", roles_api.BusinessUnitViewSet, basename="business-unit")
router.register("teams", roles_api.TeamViewSet, basename="team")
router.register("roles", roles_api.RoleViewSet, basename="role")
router.register("positions", roles_api.PositionViewSet, basename="position")
router.register("products", roadmaps_api.ProductViewSet, basename="product")
router.register("periods", roadmaps_api.PeriodViewSet, basename="period")
router.register("visions", roadmaps_api.VisionViewSet, basename="vision")
router.register("goals", roadmaps_api.GoalViewSet, basename="goal")
router.register("goal-links", roadmaps_api.GoalLinkViewSet, basename="goal-link")
router.register("key-results", roadmaps_api.KeyResultViewSet, basename="key-result")
router.register("check-ins", roadmaps_api.CheckInViewSet, basename="check-in")
router.register("roadmap-items", roadmaps_api.RoadmapItemViewSet, basename="roadmap-item")
router.register("metrics", metrics_api.MetricViewSet, basename="metric")
router.register(
    "metric-observations", metrics_api.MetricObservationViewSet, basename="metric-observation"
)
router.register("metric-rollups", metrics_api.MetricRollupViewSet, basename="metric-rollup")
router.register("stakeholders", stakeholders_api.StakeholderViewSet, basename="stakeholder")
router.register("alignments", stakeholders_api.AlignmentViewSet, basename="alignment")
router.register("reviews", stakeholders_api.ReviewViewSet, basename="review")
router.register("decisions", stakeholders_api.DecisionViewSet, basename="decision")
router.register("notifications", stakeholders_api.NotificationViewSet, basename="notification")


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@authentication_classes([])
def unknown_resource(request, path=""):
    """Any other path under /api/ answers 404 in the API's error format, not an HTML page."""
    raise NotFound(f"No such API resource: /api/{path}")


urlpatterns = [
    path(
        "v1/leaders/<int:person_id>/health/",
        health_api.LeaderHealthView.as_view(),
        name="leader-health",
    ),
    path(
        "v1/leaders/<int:person_id>/health/refresh/",
        health_api.LeaderHealthRefreshView.as_view(),
        name="leader-health-refresh",
    ),
    path(
        "v1/leaders/<int:person_id>/dashboard/",
        api_dashboard.LeaderDashboardView.as_view(),
        name="leader-dashboard",
    ),
    path("v1/", include((router.urls, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    re_path(r"^(?P<path>.*)$", unknown_resource),
]
