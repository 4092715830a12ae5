"""The dashboard API writes its JSON directly (``dashboard_payload``): byte for byte what
``DashboardSerializer``, its documented schema, answers for the same dashboard."""

from __future__ import annotations

import pytest
from rest_framework.renderers import JSONRenderer

from health.api_dashboard import DashboardSerializer, dashboard_payload
from health.dashboard import leader_dashboard
from health.services import health_report_refresh

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("grain", ["week", "month", "day"])
@pytest.mark.parametrize("viewer", ["leader", "top", "hr"])
def test_the_payload_is_what_the_serializer_answers(cast, period, portfolio, goals, viewer, grain):
    users = {"leader": cast.leader_user, "top": cast.top.user, "hr": cast.hr_user}
    for leader in (cast.leader, cast.top, cast.report):
        dashboard = leader_dashboard(
            viewer_user=users[viewer], leader=leader, period=period, grain=grain
        )
        assert dashboard.key_metrics or leader == cast.report
        expected = JSONRenderer().render(DashboardSerializer(dashboard).data)
        assert JSONRenderer().render(dashboard_payload(dashboard)) == expected


def test_a_live_report_with_findings_and_sorted_tables_too(cast, period, portfolio, goals):
    health_report_refresh(leader=cast.leader)
    dashboard = leader_dashboard(
        viewer_user=cast.leader_user,
        leader=cast.leader,
        period=period,
        product_sort="-stage",
        unit_sort="-progress",
        finding_sort="subject",
        finding_page=None,
    )
    assert dashboard.findings
    expected = JSONRenderer().render(DashboardSerializer(dashboard).data)
    assert JSONRenderer().render(dashboard_payload(dashboard)) == expected
