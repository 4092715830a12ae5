"""``/api/v1/leaders/{person_id}/dashboard/``: the numbers behind the leader dashboard.

Who may read it is who may open the page (``leader_get_for_viewer``: HR admins, the
leader and anyone above them; 404 for anybody else). Goals are those the subtree owns
and the caller may see; metric numbers come from the product roll-ups, combined by each
metric's rule; seat costs and budgets are never included.
"""

from __future__ import annotations

import decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from productorg.api.schema import ErrorSerializer
from roadmaps.models import LifecycleStage, Period, RollupGrain
from roadmaps.selectors import period_current

from .api import (
    BreakdownEntrySerializer,
    FindingSerializer,
    LeaderRefSerializer,
    TrendPointSerializer,
)
from .dashboard import FINDING_SORTS, PRODUCT_SORTS, UNIT_SORTS, leader_dashboard
from .models import FindingKind
from .selectors import leader_get_for_viewer

DECIMAL = {"max_digits": 24, "decimal_places": 4, "allow_null": True, "coerce_to_string": False}


class PeriodRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class StageCountSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=LifecycleStage.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class HeadlineSerializer(serializers.Serializer):
    people = serializers.IntegerField(help_text="Active people in the subtree, the leader too.")
    product_roles = serializers.IntegerField(help_text="Of them, in product-management roles.")
    open_seats = serializers.IntegerField(help_text="Open seats reporting into the subtree.")
    products = serializers.IntegerField(help_text="Products owned by someone in the subtree.")
    products_by_stage = StageCountSerializer(many=True)
    goals = serializers.IntegerField(help_text="Goals of the period the subtree owns and you see.")
    goals_on_track = serializers.IntegerField()
    goals_at_risk = serializers.IntegerField()
    goals_off_track = serializers.IntegerField()
    goals_average_progress = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, coerce_to_string=False
    )
    health_score = serializers.IntegerField(min_value=0, max_value=100)
    health_trend = serializers.SerializerMethodField()

    @extend_schema_field(TrendPointSerializer(many=True))
    def get_health_trend(self, headline) -> list[dict]:
        return [{"date": day.isoformat(), "score": score} for day, score in headline.health_trend]


class SeriesPointSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    value = serializers.DecimalField(**DECIMAL, help_text="Null when no product reported.")
    observations = serializers.IntegerField(help_text="Readings the value covers.")


class ProductValueSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    value = serializers.DecimalField(**DECIMAL)


class KeyMetricSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    aggregation = serializers.CharField(help_text="sum, average, last, min or max.")
    direction = serializers.CharField(help_text="higher or lower (is better).")
    expected = serializers.BooleanField(help_text="Expected by a stage of the products.")
    series = SeriesPointSerializer(many=True, help_text="One point per grain period.")
    breakdown = ProductValueSerializer(
        many=True, help_text="The best products over the whole period, best first."
    )


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    goals = serializers.IntegerField()
    average_progress = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, coerce_to_string=False
    )
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    off_track = serializers.IntegerField()


class MetricCellSerializer(serializers.Serializer):
    metric_id = serializers.IntegerField()
    latest = serializers.DecimalField(**DECIMAL)
    compare_to = serializers.DecimalField(**DECIMAL)
    compare_kind = serializers.CharField(
        allow_blank=True, help_text='"target" (a key result\'s), "previous" (period) or "".'
    )


class ProductRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    stage = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField(allow_blank=True)
    unit_name = serializers.CharField()
    metrics = MetricCellSerializer(many=True)


class ProductTableSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    sort = serializers.CharField()
    rows = ProductRowSerializer(many=True)


class DashboardSerializer(serializers.Serializer):
    leader = LeaderRefSerializer()
    period = PeriodRefSerializer()
    grain = serializers.ChoiceField(choices=RollupGrain.choices)
    headline = HeadlineSerializer()
    key_metrics = KeyMetricSerializer(many=True)
    units = UnitSerializer(many=True)
    products = ProductTableSerializer()
    health_breakdown = BreakdownEntrySerializer(many=True)
    findings = FindingSerializer(
        many=True, help_text="One page of the findings (20 a page; `fpage`)."
    )
    findings_total = serializers.IntegerField(
        help_text="Failing rows of the findings' kind (of every kind when none is named)."
    )
    findings_page = serializers.IntegerField()
    findings_pages = serializers.IntegerField()
    health_computed_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the health (score, breakdown, findings) was computed: the leader's "
        "stored report, refreshed nightly, on demand and when older than the configured age.",
    )
    health_stale = serializers.BooleanField(
        help_text="The stored health is older than the configured age; a refresh is under "
        "way (POST /api/v1/leaders/{id}/health/refresh/ recomputes it at once)."
    )


# --- The payload, field for field what DashboardSerializer answers ------------------------
#
# The whole organisation's dashboard holds a few thousand values; DRF's serializers
# spend more time on them than the queries do. ``dashboard_payload`` writes the same
# dict directly (a test compares the two on every kind of dashboard); the serializers
# above remain the schema.

_DATETIME = serializers.DateTimeField()
_DECIMAL_CONTEXT = decimal.Context(prec=DECIMAL["max_digits"])
_DECIMAL_STEP = decimal.Decimal(1).scaleb(-DECIMAL["decimal_places"])


def _decimal(value) -> decimal.Decimal | None:
    """As ``DecimalField(**DECIMAL)`` shows it: quantized to its decimal places."""
    if value is None:
        return None
    if not isinstance(value, decimal.Decimal):
        value = decimal.Decimal(str(value).strip())
    return value.quantize(_DECIMAL_STEP, rounding=decimal.ROUND_HALF_UP, context=_DECIMAL_CONTEXT)


def _progress(value) -> decimal.Decimal | None:
    """As ``DecimalField(max_digits=5, decimal_places=1)`` shows a progress."""
    if value is None:
        return None
    if not isinstance(value, decimal.Decimal):
        value = decimal.Decimal(str(value).strip())
    return value.quantize(
        decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP, context=decimal.Context(prec=5)
    )


def _breakdown(entry) -> dict:
    return {
        "kind": entry.kind,
        "label": entry.label,
        "checked": int(entry.checked),
        "failing": int(entry.failing),
        "weight": int(entry.weight),
        "penalty": float(entry.penalty),
    }


def dashboard_payload(dashboard) -> dict:
    """The JSON of a :class:`~health.dashboard.Dashboard`, as ``DashboardSerializer``."""
    h = dashboard.headline
    period = dashboard.period
    products = dashboard.products
    return {
        "leader": {"id": dashboard.leader.pk, "name": str(dashboard.leader.full_name)},
        "period": {
            "id": period.pk,
            "name": str(period.name),
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "grain": dashboard.grain,
        "headline": {
            "people": int(h.people),
            "product_roles": int(h.product_roles),
            "open_seats": int(h.open_seats),
            "products": int(h.products),
            "products_by_stage": [
                {"stage": s.stage, "label": str(s.label), "count": int(s.count)}
                for s in h.products_by_stage
            ],
            "goals": int(h.goals),
            "goals_on_track": int(h.goals_on_track),
            "goals_at_risk": int(h.goals_at_risk),
            "goals_off_track": int(h.goals_off_track),
            "goals_average_progress": _progress(h.goals_average_progress),
            "health_score": int(h.health_score),
            "health_trend": [
                {"date": day.isoformat(), "score": score} for day, score in h.health_trend
            ],
        },
        "key_metrics": [
            {
                "id": m.id,
                "key": str(m.key),
                "name": str(m.name),
                "unit": str(m.unit),
                "aggregation": str(m.aggregation),
                "direction": str(m.direction),
                "expected": bool(m.expected),
                "series": [
                    {
                        "period_start": p.period_start.isoformat(),
                        "value": _decimal(p.value),
                        "observations": int(p.observations),
                    }
                    for p in m.series
                ],
                "breakdown": [
                    {"product_id": b.product_id, "name": str(b.name), "value": _decimal(b.value)}
                    for b in m.breakdown
                ],
            }
            for m in dashboard.key_metrics
        ],
        "units": [
            {
                "id": u.id,
                "name": str(u.name),
                "goals": int(u.goals),
                "average_progress": _progress(u.average_progress),
                "on_track": int(u.on_track),
                "at_risk": int(u.at_risk),
                "off_track": int(u.off_track),
            }
            for u in dashboard.units
        ],
        "products": {
            "total": int(products.total),
            "page": int(products.page),
            "pages": int(products.pages),
            "sort": str(products.sort),
            "rows": [
                {
                    "id": row.id,
                    "name": str(row.name),
                    "stage": str(row.stage),
                    "owner_id": row.owner_id,
                    "owner_name": str(row.owner_name),
                    "unit_name": str(row.unit_name),
                    "metrics": [
                        {
                            "metric_id": c.metric_id,
                            "latest": _decimal(c.latest),
                            "compare_to": _decimal(c.compare_to),
                            "compare_kind": str(c.compare_kind),
                        }
                        for c in row.metrics
                    ],
                }
                for row in products.rows
            ],
        },
        "health_breakdown": [_breakdown(e) for e in dashboard.health_breakdown],
        "findings": [
            {
                "kind": str(f.kind),
                "label": str(f.label),
                "subject": str(f.subject),
                "url": str(f.url),
                "detail": str(f.detail),
                "owner": str(f.owner),
            }
            for f in dashboard.findings
        ],
        "findings_total": int(dashboard.findings_total),
        "findings_page": int(dashboard.findings_page),
        "findings_pages": int(dashboard.findings_pages),
        "health_computed_at": _DATETIME.to_representation(dashboard.health_computed_at)
        if dashboard.health_computed_at is not None
        else None,
        "health_stale": bool(dashboard.health_stale),
    }


class DashboardQuerySerializer(serializers.Serializer):
    period = serializers.IntegerField(required=False)
    grain = serializers.ChoiceField(choices=RollupGrain.choices, default=RollupGrain.WEEK)
    sort = serializers.ChoiceField(choices=list(PRODUCT_SORTS), default="name")
    stage = serializers.ChoiceField(choices=LifecycleStage.choices, required=False)
    q = serializers.CharField(required=False, max_length=100, allow_blank=True)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    usort = serializers.ChoiceField(choices=list(UNIT_SORTS), default="name")
    kind = serializers.ChoiceField(choices=FindingKind.choices, required=False)
    fsort = serializers.ChoiceField(choices=list(FINDING_SORTS), default="kind")
    fpage = serializers.IntegerField(required=False, min_value=1, default=1)


def _param(name, kind, description, enum=None):
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, enum=enum)


class LeaderDashboardView(APIView):
    """The leader dashboard's numbers for a period (JSON)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "person_id", int, OpenApiParameter.PATH, description="The leader (a person's id)."
            ),
            _param("period", int, "A period's id; the current period when left out."),
            _param("grain", str, "The series' bucket.", RollupGrain.values),
            _param("sort", str, "Products order.", list(PRODUCT_SORTS)),
            _param("stage", str, "Only products at this stage.", LifecycleStage.values),
            _param("q", str, "Only products whose name contains this."),
            _param("page", int, "The page of products (25 a page)."),
            _param("usort", str, "Units order.", list(UNIT_SORTS)),
            _param("kind", str, "Only findings of this kind.", FindingKind.values),
            _param("fsort", str, "Findings order.", list(FINDING_SORTS)),
            _param("fpage", int, "The page of findings (20 a page)."),
        ],
        responses={
            200: DashboardSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="A leader's dashboard",
        description="Headline (people, product roles, open seats, products by stage, goals "
        "on track / at risk / off track, health score and trend), each key metric's "
        "series for the subtree and its best products, goal progress by business unit, the "
        "products table with each key metric against a key result's target or the period "
        "before, and a page of the alignment findings (20 a page, `fpage`) from the leader's "
        "stored health report (`health_computed_at` says when it was computed; findings "
        "beyond the ones it keeps are computed live). Metric numbers come from the product roll-ups "
        "(`/api/v1/metric-rollups/`), combined per metric rule (the company's own roll-ups "
        "when the leader's subtree owns every product). Visible to HR "
        "admins, the leader and their management chain; 404 for anyone else.",
        tags=["leaders"],
    )
    def get(self, request, person_id: int):
        leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if "period" in params:
            period = Period.objects.filter(pk=params["period"]).first()
            if period is None:
                raise ValidationError({"period": ["No such period."]})
        else:
            period = period_current()
            if period is None:
                raise ValidationError({"period": ["No current period: name one."]})
        dashboard = leader_dashboard(
            viewer_user=request.user,
            leader=leader,
            period=period,
            grain=params["grain"],
            product_sort=params["sort"],
            product_stage=params.get("stage", ""),
            product_search=params.get("q", ""),
            product_page=params["page"],
            unit_sort=params["usort"],
            finding_kind=params.get("kind", ""),
            finding_sort=params["fsort"],
            finding_page=params["fpage"],
        )
        return Response(dashboard_payload(dashboard))
