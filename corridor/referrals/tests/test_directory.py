"""The service directory: providers list their services and publish free places; everyone
signed in finds a service by type, language, area and who is eligible.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.audit.models import AuditEvent
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import AgencyFactory
from corridor.referrals import services
from corridor.referrals.models import ServiceOffer
from corridor.referrals.tests.helpers import stored


def listed(offers) -> list[str]:
    return sorted(o.name for o in offers)


@pytest.fixture
def directory(world, women_shelter):
    """Three more services around Sicily (plus the women's shelter of the conftest)."""
    clinic = AgencyFactory(name="Emergency ONG – Catania", sector="health", kind="ngo")
    return {
        "women_shelter": women_shelter,
        "children": services.create_offer(
            actor=world.users.other_provider,
            agency=world.other_shelter,
            service_type="shelter",
            name="Casa dei ragazzi – Catania",
            areas=["Catania"],
            languages=["it", "ar"],
            max_age=17,
            accepts_unaccompanied_children=True,
            total_places=6,
            free_places=0,
        ),
        "clinic": services.create_offer(
            actor=world.users.coordinator,
            agency=clinic,
            service_type="mhpss",
            name="Psychological support",
            languages=["it", "en", "ti"],
            area_description="Eastern Sicily, by video call elsewhere",
        ),
        "closed": services.create_offer(
            actor=world.users.coordinator,
            agency=clinic,
            service_type="medical",
            name="Mobile clinic (suspended)",
            is_active=False,
        ),
    }


# --- listing and finding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Casa Rifugio – women's shelter", "Casa dei ragazzi – Catania", "Psychological support"]),
        ({"service_type": "shelter"}, ["Casa Rifugio – women's shelter", "Casa dei ragazzi – Catania"]),
        ({"language": "AR"}, ["Casa dei ragazzi – Catania"]),
        ({"language": "ti"}, ["Psychological support"]),
        # by region code, by city (any case), or nationwide (no area given)
        ({"area": "it-82"}, ["Casa Rifugio – women's shelter", "Psychological support"]),
        ({"area": "CATANIA"}, ["Casa dei ragazzi – Catania", "Psychological support"]),
        ({"area": "eastern sicily"}, ["Psychological support"]),
        ({"age": 15}, ["Casa dei ragazzi – Catania", "Psychological support"]),
        ({"age": 30, "sex": "male"}, ["Psychological support"]),
        ({"unaccompanied_child": True}, ["Casa dei ragazzi – Catania"]),
        ({"with_free_places": True}, ["Casa Rifugio – women's shelter", "Psychological support"]),
    ],
)  # fmt: skip
def test_the_directory_finds_services(world, directory, filters, expected):
    offers = ServiceOffer.objects.filter(is_active=True)
    assert listed(services.filter_offers(offers, **filters)) == sorted(expected)


def test_the_directory_page_lists_and_filters_in_a_fixed_number_of_queries(
    client, world, directory, django_assert_max_num_queries
):
    client.force_login(world.users.responder)
    response = client.get("/referrals/directory/?service_type=shelter&language=ar")
    assert response.status_code == 200
    assert [o.name for o in response.context["page"]] == ["Casa dei ragazzi – Catania"]
    assert "0 of 6 places free" in response.content.decode()
    for n in range(20):
        services.create_offer(
            actor=world.users.coordinator,
            agency=world.shelter,
            service_type="legal_aid",
            name=f"Legal clinic {n}",
        )
    with django_assert_max_num_queries(9):
        response = client.get("/referrals/directory/")
    assert len(response.context["page"]) == 23  # the suspended clinic is not listed


def test_everyone_signed_in_reads_the_directory_but_not_the_suspended_offers(
    client, world, directory
):
    for name in ("analyst", "prosecutor", "other_provider"):
        client.force_login(getattr(world.users, name))
        response = client.get("/referrals/directory/?inactive=1")
        assert response.status_code == 200
        assert "Mobile clinic (suspended)" not in response.content.decode(), name
    client.force_login(world.users.coordinator)
    response = client.get("/referrals/directory/?inactive=1")
    assert "Mobile clinic (suspended)" in response.content.decode()
    client.logout()
    assert client.get("/referrals/directory/").status_code == 302  # to the sign-in page


# --- publishing services ----------------------------------------------------------------------


def test_a_provider_lists_a_service_of_her_agency(world):
    offer = services.create_offer(
        actor=world.users.provider,
        agency=world.shelter,
        service_type="interpretation",
        name="Interpreters (Edo, Pidgin)",
        languages=["EN", " fr ", "en"],
        areas=["it-82", "Palermo", "palermo"],
        contact_phone="091 123 4567",
    )
    assert offer.languages == ["en", "fr"]
    assert offer.areas == ["IT-82", "Palermo"]
    assert offer.contact_phone == "+390911234567"  # E.164, in the agency's country
    assert offer.search_keys == "|lang:en|lang:fr|area:it-82|area:palermo|sex:*|"
    assert AuditEvent.objects.filter(action="create", object_type="serviceoffer").exists()


def test_a_provider_cannot_list_or_change_another_agencys_services(world, women_shelter):
    with pytest.raises(PermissionDenied):
        services.create_offer(
            actor=world.users.other_provider,
            agency=world.shelter,
            service_type="shelter",
            name="Not mine",
        )
    for call in (
        lambda: services.update_offer(
            women_shelter, actor=world.users.other_provider, expected_version=1, name="x"
        ),
        lambda: services.publish_capacity(
            women_shelter, actor=world.users.other_provider, free_places=9, expected_version=1
        ),
        lambda: services.publish_capacity(
            women_shelter, actor=world.users.responder, free_places=9, expected_version=1
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert stored(women_shelter).free_places == 2


@pytest.mark.parametrize("username", ["coordinator", "admin"])
def test_coordinators_and_administrators_change_every_offer(world, women_shelter, username):
    services.update_offer(
        women_shelter,
        actor=getattr(world.users, username),
        expected_version=1,
        contact_hours="Mon–Fri 9–17, hotline at night",
    )
    assert stored(women_shelter).contact_hours == "Mon–Fri 9–17, hotline at night"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"service_type": "astrology"}, "service_type"),
        ({"name": "  "}, "name"),
        ({"languages": ["english"]}, "languages"),
        ({"languages": ["xx"]}, "languages"),
        ({"languages": "en"}, "languages"),  # a list, not a string
        ({"areas": ["IT-99"]}, "areas"),
        ({"sexes": ["robot"]}, "sexes"),
        ({"min_age": 18, "max_age": 12}, "max_age"),
        ({"max_age": 300}, "max_age"),
        ({"total_places": 5, "free_places": 6}, "free_places"),
        ({"free_places": 2}, "total_places"),
        ({"total_places": 5}, "free_places"),
        ({"contact_phone": "call us"}, "contact_phone"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_offer_input_names_the_field_and_writes_nothing(world, fields, field):
    arguments = {"service_type": "shelter", "name": "Shelter"}
    arguments.update(fields)
    with pytest.raises(ValidationError) as excinfo:
        services.create_offer(actor=world.users.provider, agency=world.shelter, **arguments)
    assert list(excinfo.value.message_dict) == [field]
    assert not ServiceOffer.objects.exists()


def test_an_inactive_agency_lists_nothing(world):
    world.shelter.is_active = False
    world.shelter.save()
    with pytest.raises(ValidationError) as excinfo:
        services.create_offer(
            actor=world.users.coordinator, agency=world.shelter, service_type="shelter", name="x"
        )
    assert list(excinfo.value.message_dict) == ["agency"]


# --- publishing capacity ----------------------------------------------------------------------


def test_the_shelter_publishes_its_free_places(world, women_shelter):
    before = women_shelter.capacity_updated_at
    services.publish_capacity(
        women_shelter, actor=world.users.provider, free_places=5, expected_version=1
    )
    offer = stored(women_shelter)
    assert (offer.free_places, offer.total_places, offer.version) == (5, 10, 2)
    assert offer.capacity_updated_at > before
    event = AuditEvent.objects.get(action="change", object_type="serviceoffer")
    assert event.details["free_places"] == [2, 5]
    services.publish_capacity(
        offer, actor=world.users.provider, free_places=12, total_places=12, expected_version=2
    )
    assert (stored(offer).free_places, stored(offer).total_places) == (12, 12)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"free_places": 11}, "free_places"),
        ({"free_places": -1}, "free_places"),
        ({"free_places": "many"}, "free_places"),
        ({"free_places": 3, "total_places": 2}, "free_places"),
        ({"free_places": 3, "total_places": -4}, "total_places"),
    ],
)
def test_bad_capacity_names_the_field_and_writes_nothing(world, women_shelter, arguments, field):
    with pytest.raises(ValidationError) as excinfo:
        services.publish_capacity(
            women_shelter, actor=world.users.provider, expected_version=1, **arguments
        )
    assert list(excinfo.value.message_dict) == [field]
    assert (stored(women_shelter).free_places, stored(women_shelter).version) == (2, 1)


def test_a_service_not_counted_in_places_needs_its_total_first(world, directory):
    with pytest.raises(ValidationError) as excinfo:
        services.publish_capacity(
            directory["clinic"], actor=world.users.coordinator, free_places=1, expected_version=1
        )
    assert list(excinfo.value.message_dict) == ["total_places"]


def test_capacity_published_on_a_stale_read_is_refused(world, referral, women_shelter):
    services.accept_referral(referral, actor=world.users.provider, expected_version=1)
    with pytest.raises(ConcurrentEdit):  # an acceptance took a place since it was read
        services.publish_capacity(
            women_shelter, actor=world.users.provider, free_places=2, expected_version=1
        )
    assert stored(women_shelter).free_places == 1


# --- the pages --------------------------------------------------------------------------------


def test_a_provider_adds_a_service_through_the_page(client, world):
    client.force_login(world.users.provider)
    form = client.get("/referrals/directory/new/").context["form"]
    assert list(form.fields["agency"].queryset) == [world.shelter]
    response = client.post(
        "/referrals/directory/new/",
        {
            "agency": world.shelter.pk,
            "service_type": "shelter",
            "name": "Emergency beds",
            "areas": "IT-82, Palermo",
            "languages": "it, en",
            "sexes": ["female"],
            "total_places": "4",
            "free_places": "1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302 and response.url == "/referrals/directory/"
    offer = ServiceOffer.objects.get()
    assert (offer.agency, offer.areas, offer.sexes, offer.free_places) == (
        world.shelter,
        ["IT-82", "Palermo"],
        ["female"],
        1,
    )


def test_bad_input_on_the_page_is_shown_under_the_field(client, world):
    client.force_login(world.users.provider)
    response = client.post(
        "/referrals/directory/new/",
        {
            "agency": world.shelter.pk,
            "service_type": "shelter",
            "name": "Beds",
            "languages": "it, klingon",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "klingon" in response.context["form"].errors["languages"][0]
    assert not ServiceOffer.objects.exists()
    # and another agency cannot be chosen by a provider
    response = client.post(
        "/referrals/directory/new/",
        {"agency": world.other_shelter.pk, "service_type": "shelter", "name": "Beds"},
    )
    assert "agency" in response.context["form"].errors


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("provider", 200),
        ("coordinator", 200),
        ("admin", 200),
        ("other_provider", 403),
        ("responder", 403),
        ("analyst", 403),
    ],
)
def test_who_may_edit_an_offer_page(client, world, women_shelter, username, expected):
    client.force_login(getattr(world.users, username))
    assert client.get(f"/referrals/directory/{women_shelter.pk}/edit/").status_code == expected
    response = client.post(
        f"/referrals/directory/{women_shelter.pk}/capacity/", {"free_places": 7, "version": 1}
    )
    assert (stored(women_shelter).free_places == 7) is (expected == 200)
    assert response.status_code == (302 if expected == 200 else 403)


def test_a_missing_offer_is_a_404(client, world):
    client.force_login(world.users.coordinator)
    assert client.get("/referrals/directory/999/edit/").status_code == 404


def test_the_edit_page_saves_changes_and_catches_a_stale_version(client, world, women_shelter):
    client.force_login(world.users.provider)
    form = client.get(f"/referrals/directory/{women_shelter.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update(
        {
            "areas": "IT-82",
            "languages": "it, en",
            "sexes": ["female"],
            "contact_hours": "Always open",
            "is_active": "on",
        }
    )
    assert client.post(f"/referrals/directory/{women_shelter.pk}/edit/", data).status_code == 302
    assert stored(women_shelter).contact_hours == "Always open"
    data["contact_hours"] = "Closed on Sundays"  # someone else's edit, on the old version
    response = client.post(f"/referrals/directory/{women_shelter.pk}/edit/", data)
    assert response.status_code == 200
    assert stored(women_shelter).contact_hours == "Always open"
    assert "changed by someone else" in str(response.context["form"].non_field_errors())


def test_bad_capacity_on_the_page_says_why(client, world, women_shelter):
    client.force_login(world.users.provider)
    response = client.post(
        f"/referrals/directory/{women_shelter.pk}/capacity/",
        {"free_places": 40, "version": 1},
        follow=True,
    )
    assert "cannot be more free places" in response.content.decode()
    assert stored(women_shelter).free_places == 2
