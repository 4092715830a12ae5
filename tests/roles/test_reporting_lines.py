"""Reporting lines never form a cycle, and nobody manages themself."""

import pytest
from django.db.models import Max

from productorg.errors import ApplicationError
from roles.models import Person
from roles.selectors import person_management_chain, person_subtree, span_of_control
from roles.services import person_set_manager
from tests.conftest import build_org


def test_nobody_manages_themself(cast):
    with pytest.raises(ApplicationError) as exc:
        person_set_manager(person=cast.leader, manager=cast.leader)
    assert "cannot manage themself" in exc.value.field_errors["manager"][0]


def test_moving_a_leader_under_their_own_report_is_refused(cast):
    with pytest.raises(ApplicationError) as exc:
        person_set_manager(person=cast.leader, manager=cast.subreport)
    assert "cycle" in exc.value.message
    cast.leader.refresh_from_db()
    assert cast.leader.manager_id == cast.top.pk


def test_a_valid_move_changes_the_tree_and_keeps_history(cast):
    person_set_manager(person=cast.report, manager=cast.peer, acting_user=cast.hr_user)
    assert {p.pk for p in person_subtree(root=cast.peer)} == {
        cast.peer.pk,
        cast.report.pk,
        cast.subreport.pk,
    }
    last = cast.report.history.first()
    assert last.manager_id == cast.peer.pk
    assert last.history_user == cast.hr_user
    assert last.prev_record.manager_id == cast.leader.pk


def test_subtree_chain_and_spans_are_one_query_each_whatever_the_depth(
    db, django_assert_num_queries
):
    root = build_org(size=300, fanout=2)  # depth ~8
    deepest = Person.objects.order_by("-pk").first()
    with django_assert_num_queries(1):  # people whose closure lines are under the root
        assert len(list(person_subtree(root=root))) == 300
    with django_assert_num_queries(1):  # the deepest person's lines upwards, with people
        chain = person_management_chain(person=deepest)
    assert chain[-1] == root
    assert len(chain) == deepest.lines_up.aggregate(Max("depth"))["depth__max"]
    with django_assert_num_queries(1):  # closure lines + COUNT of direct reports
        spans = {p.pk: p.direct_reports for p in span_of_control(root=root)}
    assert spans[root.pk] == 2
