"""Bad payloads and bad filter values answer 400 in the one error format, naming the field
at fault, and change nothing."""

from __future__ import annotations

import pytest

from stakeholders.models import Alignment, Decision, Review, Stakeholder
from stakeholders.services import review_complete

from .conftest import assert_error, soon


@pytest.fixture
def hr(client_for, cast):
    return client_for(cast.hr_user)


@pytest.fixture
def priya(client_for, cast):
    """Owns the product Checkout, the public team goal and the Checkout QBR."""
    return client_for(cast.report_user)


def _fields(response) -> dict:
    return assert_error(response, 400, "invalid")["fields"]


# --- stakeholders ------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 6, -1, "high"])
def test_influence_and_interest_outside_1_to_5_are_refused(priya, stakes, level):
    count = Stakeholder.objects.count()
    payload = {"name": "Ravi", "function": "engineering", "influence": level, "interest": level}
    assert set(_fields(priya.post("/api/v1/stakeholders/", payload, format="json"))) == {
        "influence",
        "interest",
    }
    assert "influence" in _fields(
        priya.patch(f"/api/v1/stakeholders/{stakes.mia.pk}/", {"influence": level})
    )
    assert Stakeholder.objects.count() == count
    assert Stakeholder.objects.get(pk=stakes.mia.pk).influence == 2


def test_a_stakeholder_needs_a_known_function_and_a_person_or_a_name(priya, stakes):
    fields = _fields(
        priya.post(
            "/api/v1/stakeholders/",
            {"function": "astrology", "influence": 3, "interest": 3},
            format="json",
        )
    )
    assert set(fields) == {"function"}
    nobody = priya.post(
        "/api/v1/stakeholders/", {"function": "sales", "influence": 3, "interest": 3}
    )
    assert "person of the organisation or a named contact" in _fields(nobody)["non_field_errors"][0]


def test_a_person_is_one_stakeholder(priya, cast, stakes):
    again = priya.post(
        "/api/v1/stakeholders/",
        {"person": cast.peer.pk, "function": "executive", "influence": 5, "interest": 5},
        format="json",
    )
    assert "person" in _fields(again)
    assert Stakeholder.objects.filter(person=cast.peer).count() == 1


def test_quadrant_is_derived_and_not_written(priya, stakes):
    url = f"/api/v1/stakeholders/{stakes.mia.pk}/"
    response = priya.patch(url, {"quadrant": "monitor", "influence": 4}, format="json")
    assert response.status_code == 200
    assert response.json()["quadrant"] == "manage_closely"  # influence 4, interest 5


# --- alignments ----------------------------------------------------------------------------


def test_an_alignment_on_both_a_product_and_a_goal_or_neither_is_refused(priya, stakes):
    count = Alignment.objects.count()
    both = {
        "stakeholder": stakes.mia.pk,
        "product": stakes.product.pk,
        "goal": stakes.world.goals["team"].pk,
    }
    fields = _fields(priya.post("/api/v1/alignments/", both, format="json"))
    assert fields == {"non_field_errors": ["An alignment is about one product or one goal."]}
    neither = {"stakeholder": stakes.mia.pk}
    assert "non_field_errors" in _fields(priya.post("/api/v1/alignments/", neither))
    assert Alignment.objects.count() == count


def test_an_unknown_status_or_cadence_is_refused(priya, stakes):
    url = f"/api/v1/alignments/{stakes.mia_on_team_goal.pk}/"
    assert set(_fields(priya.patch(url, {"status": "ecstatic", "cadence": "hourly"}))) == {
        "status",
        "cadence",
    }
    confirm = priya.post(url + "confirm/", {"status": "ecstatic"})
    assert set(_fields(confirm)) == {"status"}
    alignment = Alignment.objects.get(pk=stakes.mia_on_team_goal.pk)
    assert alignment.status == "concerned" and alignment.last_confirmed_at is None


def test_a_second_alignment_of_a_stakeholder_on_the_same_subject_is_refused(priya, stakes):
    again = {"stakeholder": stakes.omar.pk, "product": stakes.product.pk, "status": "aligned"}
    fields = _fields(priya.post("/api/v1/alignments/", again, format="json"))
    assert fields == {
        "stakeholder": ["Omar is already aligned on Checkout; change that alignment instead."]
    }
    assert Alignment.objects.filter(stakeholder=stakes.omar).count() == 1


def test_an_alignments_stakeholder_and_subject_do_not_change(priya, stakes):
    url = f"/api/v1/alignments/{stakes.mia_on_team_goal.pk}/"
    moved = priya.patch(url, {"goal": stakes.world.goals["unit"].pk}, format="json")
    assert "cannot change" in _fields(moved)["goal"][0]
    other = priya.patch(url, {"stakeholder": stakes.omar.pk}, format="json")
    assert "stakeholder" in _fields(other)
    assert Alignment.objects.get(pk=stakes.mia_on_team_goal.pk).goal == stakes.world.goals["team"]


# --- reviews -------------------------------------------------------------------------------


def _review(**fields) -> dict:
    return {"kind": "roadmap_review", "title": "Roadmap", "due_at": soon().isoformat(), **fields}


@pytest.mark.parametrize(
    ("fields", "at_fault"),
    [
        ({"recurrence": "RRULE:FREQ=SOMETIMES"}, "recurrence"),
        ({"recurrence": "every full moon"}, "recurrence"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"kind": "therapy"}, "kind"),
        ({"due_at": "next tuesday"}, "due_at"),
        ({"reminder_lead": "soon"}, "reminder_lead"),
    ],
)
def test_a_bad_review_is_refused_on_its_field(priya, fields, at_fault):
    count = Review.objects.count()
    response = priya.post("/api/v1/reviews/", _review(**fields), format="json")
    assert set(_fields(response)) == {at_fault}
    assert Review.objects.count() == count


def test_a_review_is_about_one_subject(priya, cast, stakes):
    response = priya.post(
        "/api/v1/reviews/",
        _review(product=stakes.product.pk, person=cast.subreport.pk),
        format="json",
    )
    assert "one goal, product or person" in _fields(response)["non_field_errors"][0]


def test_completing_an_already_completed_review_is_refused(priya, stakes):
    url = f"/api/v1/reviews/{stakes.business_review.pk}/complete/"
    assert priya.post(url, {"outcome": "Ship"}).status_code == 200
    again = priya.post(url, {"outcome": "Ship again"})
    assert "already done" in _fields(again)["status"][0]
    review = Review.objects.get(pk=stakes.business_review.pk)
    assert review.outcome == "Ship"
    assert Review.objects.filter(series=review).count() == 1  # one next occurrence, not two


def test_a_closed_review_no_longer_changes(priya, stakes):
    review_complete(review=stakes.business_review, outcome="Done")
    url = f"/api/v1/reviews/{stakes.business_review.pk}/"
    assert "status" in _fields(priya.patch(url, {"title": "Renamed"}))
    assert Review.objects.get(pk=stakes.business_review.pk).title == "Checkout QBR"


def test_a_series_recurrence_changes_only_on_its_first_occurrence(priya, stakes):
    following = review_complete(review=stakes.business_review, outcome="Done")
    url = f"/api/v1/reviews/{following.pk}/"
    assert "recurrence" in _fields(priya.patch(url, {"recurrence": "monthly"}))
    assert "time_zone" in _fields(priya.patch(url, {"time_zone": "Asia/Tokyo"}))
    # Moving this occurrence alone is fine.
    assert priya.patch(url, {"due_at": soon(200).isoformat()}).status_code == 200
    assert Review.objects.get(pk=following.pk).recurrence == "weekly"


def test_status_and_outcome_change_only_through_complete(priya, stakes):
    url = f"/api/v1/reviews/{stakes.business_review.pk}/"
    response = priya.patch(url, {"status": "done", "outcome": "Ship"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "scheduled" and response.json()["outcome"] == ""


def test_a_bad_completion_payload_is_refused(priya, stakes):
    url = f"/api/v1/reviews/{stakes.business_review.pk}/complete/"
    assert "skipped" in _fields(priya.post(url, {"skipped": "perhaps"}, format="json"))
    assert Review.objects.get(pk=stakes.business_review.pk).status == "scheduled"


# --- decisions -----------------------------------------------------------------------------


def test_a_decision_needs_a_title_and_what_was_decided(priya, stakes):
    fields = _fields(priya.post("/api/v1/decisions/", {"product": stakes.product.pk}))
    assert set(fields) == {"title", "decision"}


def test_options_are_a_list_of_texts_and_dates_are_dates(priya, stakes):
    count = Decision.objects.count()
    payload = {
        "title": "T",
        "decision": "D",
        "product": stakes.product.pk,
        "options": [{"nested": True}],
        "decided_on": "yesterday",
        "consulted": [999999],
    }
    fields = _fields(priya.post("/api/v1/decisions/", payload, format="json"))
    assert set(fields) == {"options", "decided_on", "consulted"}
    assert Decision.objects.count() == count


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "at_fault"),
    [
        ("/api/v1/stakeholders/?influence_min=7", "influence_min"),
        ("/api/v1/stakeholders/?interest_min=0", "interest_min"),
        ("/api/v1/stakeholders/?quadrant=somewhere", "quadrant"),
        ("/api/v1/stakeholders/?function=astrology", "function"),
        ("/api/v1/alignments/?status=ecstatic", "status"),
        ("/api/v1/alignments/?under=999999", "under"),
        ("/api/v1/reviews/?status=forgotten", "status"),
        ("/api/v1/reviews/?due_before=soon", "due_before"),
        ("/api/v1/decisions/?decided_after=2026-13-01", "decided_after"),
        ("/api/v1/notifications/?channel=pigeon", "channel"),
    ],
)
def test_a_bad_filter_value_is_a_400_on_that_parameter(priya, stakes, url, at_fault):
    assert set(_fields(priya.get(url))) == {at_fault}


def test_a_caller_who_is_no_person_names_the_reviews_owner(hr):
    response = hr.post("/api/v1/reviews/", _review(title="Calibration"), format="json")
    assert set(_fields(response)) == {"owner"}
    assert not Review.objects.filter(title="Calibration").exists()
