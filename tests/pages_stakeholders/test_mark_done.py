"""Marking a review done from the reviews list (htmx) or its page (plain POST) closes the
occurrence and the series' next occurrence takes its place."""

from __future__ import annotations

from stakeholders.models import Review

from .conftest import HX


def test_mark_done_by_htmx_shows_the_next_occurrence(client, cast, world):
    client.force_login(cast.report_user)
    page = client.get("/reviews/").content.decode()
    assert f'id="review-{world.sync.pk}"' in page
    response = client.post(
        f"/reviews/{world.sync.pk}/complete/",
        {"outcome": "Agreed the payout dates.", "action": "done"},
        HTTP_HX_CURRENT_URL="http://testserver/reviews/",
        **HX,
    )
    assert response.status_code == 200
    world.sync.refresh_from_db()
    assert world.sync.status == Review.Status.DONE
    assert world.sync.outcome == "Agreed the payout dates."
    following = Review.objects.get(series=world.sync)
    assert following.status == Review.Status.SCHEDULED
    assert following.due_at > world.sync.due_at
    assert list(following.participants.all()) == [cast.subreport]
    body = response.content.decode()
    # The closed row, then the next occurrence in its place, and the live message.
    assert body.index(f'id="review-{world.sync.pk}"') < body.index(f'id="review-{following.pk}"')
    assert "Next occurrence" in body
    assert 'id="review-status" hx-swap-oob="innerHTML"' in body
    assert 'name="next" value="/reviews/"' in body
    # And the list shows it from now on.
    page = client.get("/reviews/").content.decode()
    assert f'id="review-{following.pk}"' in page
    assert f'id="review-{world.sync.pk}"' not in page


def test_skip_closes_the_occurrence_as_skipped(client, cast, world):
    client.force_login(cast.report_user)
    client.post(f"/reviews/{world.sync.pk}/complete/", {"action": "skip"}, **HX)
    world.sync.refresh_from_db()
    assert world.sync.status == Review.Status.SKIPPED
    assert Review.objects.filter(series=world.sync).count() == 1


def test_mark_done_without_javascript_redirects_with_a_message(client, cast, world):
    client.force_login(cast.leader_user)  # the owner's manager may close it too
    response = client.post(
        f"/reviews/{world.sync.pk}/complete/",
        {"outcome": "", "action": "done", "next": "/reviews/?scope=team"},
        follow=True,
    )
    assert response.redirect_chain == [("/reviews/?scope=team", 302)]
    assert "is done. Next one:" in response.content.decode()


def test_closing_twice_is_refused_in_place(client, cast, world):
    client.force_login(cast.report_user)
    client.post(f"/reviews/{world.sync.pk}/complete/", {"action": "done"}, **HX)
    response = client.post(f"/reviews/{world.sync.pk}/complete/", {"action": "done"}, **HX)
    assert response.status_code == 422
    assert "already done" in response.content.decode()
    assert Review.objects.filter(series=world.sync).count() == 1
    response = client.post(f"/reviews/{world.sync.pk}/complete/", {"action": "done"})
    assert response.status_code == 400
    assert "already done" in response.content.decode()


def test_a_one_off_review_has_no_next_occurrence(client, cast, world):
    client.force_login(cast.report_user)
    response = client.post(f"/reviews/{world.one_to_one.pk}/complete/", {"action": "done"}, **HX)
    assert response.status_code == 200
    assert "The series has ended." in response.content.decode()
    assert not Review.objects.filter(series=world.one_to_one).exists()


def test_the_team_scope_is_for_leaders(client, cast, world):
    client.force_login(cast.leader_user)
    page = client.get("/reviews/?scope=team").content.decode()
    assert "Checkout stakeholder sync" in page and "My team" in page
    # Sam leads nobody: the toggle is not offered and ?scope=team shows their own.
    client.force_login(cast.subreport.user)
    page = client.get("/reviews/?scope=team").content.decode()
    assert 'aria-label="Whose reviews"' not in page
    assert "Checkout stakeholder sync" in page  # a participant


def test_the_calendar_shows_the_month_asked_for(client, cast, world):
    client.force_login(cast.report_user)
    month = world.one_to_one.due_at.strftime("%Y-%m")
    page = client.get(f"/reviews/calendar/?month={month}").content.decode()
    assert "career chat" in page
    assert "<h1>" + world.one_to_one.due_at.strftime("%B %Y") in page
    page = client.get("/reviews/calendar/?month=2001-01").content.decode()
    assert "career chat" not in page and "January 2001" in page
    assert client.get("/reviews/calendar/?month=garbage").status_code == 200


def test_misses_lists_runs_of_misses_in_the_subtree(client, cast, world):
    from stakeholders.services import review_consecutive_misses

    client.force_login(cast.leader_user)
    page = client.get("/misses/").content.decode()
    assert "Checkout stakeholder sync" in page
    assert review_consecutive_misses(review=world.sync) == 1
    client.force_login(cast.peer_user)
    assert "Checkout stakeholder sync" not in client.get("/misses/").content.decode()


def test_misses_in_a_row_match_the_escalation_count(cast, world):
    """The misses page counts runs in SQL; escalation counts them in Python: the same
    number, also when the series jumped over occurrences nobody held."""
    import datetime as dt

    from stakeholders.selectors import review_misses_under
    from stakeholders.services import review_consecutive_misses

    root = world.sync
    Review.objects.filter(pk=root.pk).update(status=Review.Status.DONE, missed=True)
    base = dict(
        kind=root.kind, title=root.title, owner=cast.report, series=root, anchor_at=root.anchor_at
    )
    for occurrence, missed, status in [
        (2, False, Review.Status.DONE),
        (3, True, Review.Status.SKIPPED),
        (5, True, Review.Status.OVERDUE),  # 4 was never created: the series jumped
    ]:
        Review.objects.create(
            **base,
            occurrence=occurrence,
            due_at=root.due_at + dt.timedelta(days=7 * occurrence),
            missed=missed,
            status=status,
        )
    late = review_misses_under(user=cast.leader_user, leader=cast.leader).get(occurrence=5)
    assert late.misses_in_a_row == review_consecutive_misses(review=late) == 2
