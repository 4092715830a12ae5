"""``/api/v1/leaders/{person_id}/health/``: a leader's alignment health, and a refresh.

Who may see it (``leader_get_for_viewer``): HR admins, the leader, and anyone above
the leader in the reporting line; anybody else gets 404, as if the leader did not
exist. The payload follows ``leader_health``: a private goal the caller may not see
is named "A private goal" with no link, and no seat finding carries a cost.

``?limit=`` (default :data:`DEFAULT_LIMIT`, at most :data:`MAX_LIMIT`, 0 for counts
only) caps the findings listed per kind; ``finding_counts`` says per kind how many
fail in all and how many are listed. The score and breakdown always count everything.

The GET computes the health live, unlike the dashboard (page and API), which reads the
leader's stored report: it is the on-demand view, for a caller who wants this minute's
findings and up to :data:`MAX_LIMIT` of each kind, more than a stored report keeps. The
refresh recomputes and stores the leader's report (and today's snapshot) first, so the
dashboard shows what it answers.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from productorg.api.schema import ErrorSerializer

from .models import FindingKind
from .selectors import HealthReport, leader_get_for_viewer, leader_health, leader_health_trend
from .services import health_report_refresh

TREND_DAYS = 90
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class LeaderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class TrendPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.IntegerField(min_value=0, max_value=100)


KIND_HELP = "One of: " + ", ".join(FindingKind.values) + "."


class BreakdownEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    label = serializers.CharField()
    checked = serializers.IntegerField(help_text="How many things this rule looked at.")
    failing = serializers.IntegerField(help_text="How many of them fail it.")
    weight = serializers.IntegerField(help_text="Points the rule can cost (weights add to 100).")
    penalty = serializers.FloatField(help_text="Points lost: weight × failing / checked.")


class FindingSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    label = serializers.CharField()
    subject = serializers.CharField(help_text='What is wrong; "A private goal" when hidden.')
    url = serializers.CharField(
        allow_blank=True, help_text="The page where it is fixed; empty when hidden."
    )
    detail = serializers.CharField()
    owner = serializers.CharField(allow_blank=True, help_text="Who should fix it.")


class FindingCountSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    label = serializers.CharField()
    total = serializers.IntegerField(help_text="How many findings of this kind there are.")
    shown = serializers.IntegerField(
        help_text="How many of them `findings` lists (at most `limit`)."
    )


class LeaderHealthSerializer(serializers.Serializer):
    leader = LeaderRefSerializer()
    score = serializers.IntegerField(min_value=0, max_value=100)
    trend = TrendPointSerializer(
        many=True, help_text=f"Daily snapshots of the last {TREND_DAYS} days."
    )
    breakdown = BreakdownEntrySerializer(many=True)
    limit = serializers.IntegerField(help_text="At most this many findings listed per kind.")
    truncated = serializers.BooleanField(
        help_text="Whether some findings are left out of `findings` by the limit."
    )
    finding_counts = FindingCountSerializer(
        many=True, help_text="Per kind, in the breakdown's order: findings in all and listed."
    )
    findings = FindingSerializer(
        many=True, help_text="The first `limit` findings of each kind, kind by kind."
    )


class LimitQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=0, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


LIMIT = OpenApiParameter(
    "limit",
    int,
    OpenApiParameter.QUERY,
    default=DEFAULT_LIMIT,
    description=f"At most this many findings listed per kind (0 to {MAX_LIMIT}; 0 lists "
    "none, only the counts). The score, breakdown and counts always cover every finding.",
)


def _limit(request) -> int:
    query = LimitQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["limit"]


def _payload(*, report: HealthReport) -> dict:
    trend = leader_health_trend(leader=report.leader, days=TREND_DAYS)
    return LeaderHealthSerializer(
        {
            "leader": report.leader,
            "score": report.score,
            "trend": [{"date": day, "score": score} for day, score in trend],
            "breakdown": report.breakdown,
            "limit": report.limit_per_kind,
            "truncated": report.truncated,
            "finding_counts": report.finding_counts(),
            "findings": report.findings,
        }
    ).data


PERSON_ID = OpenApiParameter(
    "person_id", int, OpenApiParameter.PATH, description="The leader (a person's id)."
)


class LeaderHealthView(APIView):
    """A leader's alignment health over their subtree: score, trend, breakdown, findings."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[PERSON_ID, LIMIT],
        responses={
            200: LeaderHealthSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="A leader's alignment health",
        description="Computed live over the leader's subtree: goals aligned to nothing or "
        "without a check-in in their cadence or an active owner, products missing their "
        "stage's metrics or a lifecycle review, stakeholders blocking or unconfirmed, open "
        "seats without a budget, spans of control outside the range, responsibilities "
        "nobody holds. Lists the first `limit` findings of each kind; `finding_counts` "
        "says how many there are in all. Visible to HR admins, the leader and their "
        "management chain; 404 for anyone else; 400 for a bad `limit`.",
        tags=["leaders"],
    )
    def get(self, request, person_id: int):
        leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
        limit = _limit(request)
        report = leader_health(leader=leader, viewer_user=request.user, limit_per_kind=limit)
        return Response(_payload(report=report))


class LeaderHealthRefreshView(APIView):
    """Recompute a leader's stored health now: their report and today's snapshot."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[PERSON_ID, LIMIT],
        request=None,
        responses={
            200: LeaderHealthSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Refresh a leader's alignment health now",
        description="Recomputes and stores the leader's health report, which the dashboard "
        "reads, and records today's score in the trend (one snapshot a day: a second "
        "refresh the same day updates it); answers the health as a GET would. Allowed "
        "to whoever may see the leader's health; `limit` as for the GET (400 when bad, "
        "and then no snapshot is taken).",
        tags=["leaders"],
    )
    def post(self, request, person_id: int):
        leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
        limit = _limit(request)
        health_report_refresh(leader=leader)
        report = leader_health(leader=leader, viewer_user=request.user, limit_per_kind=limit)
        return Response(_payload(report=report))
