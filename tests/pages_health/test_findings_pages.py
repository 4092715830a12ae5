"""The findings table reads only the findings up to the page it shows, and pages through
every failing row of a kind without repeating or skipping one."""

from __future__ import annotations

from health.dashboard import FINDINGS_PAGE_SIZE, leader_dashboard
from health.models import FindingKind
from roadmaps.models import Goal


def _unaligned_goals(cast, period, n):
    Goal.objects.bulk_create(
        Goal(title=f"Loose goal {i:03d}", level=Goal.Level.TEAM, owner=cast.report, period=period)
        for i in range(n)
    )


def test_pages_of_one_kind_cover_every_finding_once(cast, period):
    _unaligned_goals(cast, period, 45)
    kind = FindingKind.GOAL_UNALIGNED
    seen = []
    for page in (1, 2, 3):
        dashboard = leader_dashboard(
            viewer_user=cast.leader_user,
            leader=cast.leader,
            period=period,
            finding_kind=kind,
            finding_page=page,
        )
        assert dashboard.findings_total == 45
        assert dashboard.findings_pages == 3
        assert dashboard.findings_page == page
        seen += [f.subject for f in dashboard.findings]
    assert len(seen) == 45
    assert sorted(seen) == sorted(f"Loose goal {i:03d}" for i in range(45))


def test_the_first_page_reads_one_page_of_each_kind_and_counts_them_all(cast, period):
    _unaligned_goals(cast, period, 45)
    dashboard = leader_dashboard(viewer_user=cast.leader_user, leader=cast.leader, period=period)
    failing = sum(e.failing for e in dashboard.health_breakdown)
    assert dashboard.findings_total == failing > FINDINGS_PAGE_SIZE
    assert len(dashboard.findings) == FINDINGS_PAGE_SIZE
    # Sorted by kind: the most pressing kind first, in the order its rule reads them.
    assert {f.kind for f in dashboard.findings} == {FindingKind.GOAL_UNALIGNED}
    # The last page of every kind is reachable, and the score is the same.
    last = leader_dashboard(
        viewer_user=cast.leader_user,
        leader=cast.leader,
        period=period,
        finding_page=dashboard.findings_pages,
    )
    assert last.findings and last.findings_page == dashboard.findings_pages
    assert last.headline.health_score == dashboard.headline.health_score
    every = leader_dashboard(
        viewer_user=cast.leader_user, leader=cast.leader, period=period, finding_page=None
    )
    assert len(every.findings) == failing
    assert every.headline.health_score == dashboard.headline.health_score


def test_sorted_by_subject_every_finding_is_read(cast, period):
    _unaligned_goals(cast, period, 25)
    dashboard = leader_dashboard(
        viewer_user=cast.leader_user, leader=cast.leader, period=period, finding_sort="subject"
    )
    subjects = [f.subject.lower() for f in dashboard.findings]
    assert subjects == sorted(subjects)
    assert len(subjects) == FINDINGS_PAGE_SIZE
