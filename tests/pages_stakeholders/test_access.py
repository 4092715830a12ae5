"""Sign-in, visibility and permissions of the stakeholder, review, decision and
notification pages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from roadmaps.models import Product
from stakeholders.models import Alignment, Notification, Review

from .conftest import HX

PAGES = [
    "/stakeholders/map/",
    "/reviews/",
    "/reviews/calendar/",
    "/misses/",
    "/decisions/",
    "/notifications/",
    "/account/calendar/",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={path}")


def test_anonymous_detail_pages_and_actions_redirect(client, world):
    for path in [f"/reviews/{world.sync.pk}/", f"/decisions/{world.decision.pk}/"]:
        assert client.get(path)["Location"].startswith("/accounts/login/")
    response = client.post(f"/reviews/{world.sync.pk}/complete/", {"action": "done"})
    assert response.status_code == 302
    world.sync.refresh_from_db()
    assert world.sync.status == Review.Status.OVERDUE


def test_an_expired_htmx_session_gets_hx_redirect(client, world):
    response = client.post(f"/reviews/{world.sync.pk}/complete/", {"action": "done"}, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_a_member(client, cast, world, path):
    client.force_login(cast.report_user)
    response = client.get(path)
    assert response.status_code == 200
    assert b'id="bell"' in response.content


def test_a_private_one_to_one_is_hidden_from_a_peer(client, cast, world):
    client.force_login(cast.peer_user)
    assert client.get(f"/reviews/{world.one_to_one.pk}/").status_code == 404
    response = client.post(f"/reviews/{world.one_to_one.pk}/complete/", {"action": "done"})
    assert response.status_code == 404
    # Nor is it on any list or calendar the peer can open.
    for path in ["/reviews/", "/reviews/?scope=team", "/reviews/calendar/", "/misses/"]:
        assert b"career chat" not in client.get(path).content, path
    world.one_to_one.refresh_from_db()
    assert world.one_to_one.status == Review.Status.SCHEDULED


def test_the_one_to_one_is_seen_by_the_person_it_is_about_and_the_chain(client, cast, world):
    for user in (cast.subreport.user, cast.report_user, cast.leader_user, cast.hr_user):
        client.force_login(user)
        response = client.get(f"/reviews/{world.one_to_one.pk}/")
        assert response.status_code == 200, user
        assert "career chat" in response.content.decode()


def test_a_participant_reads_a_review_but_may_not_close_it(client, cast, world):
    client.force_login(cast.subreport.user)
    page = client.get(f"/reviews/{world.sync.pk}/").content.decode()
    assert "Checkout stakeholder sync" in page
    assert "Mark done" not in page
    assert client.post(f"/reviews/{world.sync.pk}/complete/", {"action": "done"}).status_code == 403
    world.sync.refresh_from_db()
    assert world.sync.status == Review.Status.OVERDUE


def test_notifications_are_their_recipients_only(client, cast, world):
    client.force_login(cast.peer_user)
    assert "is overdue" not in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{world.note.pk}/read/").status_code == 404
    client.post("/notifications/read-all/")
    world.note.refresh_from_db()
    assert world.note.read_at is None
    # Not even an HR admin reads somebody else's inbox.
    client.force_login(cast.hr_user)
    assert client.post(f"/notifications/{world.note.pk}/read/").status_code == 404


def test_the_recipient_marks_one_read_by_htmx_and_the_bell_follows(client, cast, world):
    Notification.objects.create(
        recipient=cast.report,
        kind="digest",
        subject="Weekly digest",
        channel=Notification.Channel.IN_APP,
        dedupe_key="test:digest",
        status=Notification.Status.SENT,
    )
    client.force_login(cast.report_user)
    assert 'aria-label="Notifications, 2 unread"' in client.get("/reviews/").content.decode()
    response = client.post(f"/notifications/{world.note.pk}/read/", **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="bell"' in body and 'hx-swap-oob="true"' in body
    assert "Notifications, 1 unread" in body
    assert "nrow--unread" not in body.split('id="bell"')[0]
    world.note.refresh_from_db()
    assert world.note.read_at is not None
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=cast.report, read_at__isnull=True).exists()
    assert "none unread" in client.get("/notifications/").content.decode()


def test_a_stakeholder_confirms_their_own_alignment_inline(client, cast, world):
    client.force_login(cast.leader_user)
    page = client.get(f"/stakeholders/map/?product={world.product.pk}").content.decode()
    # Only their own row carries a confirm form.
    assert page.count('class="aconfirm"') == 1
    assert f"/stakeholders/alignments/{world.leader_on_product.pk}/confirm/" in page
    response = client.post(
        f"/stakeholders/alignments/{world.leader_on_product.pk}/confirm/",
        {"status": "concerned"},
        **HX,
    )
    assert response.status_code == 200
    assert "Confirmed — thank you." in response.content.decode()
    world.leader_on_product.refresh_from_db()
    assert world.leader_on_product.status == Alignment.Status.CONCERNED
    assert world.leader_on_product.last_confirmed_at is not None


def test_nobody_changes_someone_elses_alignment(client, cast, world):
    client.force_login(cast.leader_user)
    response = client.post(
        f"/stakeholders/alignments/{world.peer_on_product.pk}/confirm/", {"status": "blocking"}
    )
    assert response.status_code == 403
    # Not even the product's owner speaks for a colleague who can sign in.
    client.force_login(cast.report_user)
    response = client.post(
        f"/stakeholders/alignments/{world.peer_on_product.pk}/confirm/", {"status": "blocking"}
    )
    assert response.status_code == 403
    world.peer_on_product.refresh_from_db()
    assert world.peer_on_product.status == Alignment.Status.NEUTRAL
    # An external contact cannot sign in: only the product's chain records their stand
    # (stakeholders.selectors.alignment_can_confirm), never someone outside it.
    client.force_login(cast.peer_user)
    response = client.post(
        f"/stakeholders/alignments/{world.partner_on_product.pk}/confirm/", {"status": "aligned"}
    )
    assert response.status_code == 403
    world.partner_on_product.refresh_from_db()
    assert world.partner_on_product.status == Alignment.Status.CONCERNED


def test_a_bad_status_is_refused_next_to_the_field(client, cast, world):
    client.force_login(cast.leader_user)
    url = f"/stakeholders/alignments/{world.leader_on_product.pk}/confirm/"
    response = client.post(url, {"status": "delighted"}, **HX)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(url, {"status": "delighted", "next": "/stakeholders/map/"})
    assert response.status_code == 302
    world.leader_on_product.refresh_from_db()
    assert world.leader_on_product.status == Alignment.Status.ALIGNED


def test_a_confirm_without_javascript_goes_back_to_the_map(client, cast, world):
    client.force_login(cast.leader_user)
    back = f"/stakeholders/map/?product={world.product.pk}"
    response = client.post(
        f"/stakeholders/alignments/{world.leader_on_product.pk}/confirm/",
        {"status": "supportive", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(
        f"/stakeholders/alignments/{world.leader_on_product.pk}/confirm/",
        {"status": "supportive", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == "/stakeholders/map/"


def test_the_map_filters_by_function_status_and_overdue_touchpoint(client, cast, world):
    client.force_login(cast.report_user)
    base = f"/stakeholders/map/?product={world.product.pk}"

    def names(query):
        body = client.get(base + query, **HX).content.decode()
        return [n for n in ("Dana", "Omar", "Ana Ruiz") if f">{n}<" in body]

    assert names("") == ["Dana", "Omar", "Ana Ruiz"]
    assert names("&function=partner") == ["Ana Ruiz"]
    assert names("&status=neutral") == ["Omar"]
    assert names("&overdue=true") == ["Ana Ruiz"]
    assert names("&overdue=false") == ["Dana", "Omar"]
    # The htmx answer is the results only; a bad value is ignored, not an error.
    response = client.get(base + "&status=nonsense", **HX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_the_map_defaults_to_the_viewers_subtree(client, cast, world):
    # Checkout is report's; leader's subtree includes report, peer's does not.
    client.force_login(cast.leader_user)
    assert "Ana Ruiz" in client.get("/stakeholders/map/").content.decode()
    client.force_login(cast.peer_user)
    page = client.get("/stakeholders/map/").content.decode()
    assert "Ana Ruiz" not in page
    assert "Ana Ruiz" in client.get(f"/stakeholders/map/?leader={cast.report.pk}").content.decode()


def test_decisions_search_by_words_product_and_goal(client, cast, world):
    client.force_login(cast.peer_user)
    assert "Drop the legacy" in client.get("/decisions/?q=legacy+form").content.decode()
    assert "Drop the legacy" not in client.get("/decisions/?q=pricing").content.decode()
    other = Product.objects.create(
        name="Wallets", slug="wallets", business_unit=world.product.business_unit
    )
    assert "Drop the legacy" not in client.get(f"/decisions/?product={other.pk}").content.decode()
    response = client.get(f"/decisions/?product={world.product.pk}", **HX)
    assert "Drop the legacy" in response.content.decode()
    detail = client.get(f"/decisions/{world.decision.pk}/").content.decode()
    for text in ("Migrate merchants over a quarter", "Nine in ten merchants", "Ana Ruiz", "Dana"):
        assert text in detail


def test_misses_page_is_empty_when_nothing_is_late(client, cast, world):
    Review.objects.filter(status=Review.Status.OVERDUE).update(
        status=Review.Status.DONE, completed_at=timezone.now()
    )
    client.force_login(cast.leader_user)
    assert "No misses" in client.get("/misses/").content.decode()
