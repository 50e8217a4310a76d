"""Lists count no further than anyone reads: past CORRIDOR_COUNT_LIMIT a list says "more
than", and its pages stay whole."""

import pytest

from corridor.core.paging import CappedPaginator, count_upto
from corridor.core.testing import PersonFactory, UserFactory
from corridor.people import views as people_views
from corridor.people.models import Person


@pytest.fixture
def persons(db):
    for _ in range(7):
        PersonFactory()
    return Person.objects.order_by("pk")


def test_a_short_list_is_counted_exactly(persons):
    paginator = CappedPaginator(persons, 3, limit=10)
    assert (paginator.count, paginator.more, paginator.num_pages) == (7, False, 3)
    assert len(paginator.page(3).object_list) == 1


def test_a_long_list_stops_counting_at_the_limit(persons, django_assert_num_queries):
    paginator = CappedPaginator(persons, 2, limit=4)
    with django_assert_num_queries(1) as counted:
        assert (paginator.count, paginator.more, paginator.num_pages) == (4, True, 2)
    assert "LIMIT 5" in counted.captured_queries[0]["sql"]
    assert "ORDER BY" not in counted.captured_queries[0]["sql"]  # nothing sorted to be counted
    last = paginator.page(2)
    assert list(last.object_list) == list(persons[2:4]) and not last.has_next()


def test_the_limit_comes_from_the_settings(persons, settings):
    settings.CORRIDOR_COUNT_LIMIT = 5
    paginator = CappedPaginator(persons, 50)
    assert (paginator.count, paginator.more) == (5, True)
    assert count_upto(persons, 100) == 7 and count_upto(list(persons), 3) == 7


def test_the_persons_list_says_there_are_more_pages(client, persons, settings, monkeypatch):
    settings.CORRIDOR_COUNT_LIMIT = 4
    monkeypatch.setattr(people_views, "PAGE_SIZE", 2)
    agency = persons.first().owner_agency
    Person.objects.update(owner_agency=agency)
    client.force_login(UserFactory(agency=agency, roles=["first_responder"]))
    first = client.get("/people/").content.decode()
    assert "Page 1 of more than 2" in first and "?page=2" in first
    last = client.get("/people/?page=2").content.decode()
    assert "Page 2 of more than 2" in last and "?page=3" not in last
