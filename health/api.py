"""``/api/v1/leaders/{person_id}/health/``: a leader's alignment health, and a refresh.

Who may see it (``leader_get_for_viewer``): HR admins, the leader, and anyone above
the leader in the reporting line; anybody else gets 404, as if the leader did not
exist. The payload follows ``leader_health``: a private goal the caller may not see
is named "A private goal" with no link, and no seat finding carries a cost.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from productorg.api.schema import ErrorSerializer

from .models import FindingKind
from .selectors import HealthReport, leader_get_for_viewer, leader_health, leader_health_trend
from .services import health_snapshot_take

TREND_DAYS = 90


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


class LeaderHealthSerializer(serializers.Serializer):
    leader = LeaderRefSerializer()
    score = serializers.IntegerField(min_value=0, max_value=100)
    trend = TrendPointSerializer(
        many=True, help_text=f"Daily snapshots of the last {TREND_DAYS} days."
    )
    breakdown = BreakdownEntrySerializer(many=True)
    findings = FindingSerializer(many=True)


def _payload(*, report: HealthReport) -> dict:
    trend = leader_health_trend(leader=report.leader, days=TREND_DAYS)
    return LeaderHealthSerializer(
        {
            "leader": report.leader,
            "score": report.score,
            "trend": [{"date": day, "score": score} for day, score in trend],
            "breakdown": report.breakdown,
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
        parameters=[PERSON_ID],
        responses={200: LeaderHealthSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
        summary="A leader's alignment health",
        description="Computed live over the leader's subtree: goals aligned to nothing or "
        "without a check-in in their cadence or an active owner, products missing their "
        "stage's metrics or a lifecycle review, stakeholders blocking or unconfirmed, open "
        "seats without a budget, spans of control outside the range, responsibilities "
        "nobody holds. Visible to HR admins, the leader and their management chain; 404 "
        "for anyone else.",
        tags=["leaders"],
    )
    def get(self, request, person_id: int):
        leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
        report = leader_health(leader=leader, viewer_user=request.user)
        return Response(_payload(report=report))


class LeaderHealthRefreshView(APIView):
    """Take today's snapshot of a leader's health now (updates today's if it exists)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[PERSON_ID],
        request=None,
        responses={200: LeaderHealthSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
        summary="Snapshot a leader's alignment health now",
        description="Records today's score in the trend (one snapshot a day: a second "
        "refresh the same day updates it) and answers the health as a GET would. Allowed "
        "to whoever may see the leader's health.",
        tags=["leaders"],
    )
    def post(self, request, person_id: int):
        leader = leader_get_for_viewer(viewer_user=request.user, person_id=person_id)
        health_snapshot_take(leader=leader)
        report = leader_health(leader=leader, viewer_user=request.user)
        return Response(_payload(report=report))
