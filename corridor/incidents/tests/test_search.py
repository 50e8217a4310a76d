"""Searching incidents whose titles and localities are encrypted at rest: a reference matches
exactly in SQL; words are looked for in Python, in the newest incidents that pass the other
filters, up to `SEARCH_SCAN_LIMIT` of them, and the answer says when it stopped there."""

from datetime import date

import pytest

from corridor.accounts.services import issue_api_token
from corridor.incidents import counting, services
from corridor.incidents.api import SEARCH_LIMITED_HEADER
from corridor.incidents.models import Incident


@pytest.fixture
def incidents(world):
    actor = world.users.responder
    flat = services.record_incident(
        actor=actor, title="Flat above the bakery", start_date=date(2023, 5, 1)
    )
    services.add_place(flat, actor=actor, country="IT", kind="exploitation", locality="Ballarò")
    boat = services.record_incident(
        actor=actor, title="Landing at Lampedusa", start_date=date(2024, 3, 1)
    )
    services.add_route_leg(
        boat, actor=actor, from_country="LY", from_locality="Zuwara", to_country="IT",
        to_locality="Lampedusa", mode="sea",
    )  # fmt: skip
    farm = services.record_incident(actor=actor, title="Farm near Foggia")
    return {"flat": flat, "boat": boat, "farm": farm}


def found(q, **filters) -> set[str]:
    result = services.filter_and_search(Incident.objects.all(), q=q, **filters)
    return {i.title for i in result.incidents}


def test_every_word_must_be_in_the_title_or_a_locality(incidents):
    assert found("bakery") == {"Flat above the bakery"}
    assert found("BALLARO flat") == {"Flat above the bakery"}  # a locality, without the accent
    assert found("zuwara lampedusa") == {"Landing at Lampedusa"}  # the route's towns
    assert found("bakery lampedusa") == set()  # words of two incidents are not one match
    assert found("   ") == {"Flat above the bakery", "Landing at Lampedusa", "Farm near Foggia"}
    assert found(incidents["farm"].reference.lower()) == {"Farm near Foggia"}


def test_words_are_looked_for_only_in_what_the_other_filters_left(incidents):
    assert found("lampedusa", date_to=date(2023, 12, 31)) == set()
    assert found("lampedusa", country="LY") == {"Landing at Lampedusa"}


def test_the_search_stops_at_the_newest_incidents_and_says_so(
    client, world, incidents, monkeypatch
):
    monkeypatch.setattr(services, "SEARCH_SCAN_LIMIT", 2)
    result = services.filter_and_search(Incident.objects.all(), q="bakery")
    assert result.limited and not result.incidents.exists()  # the flat is the oldest of three
    # A reference is still found however old the incident is: that match is made in SQL.
    flat = incidents["flat"].reference
    assert services.filter_incidents(Incident.objects.all(), q=flat).get().reference == flat
    narrowed = services.filter_and_search(
        Incident.objects.all(), q="bakery", date_to=date(2023, 12, 31)
    )
    assert not narrowed.limited and narrowed.incidents.get().title == "Flat above the bakery"

    user = world.users.responder
    assert counting.count_for(user, q="bakery").search_limited
    assert not counting.count_for(user, q="bakery", date_to=date(2023, 12, 31)).search_limited
    headers = {"Authorization": f"Bearer {issue_api_token(actor=user, name='t')[1]}"}
    listed = client.get("/api/incidents", {"q": "bakery"}, headers=headers)
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert listed.headers[SEARCH_LIMITED_HEADER] == "2"
    assert SEARCH_LIMITED_HEADER not in client.get("/api/incidents", headers=headers).headers
    counts = client.get("/api/statistics/counts", {"q": "bakery"}, headers=headers).json()
    assert counts["search_limited"] is True
    client.force_login(user)
    page = client.get("/incidents/", {"q": "bakery"})
    assert page.context["search_notice"] and 'data-testid="search-limited"' in page.text
    assert client.get("/incidents/").context["search_notice"] == ""  # no words, no limit
