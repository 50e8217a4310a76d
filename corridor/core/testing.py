"""Factories for tests: agencies, users with roles, persons, cases and referrals; the
moment of the tests that run on a set clock."""

from __future__ import annotations

from datetime import UTC, datetime

import factory
from django.contrib.auth.models import Group

from corridor.accounts.models import Agency, Role, User
from corridor.cases.models import ProtectionCase
from corridor.people.models import Person
from corridor.referrals.models import Referral
from corridor.vocabularies import ServiceType, Sex

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105

# "Now" for the tests whose dates are written out (a reflection period that started on
# 1 March 2026, a service delivered today): mark them `@pytest.mark.time_machine(NOW)`, and
# time-machine sets the clock to NOW before any other fixture runs, then lets it run on, so
# that they pass on any day. Other tests count from `timezone.now()`.
NOW = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.Sequence(lambda n: f"AG{n}")
    country = "IT"
    sector = Agency.Sector.POLICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=Role(role).value)[0])
        self.__dict__.pop("roles", None)  # forget the cached empty role set


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    owner_agency = factory.SubFactory(AgencyFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    sex = Sex.FEMALE
    nationality = "NG"
    age_estimate_min = 24
    age_estimate_max = 28
    phone = "+2348031234567"
    document_type = Person.DocumentType.PASSPORT
    document_number = factory.Sequence(lambda n: f"A{n:08d}")
    narrative = "Recruited in Benin City with the promise of work in a hair salon."


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProtectionCase

    person = factory.SubFactory(PersonFactory)
    owner_agency = factory.SelfAttribute("person.owner_agency")
    status = ProtectionCase.Status.PRESUMED_VICTIM
    forms_of_exploitation = ["sexual"]


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    from_agency = factory.SelfAttribute("case.owner_agency")
    to_agency = factory.SubFactory(AgencyFactory, sector=Agency.Sector.SHELTER)
    service_type = ServiceType.SHELTER


# --- investigations: criminal cases ---------------------------------------------------------


class CriminalCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "investigations.CriminalCase"

    owner_agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"Operation Harbour {n}")


class CriminalOffenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "investigations.Offence"

    criminal_case = factory.SubFactory(CriminalCaseFactory)
    kind = "trafficking"
    form_of_exploitation = "sexual"


class SuspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "incidents.Suspect"

    owner_agency = factory.SubFactory(AgencyFactory)
    names = factory.Faker("name")
    aliases = "Mama T"


class CaseSuspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "investigations.CaseSuspect"

    criminal_case = factory.SubFactory(CriminalCaseFactory)
    suspect = factory.SubFactory(
        SuspectFactory,
        owner_agency=factory.SelfAttribute("..criminal_case.owner_agency"),
    )
    role = "recruiter"
    level = "operator"
