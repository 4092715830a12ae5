"""``leader_health(limit_per_kind=…)`` lists only the first findings of each kind.

The failing rows are counted in SQL and only the first ``limit`` of each kind are read
(``ORDER BY … LIMIT``), so the score and breakdown never depend on the limit, and the
report says per kind how many there are and how many it lists.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from health.models import FindingKind
from health.selectors import leader_health

from .test_query_counts import LEADER_HEALTH, SIZES, VIEWER, _portfolio

pytestmark = pytest.mark.django_db

# A limit of 0 reads the counts only: no failing goals (1), products (1 of 3), failing
# alignments (1), seats without a budget (1) or managers out of range (1) are listed,
# so nothing about the viewer is needed either (who may see which goal, HR or not).
COUNTS_ONLY = LEADER_HEALTH - VIEWER - 5


@pytest.fixture
def portfolio(settings):
    settings.HEALTH_SPAN_MIN = 5  # every manager (four reports at most) is out of range
    root = _portfolio(60)
    viewer = get_user_model().objects.get(pk=root.user_id)
    return root, viewer


def _by_kind(report) -> dict[str, list]:
    return {kind: report.findings_of(kind) for kind in FindingKind.values}


@pytest.mark.parametrize("limit", [0, 1, 2, 7, 1000])
def test_the_score_and_breakdown_do_not_depend_on_the_limit(portfolio, limit):
    root, viewer = portfolio
    everything = leader_health(leader=root, viewer_user=viewer)
    limited = leader_health(leader=root, viewer_user=viewer, limit_per_kind=limit)

    assert limited.score == everything.score
    assert limited.breakdown == everything.breakdown
    assert limited.breakdown_by_kind() == everything.breakdown_by_kind()


def test_without_a_limit_the_sql_counts_match_the_findings_listed(portfolio):
    root, viewer = portfolio
    report = leader_health(leader=root, viewer_user=viewer)

    listed = _by_kind(report)
    for entry in report.breakdown:
        assert entry.failing == len(listed[entry.kind]), entry.kind
    assert report.limit_per_kind is None
    assert not report.truncated
    assert all(c.shown == c.total for c in report.finding_counts())


@pytest.mark.parametrize("limit", [1, 2, 7])
def test_the_limit_lists_the_first_findings_of_each_kind_and_counts_them_all(portfolio, limit):
    root, viewer = portfolio
    everything = _by_kind(leader_health(leader=root, viewer_user=viewer))
    report = leader_health(leader=root, viewer_user=viewer, limit_per_kind=limit)

    listed = _by_kind(report)
    for kind in FindingKind.values:
        # The same findings, in the same order, as the first of the full list.
        assert listed[kind] == everything[kind][:limit], kind
    counts = {c.kind: c for c in report.finding_counts()}
    assert list(counts) == list(FindingKind.values)
    for kind in FindingKind.values:
        assert counts[kind].total == len(everything[kind]), kind
        assert counts[kind].shown == min(limit, len(everything[kind])), kind
    assert report.limit_per_kind == limit
    assert report.truncated  # 60 people: every kind but responsibilities fails more often
    assert len(report.findings) <= limit * len(FindingKind)


def test_a_limit_of_0_lists_nothing_but_keeps_every_count(portfolio):
    root, viewer = portfolio
    everything = leader_health(leader=root, viewer_user=viewer)
    report = leader_health(leader=root, viewer_user=viewer, limit_per_kind=0)

    assert report.findings == []
    assert report.truncated
    assert [c.total for c in report.finding_counts()] == [e.failing for e in everything.breakdown]
    assert all(c.shown == 0 for c in report.finding_counts())


def test_a_limit_above_every_count_is_not_truncated(portfolio):
    root, viewer = portfolio
    everything = leader_health(leader=root, viewer_user=viewer)
    report = leader_health(leader=root, viewer_user=viewer, limit_per_kind=1000)

    assert report.findings == everything.findings
    assert not report.truncated


def test_a_negative_limit_is_refused(org):
    with pytest.raises(ValueError):
        leader_health(leader=org.leader, viewer_user=org.hr_user, limit_per_kind=-1)


def test_private_goals_stay_hidden_in_a_limited_report(portfolio):
    root, _ = portfolio
    # Nobody signed in sees public goals only: a private one is "A private goal".
    report = leader_health(leader=root, viewer_user=None, limit_per_kind=3)
    subjects = [f.subject for f in report.findings_of(FindingKind.GOAL_UNALIGNED)]
    everything = leader_health(leader=root, viewer_user=None)
    assert subjects == [f.subject for f in everything.findings_of(FindingKind.GOAL_UNALIGNED)][:3]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("limit", [0, 5])
def test_a_limited_report_reads_a_fixed_number_of_queries(
    size, limit, django_assert_num_queries, settings
):
    settings.HEALTH_SPAN_MIN = 5
    root = _portfolio(size)
    viewer = get_user_model().objects.get(pk=root.user_id)  # nothing cached

    with django_assert_num_queries(COUNTS_ONLY if limit == 0 else LEADER_HEALTH):
        report = leader_health(leader=root, viewer_user=viewer, limit_per_kind=limit)

    for count in report.finding_counts():
        assert count.shown == min(limit, count.total)


@pytest.mark.parametrize("limit", [None, 5])
def test_a_healthy_subtree_reads_the_same_number_of_queries(org, limit, django_assert_num_queries):
    # Nothing fails under the leader: the failing rows are still asked for (and none come).
    viewer = get_user_model().objects.get(pk=org.top.user_id)

    with django_assert_num_queries(LEADER_HEALTH):
        report = leader_health(leader=org.leader, viewer_user=viewer, limit_per_kind=limit)

    assert report.score == 100
    assert report.findings == []
    assert not report.truncated
