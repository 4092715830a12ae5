"""The iCalendar feed: created and revoked on the account page, shown once, answering
404 (never a sign-in redirect) to a bad or revoked secret, valid RFC 5545."""

from __future__ import annotations

import datetime as dt
import re

from stakeholders.ics import feed_secret_digest, ics_escape, ics_fold
from stakeholders.models import CalendarFeed
from stakeholders.services import review_create


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1: CRLF followed by one space or tab continues the previous line."""
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def parse(text: str) -> list[dict[str, str]]:
    """The VEVENTs of a calendar as {name: raw value}; asserts the structure on the way."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # bare LFs are not line ends
    for physical in text.split("\r\n"):
        assert len(physical.encode("utf-8")) <= 75, physical
    lines = unfold(text)[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events, current = [], None
    for line in lines:
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current[name.split(";")[0]] = value
    return events


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def feed_url(client, user) -> str:
    client.force_login(user)
    response = client.post("/account/calendar/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    url = re.search(r'value="http://testserver(/calendar/[^"]+\.ics)"', response.content.decode())
    client.logout()
    return url.group(1)


def test_the_feed_lists_my_reviews_and_parses(client, cast, world):
    tricky = review_create(
        kind="business_review",
        title="QBR; pricing, payouts\nand the “next” année — a long title that surely needs folding",
        owner=cast.leader,
        participants=[cast.report],
        due_at=world.sync.due_at + dt.timedelta(days=3),
    )
    url = feed_url(client, cast.report_user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    events = {e["UID"]: e for e in parse(response.content.decode())}
    assert set(events) == {
        f"review-{r.pk}@testserver" for r in (world.sync, world.one_to_one, tricky)
    }
    event = events[f"review-{tricky.pk}@testserver"]
    assert unescape(event["SUMMARY"]) == tricky.title
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTART"])
    assert event["DTSTART"] == tricky.due_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
    assert event["URL"] == f"http://testserver/reviews/{tricky.pk}/"
    assert event["STATUS"] == "CONFIRMED"
    assert "Owner: Dana" in unescape(event["DESCRIPTION"])
    # The peer's feed has none of them (not owner, not participant).
    assert parse(client.get(feed_url(client, cast.peer_user)).content.decode()) == []


def test_only_a_digest_is_stored_and_a_new_address_replaces_the_old(client, cast, world):
    first = feed_url(client, cast.report_user)
    secret = first.removeprefix("/calendar/").removesuffix(".ics")
    feed = CalendarFeed.objects.get(person=cast.report)
    assert feed.digest == feed_secret_digest(secret) and secret not in feed.digest
    second = feed_url(client, cast.report_user)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    # The address is shown once: the page does not show it again.
    client.force_login(cast.report_user)
    assert second not in client.get("/account/calendar/").content.decode()


def test_a_bad_or_revoked_secret_is_404_never_a_redirect(client, cast, world):
    assert client.get("/calendar/not-a-secret.ics").status_code == 404
    url = feed_url(client, cast.report_user)
    client.force_login(cast.report_user)
    response = client.post("/account/calendar/revoke/")
    assert response.status_code == 302
    client.logout()
    response = client.get(url)
    assert response.status_code == 404
    assert "Location" not in response
    # A person who left loses their feed too.
    url = feed_url(client, cast.peer_user)
    cast.peer.is_active = False
    cast.peer.save()
    assert client.get(url).status_code == 404


def test_escaping_and_folding():
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 80
    folded = ics_fold(line)
    parts = folded.split("\r\n ")
    assert all(len(p.encode()) <= 75 for p in folded.split("\r\n"))
    assert "".join(parts) == line  # never splits a character
