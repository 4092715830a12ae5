"""Who may see a leader's health: HR admins, the leader and the chain above them."""

from __future__ import annotations

import pytest
from django.http import Http404

from health.selectors import leader_get_for_viewer, leader_health

pytestmark = pytest.mark.django_db


def test_hr_the_leader_and_the_chain_above_see_the_leader(cast):
    for user in (cast.hr_user, cast.leader_user, cast.top.user):
        assert leader_get_for_viewer(viewer_user=user, person_id=cast.leader.pk) == cast.leader


def test_reports_peers_and_outsiders_get_404(cast):
    for user in (cast.report_user, cast.peer_user, cast.outsider_user):
        with pytest.raises(Http404):
            leader_get_for_viewer(viewer_user=user, person_id=cast.leader.pk)


def test_unknown_person_is_404_even_for_hr(cast):
    with pytest.raises(Http404):
        leader_get_for_viewer(viewer_user=cast.hr_user, person_id=999_999)


def test_a_leader_who_left_is_seen_by_hr_only(cast):
    cast.leader.is_active = False
    cast.leader.save()
    assert leader_get_for_viewer(viewer_user=cast.hr_user, person_id=cast.leader.pk)
    with pytest.raises(Http404):
        leader_get_for_viewer(viewer_user=cast.top.user, person_id=cast.leader.pk)


def test_leader_health_runs_on_the_cast(cast):
    report = leader_health(leader=cast.leader, viewer_user=cast.leader_user)
    assert 0 <= report.score <= 100
    assert len(report.breakdown) == 10
