"""Who may be referred where: sex, age (with the presumption of minority) and unaccompanied
children, checked the same way when referring and when the directory lists eligible offers.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from corridor.core.testing import PersonFactory
from corridor.people.models import Person
from corridor.referrals import services
from corridor.referrals.models import Referral, ServiceOffer

OFFERS = {
    "women_only": {"sexes": ["female"], "min_age": 18},
    "men_only": {"sexes": ["male"], "min_age": 18},
    "adults": {"min_age": 18},
    "children": {"max_age": 17},
    "teenagers": {"min_age": 12, "max_age": 17},
    "unaccompanied": {"max_age": 17, "accepts_unaccompanied_children": True},
    "anyone": {},
}

PERSONS = {
    "woman_25": {"sex": "female", "age_estimate_min": 24, "age_estimate_max": 28},
    "man_30": {"sex": "male", "age_estimate_min": 30, "age_estimate_max": 30},
    "girl_15": {"sex": "female", "age_estimate_min": 14, "age_estimate_max": 16},
    "boy_8": {"sex": "male", "age_estimate_min": 8, "age_estimate_max": 9},
    # unknown age: treated as a child (presumption of minority)
    "age_unknown": {"sex": "female", "age_estimate_min": None, "age_estimate_max": None},
    # disputed: "says 19, looks 16" is treated as a child until an assessment is recorded
    "disputed_19": {"sex": "male", "age_estimate_min": 19, "age_estimate_max": 21, "age_disputed": True},
    "sex_unknown": {"sex": "unknown", "age_estimate_min": 30, "age_estimate_max": 35},
    "born_2000": {"sex": "female", "date_of_birth": date(2000, 5, 1), "age_estimate_min": None, "age_estimate_max": None},
}  # fmt: skip

ELIGIBLE = {  # person: offers she may be referred to (not unaccompanied)
    "woman_25": {"women_only", "adults", "anyone"},
    "man_30": {"men_only", "adults", "anyone"},
    "girl_15": {"children", "teenagers", "unaccompanied", "anyone"},
    "boy_8": {"children", "unaccompanied", "anyone"},
    "age_unknown": {"children", "teenagers", "unaccompanied", "anyone"},
    "disputed_19": {"children", "teenagers", "unaccompanied", "anyone"},
    "sex_unknown": {"women_only", "men_only", "adults", "anyone"},
    "born_2000": {"women_only", "adults", "anyone"},
}


@pytest.fixture
def offers(world):
    return {
        name: services.create_offer(
            actor=world.users.coordinator,
            agency=world.shelter,
            service_type="shelter",
            name=name,
            **fields,
        )
        for name, fields in OFFERS.items()
    }


def person(world, name) -> Person:
    return PersonFactory(owner_agency=world.police, **PERSONS[name])


@pytest.mark.parametrize("name", PERSONS)
def test_the_check_and_the_directory_agree_on_who_is_eligible(world, offers, name):
    someone = person(world, name)
    by_check = {
        offer_name
        for offer_name, offer in offers.items()
        if not services.eligibility_problems(offer, someone)
    }
    listed = set(
        services.eligible_offers(ServiceOffer.objects.all(), someone).values_list("name", flat=True)
    )
    assert by_check == listed == ELIGIBLE[name]


@pytest.mark.parametrize("name", ["girl_15", "boy_8", "age_unknown", "disputed_19"])
def test_an_unaccompanied_child_goes_only_where_unaccompanied_children_are_taken(
    world, offers, name
):
    someone = person(world, name)
    listed = services.eligible_offers(ServiceOffer.objects.all(), someone, unaccompanied_child=True)
    assert list(listed.values_list("name", flat=True)) == ["unaccompanied"]
    problems = services.eligibility_problems(offers["children"], someone, unaccompanied_child=True)
    assert "does not take unaccompanied children" in problems["offer"][0]


def test_the_presumption_of_minority_is_explained(world, offers):
    problems = services.eligibility_problems(offers["adults"], person(world, "age_unknown"))
    assert "presumption of minority" in problems["offer"][0]


def test_a_man_is_not_referred_to_a_women_only_shelter(world, offers, consent):
    world.person.sex = "male"
    world.person.save()
    with pytest.raises(ValidationError) as excinfo:
        services.refer_case(
            world.case,
            actor=world.users.responder,
            to_agency=world.shelter,
            service_type="shelter",
            offer=offers["women_only"],
        )
    (message,) = excinfo.value.message_dict["offer"]
    assert "takes only: Female" in message and "recorded as Male" in message
    assert Referral.objects.count() == 1


def test_a_child_is_not_referred_to_an_adults_only_shelter(world, offers):
    world.person.age_estimate_min, world.person.age_estimate_max = 15, 17
    world.person.save()
    with pytest.raises(ValidationError) as excinfo:
        services.refer_case(
            world.case,
            actor=world.users.responder,
            to_agency=world.shelter,
            service_type="shelter",
            offer=offers["adults"],
        )
    assert list(excinfo.value.message_dict) == ["offer"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"is_active": False}, "no longer offered"),
        ({"service_type": "medical"}, "This offer is for Medical care"),
    ],
)
def test_the_offer_must_be_listed_and_for_the_service_asked(
    world, offers, consent, change, message
):
    offer = offers["anyone"]
    services.update_offer(offer, actor=world.users.coordinator, expected_version=1, **change)
    with pytest.raises(ValidationError) as excinfo:
        services.refer_case(
            world.case,
            actor=world.users.responder,
            to_agency=world.shelter,
            service_type="shelter",
            offer=offer,
        )
    assert message in excinfo.value.message_dict["offer"][0]


def test_the_offer_must_belong_to_the_agency_referred_to(world, offers, consent):
    with pytest.raises(ValidationError) as excinfo:
        services.refer_case(
            world.case,
            actor=world.users.responder,
            to_agency=world.other_shelter,
            service_type="shelter",
            offer=offers["anyone"],
        )
    assert "offered by Casa Rifugio Palermo" in excinfo.value.message_dict["offer"][0]
