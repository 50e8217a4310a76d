"""Analysts' figures are kept a few minutes instead of counted on every request (counting a
national instance takes seconds), and a change recorded through Corridor is in the next
figures all the same; a search's words are never kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from corridor.core.testing import CaseFactory, PersonFactory
from corridor.incidents import counting
from corridor.incidents.models import FiguresSnapshot, Incident, IncidentVictim
from corridor.incidents.tests.test_counting import incident, involve, persons
from corridor.linkage.models import MatchCandidate
from corridor.linkage.services import confirm_match, unlink_person


@pytest.fixture
def kept(settings):
    settings.CORRIDOR_FIGURES_MAX_AGE_SECONDS = 600


@pytest.fixture
def boat(world):
    """Eleven victims, recorded in bulk (no signal), as a seed or an import in steps would."""
    boat = incident(world.police, "boat", forms_of_exploitation=["sexual"])
    involve(boat, *persons(world.police, 11, sex="female"))
    return boat


def test_the_second_read_comes_from_the_kept_figures(
    kept, world, boat, django_assert_max_num_queries
):
    first = counting.count_for(world.users.analyst)
    assert first.victims == 11 and first.as_of is not None
    with django_assert_max_num_queries(2):
        again = counting.count_for(world.users.analyst)
    assert again == first  # the same figures, the same moment
    assert FiguresSnapshot.objects.count() == 1


def test_kept_figures_hold_no_small_cell(kept, world, boat):
    involve(boat, PersonFactory(owner_agency=world.police, sex="male"))
    counting.count_for(world.users.analyst)
    stored = FiguresSnapshot.objects.get().counts
    assert stored["by_sex"]["male"] == counting.SUPPRESSED
    small = [
        n
        for cells in (stored["by_sex"], stored["by_age_group"], stored["by_nationality"])
        for n in cells.values()
        if isinstance(n, int) and 0 < n < 10
    ]
    assert small == [] and stored["suppressed"]


def test_a_change_is_in_the_next_figures(kept, world, boat, django_capture_on_commit_callbacks):
    assert counting.count_for(world.users.analyst).victims == 11
    with django_capture_on_commit_callbacks(execute=True):
        IncidentVictim.objects.create(
            incident=boat, person=PersonFactory(owner_agency=world.police), role="victim"
        )
    assert not FiguresSnapshot.objects.exists()
    assert counting.count_for(world.users.analyst).victims == 12


def test_linking_two_records_is_in_the_next_figures(
    kept, world, boat, django_capture_on_commit_callbacks
):
    first, second = boat.victim_links.order_by("person_id")[:2]
    assert counting.count_for(world.users.analyst).victims == 11
    left, right = sorted([first.person, second.person], key=lambda p: p.pk)
    candidate = MatchCandidate.objects.create(left=left, right=right, probability=0.9)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_match(candidate, actor=world.users.coordinator, expected_version=candidate.version)
    assert counting.count_for(world.users.analyst).victims == 10
    with django_capture_on_commit_callbacks(execute=True):
        unlink_person(left, actor=world.users.coordinator)
    assert counting.count_for(world.users.analyst).victims == 11


def test_what_was_written_in_bulk_shows_once_the_figures_are_old(kept, world, boat, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    before = counting.count_for(world.users.analyst)
    Incident.objects.filter(pk=boat.pk).update(forms_of_exploitation=["forced_labour"])
    assert counting.count_for(world.users.analyst).by_exploitation == before.by_exploitation
    time_machine.shift(timedelta(minutes=11))
    after = counting.count_for(world.users.analyst).by_exploitation
    assert after["forced_labour"] == 11 and "sexual" not in after


def test_a_search_is_counted_live_and_its_words_are_never_kept(kept, world, boat):
    counting.count_for(world.users.analyst, q="boat")
    assert not FiguresSnapshot.objects.exists()
    counting.count_for(world.users.analyst, country="IT")
    assert list(FiguresSnapshot.objects.values_list("filters", flat=True)) == [{"country": "IT"}]


def test_periodic_work_counts_again_what_analysts_read(kept, world, boat, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    counting.count_for(world.users.analyst, date_from=timezone.localdate() - timedelta(days=30))
    Incident.objects.filter(pk=boat.pk).update(forms_of_exploitation=["forced_labour"])
    assert counting.refresh_figures() == 2  # the unfiltered figures and the ones read
    assert "forced_labour" in counting.count_for(world.users.analyst).by_exploitation
    time_machine.shift(timedelta(days=2))
    assert counting.refresh_figures() == 1  # nobody read the filtered ones: forgotten
    assert FiguresSnapshot.objects.count() == 1


def test_the_page_says_when_the_figures_were_counted(kept, client, world, boat):
    CaseFactory(owner_agency=world.police)
    client.force_login(world.users.analyst)
    page = client.get("/incidents/").content.decode()
    assert 'data-testid="figures-as-of"' in page and "Counted on" in page
    answer = client.get(
        "/api/statistics/counts", headers={"Authorization": _token(world.users.analyst)}
    )
    assert answer.json()["as_of"] is not None


def _token(user) -> str:
    from corridor.accounts.services import issue_api_token

    return f"Bearer {issue_api_token(actor=user, name='figures')[1]}"
