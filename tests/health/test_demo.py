"""The demo's dashboards show a health trend from the start."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from health.models import HealthSnapshot, LeaderHealthReport
from health.services import health_leaders
from roles.models import Person


@pytest.mark.django_db
def test_the_small_demo_has_health_snapshots_and_a_trend_for_its_logins():
    call_command("seed_demo", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    leaders = health_leaders()
    assert (
        HealthSnapshot.objects.filter(leader__in=leaders).values("leader").distinct().count()
        == leaders.count()
    )
    # Each leader's dashboard reads a stored report from the first view.
    assert LeaderHealthReport.objects.filter(leader__in=leaders).count() == leaders.count()
    cpo = Person.objects.get(user__username="cpo@demo.productorg.test")
    days = list(HealthSnapshot.objects.filter(leader=cpo).values_list("taken_on", flat=True))
    assert len(days) == 8
    assert all(
        0 <= score <= 100 for score in HealthSnapshot.objects.values_list("score", flat=True)
    )
