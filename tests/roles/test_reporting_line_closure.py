"""The reporting-line closure table always agrees with the ``manager`` column.

The rows are written by database triggers, so every way of writing people is covered
here: factories and ``create``, bulk inserts, the moving service, queryset and bulk
updates, the people import (including a swap of two managers), deletion and the demo.
Each test compares the whole table with the closure computed in Python from the
manager column.
"""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from roles.imports import people_import
from roles.models import Person, ReportingLine
from roles.selectors import (
    person_is_in_subtree,
    person_management_chain,
    person_subtree,
    person_subtree_id_list,
    person_subtree_ids,
    span_of_control,
)
from roles.services import person_set_manager
from tests.conftest import build_org
from tests.factories import PersonFactory
from tests.roles.test_import_people import row

TRIGGERS = {"roles_person_reporting_lines_insert", "roles_person_reporting_lines_move"}


def expected_lines() -> set[tuple[int, int, int]]:
    """``(ancestor, person, depth)`` for every person, walked up the manager column."""
    manager_of = dict(Person.objects.values_list("id", "manager_id"))
    lines = set()
    for person_id in manager_of:
        ancestor, depth = person_id, 0
        while ancestor is not None:
            lines.add((ancestor, person_id, depth))
            ancestor, depth = manager_of[ancestor], depth + 1
            assert depth <= len(manager_of), "the manager column holds a cycle"
    return lines


def stored_lines() -> set[tuple[int, int, int]]:
    rows = list(ReportingLine.objects.values_list("ancestor_id", "person_id", "depth"))
    assert len(rows) == len(set(rows))
    return set(rows)


def assert_closure_matches_tree() -> None:
    assert stored_lines() == expected_lines()


def test_the_triggers_exist_after_every_migration(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'roles_person'::regclass"
                " AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name = 'roles_person'"
            )
        assert {name for (name,) in cursor.fetchall()} >= TRIGGERS


def test_people_created_one_by_one_and_in_bulk_get_their_lines(cast):
    build_org(size=60, fanout=4)
    PersonFactory(manager=cast.subreport)
    assert_closure_matches_tree()
    assert ReportingLine.objects.get(ancestor=cast.top, person=cast.subreport).depth == 3


def test_a_move_carries_the_whole_subtree_and_nobody_else(cast):
    root = build_org(size=40, fanout=3)
    before = stored_lines()
    person_set_manager(person=cast.leader, manager=root)
    assert_closure_matches_tree()
    moved = set(person_subtree(root=cast.leader).values_list("id", flat=True))
    assert moved == {cast.leader.pk, cast.report.pk, cast.subreport.pk}
    # Lines of people outside the moved subtree are untouched.
    assert {line for line in before if line[1] not in moved} == {
        line for line in stored_lines() if line[1] not in moved
    }
    assert [p.pk for p in person_management_chain(person=cast.subreport)] == [
        cast.report.pk,
        cast.leader.pk,
        root.pk,
    ]


def test_detaching_and_reattaching_with_queryset_and_bulk_updates(cast):
    root = build_org(size=50, fanout=3)
    Person.objects.filter(manager=root).update(manager=None)
    assert_closure_matches_tree()
    tops = list(Person.objects.filter(manager=None).exclude(pk__in=[root.pk, cast.top.pk]))
    for person in tops:
        person.manager = cast.peer
    Person.objects.bulk_update(tops, ["manager"])
    assert_closure_matches_tree()
    assert person_subtree(root=cast.top).count() == 5 + 49


def test_the_database_refuses_a_cycle_whoever_writes_it(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=cast.leader.pk).update(manager=cast.subreport)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=cast.top.pk).update(manager=cast.top)
    cast.leader.refresh_from_db()
    assert cast.leader.manager_id == cast.top.pk
    assert_closure_matches_tree()


def test_an_import_that_swaps_two_managers_keeps_the_lines(cast):
    # Priya (under Dana) becomes Dana's manager; Dana moves under Priya; Sam moves to Omar.
    result = people_import(
        rows=[
            row("priya@example.com", "Priya", manager_email="carla@example.com"),
            row("dana@example.com", "Dana", manager_email="priya@example.com"),
            row("sam@example.com", "Sam", manager_email="omar@example.com"),
            row("new@example.com", "Nia", manager_email="dana@example.com"),
        ],
        acting_user=cast.hr_user,
    )
    assert result.ok, result.errors
    assert_closure_matches_tree()
    nia = Person.objects.get(email="new@example.com")
    assert [p.full_name for p in person_management_chain(person=nia)] == [
        "Dana",
        "Priya",
        "Carla",
    ]


def test_deleting_a_person_deletes_their_lines(cast):
    leaf = PersonFactory(manager=cast.subreport)
    leaf.delete()
    assert not ReportingLine.objects.filter(person=leaf.pk).exists()
    assert_closure_matches_tree()


def test_the_demo_organisation_gets_its_lines(db):
    from django.core.management import call_command

    call_command("seed_demo", size="small", verbosity=0)
    assert_closure_matches_tree()


def test_subtree_reads_are_one_query_and_agree_with_the_lines(cast, django_assert_num_queries):
    build_org(size=30)
    with django_assert_num_queries(1):  # people whose lines are under Dana
        people = list(person_subtree(root=cast.leader))
    assert [p.full_name for p in people] == ["Dana", "Priya", "Sam"]
    spans = [(p.full_name, p.depth, p.direct_reports) for p in span_of_control(root=cast.top)]
    assert spans == [("Carla", 0, 2), ("Dana", 1, 1), ("Priya", 2, 1)]
    with django_assert_num_queries(1):  # the lines alone
        ids = set(person_subtree_ids(root=cast.leader).values_list("person_id", flat=True))
    assert ids == {cast.leader.pk, cast.report.pk, cast.subreport.pk}
    with django_assert_num_queries(1):  # the same lines, as a list
        assert sorted(person_subtree_id_list(root=cast.leader)) == sorted(ids)
    assert list(person_subtree(root=cast.leader, include_root=False)) == [
        cast.report,
        cast.subreport,
    ]
    with django_assert_num_queries(1):  # one line looked up by its key
        assert person_is_in_subtree(person=cast.subreport, root=cast.leader)
    assert not person_is_in_subtree(person=cast.peer, root=cast.leader)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_and_hires_on_postgresql_leave_consistent_lines(require_postgres):
    """Two transactions change overlapping parts of the tree at once.

    One moves a branch under another leader while the other hires people into that
    branch; without the triggers' advisory lock the hires would keep the branch's old
    ancestors.
    """
    root = build_org(size=200, fanout=4)
    branches = list(Person.objects.filter(manager=root).order_by("pk"))
    moving, target = branches[0], branches[1]
    hire_under = list(person_subtree(root=moving, include_root=False)[:10])
    ready = threading.Barrier(2)
    errors: list[BaseException] = []

    def move():
        try:
            with transaction.atomic():
                Person.objects.filter(pk=moving.pk).update(manager=target)
                ready.wait(timeout=10)
                # Hold the transaction open while the other one writes.
                Person.objects.filter(pk=moving.pk).exists()
                threading.Event().wait(0.5)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def hire():
        try:
            ready.wait(timeout=10)
            with transaction.atomic():
                for n, manager in enumerate(hire_under):
                    PersonFactory(manager=manager, email=f"hire{n}@example.com")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move), threading.Thread(target=hire)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert_closure_matches_tree()
    assert person_subtree(root=target).filter(email__startswith="hire").count() == 10
