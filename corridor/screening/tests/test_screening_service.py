"""Screening a person through the service: the presumption of minority, the effect on the
protection case, the HTCDS coding, append-only records and age assessments."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.core.testing import CaseFactory, PersonFactory
from corridor.screening import services
from corridor.screening.models import AgeAssessment, CaseEffect, NextStep, Screening
from corridor.screening.rules import Result
from corridor.vocabularies import ServiceType

from .conftest import FORCED_LABOUR

Status = ProtectionCase.Status


def screen(person, actor, catalogue, answers=None, **kwargs):
    return services.screen_person(
        person, actor=actor, catalogue=catalogue, answers=answers or {}, **kwargs
    )


# --- presumption of minority ----------------------------------------------------------------


def test_a_person_of_unknown_age_must_be_screened_with_the_childrens_list(world, child, catalogues):
    with pytest.raises(ValidationError) as error:
        screen(child, world.users.responder, catalogues["adult_labour"], FORCED_LABOUR)
    assert "catalogue" in error.value.message_dict
    assert "children" in error.value.message_dict["catalogue"][0]
    assert not Screening.objects.exists()


def test_a_child_is_screened_as_a_child_guardian_and_child_protection_included(
    world, child, catalogues
):
    assert services.catalogue_for(child, "labour") == catalogues["child_labour"]
    screening = screen(
        child,
        world.users.responder,
        catalogues["child_labour"],
        # Recruited with lies, made to work long hours in dangerous work. No coercion asked.
        {
            "dr_nature_of_job": True,
            "dr_education": True,
            "ex_excessive_hours": True,
            "ex_hazardous_work": True,
        },
    )
    assert screening.result == Result.PRESUMED_VICTIM  # no means element needed for a child
    assert screening.rule == "child_combination"
    assert screening.treated_as_child and screening.guardian_required
    assert screening.next_step == NextStep.CHILD_PROTECTION
    assert screening.suggested_service == ServiceType.CHILD_PROTECTION


def test_a_disputed_age_is_a_childs_age_even_with_an_adult_estimate(world, catalogues):
    disputed = PersonFactory(
        owner_agency=world.police, age_estimate_min=19, age_estimate_max=22, age_disputed=True
    )
    assert services.catalogue_for(disputed, "sexual") == catalogues["child_sexual"]
    screening = screen(disputed, world.users.responder, catalogues["child_sexual"])
    assert screening.treated_as_child
    assert screening.next_step == NextStep.CHILD_PROTECTION  # even with no indicators


def test_an_adult_is_not_screened_with_a_childrens_list(world, adult, catalogues):
    with pytest.raises(ValidationError) as error:
        screen(adult, world.users.responder, catalogues["child_labour"])
    assert "catalogue" in error.value.message_dict


# --- the result and its effect on the protection case ---------------------------------------


def test_a_responder_screens_a_forced_labour_victim_and_the_coordinators_are_asked(
    world, adult, catalogues
):
    screening = screen(
        adult,
        world.users.responder,
        catalogues["adult_labour"],
        FORCED_LABOUR,
        location="Latina, farm inspection",
    )
    assert screening.result == Result.PRESUMED_VICTIM
    assert not screening.treated_as_child
    assert screening.next_step == NextStep.REFER_TO_SERVICES
    assert screening.suggested_service == ServiceType.SHELTER
    case = screening.case
    assert case.person == adult and case.kind == ProtectionCase.Kind.TRAFFICKING
    assert case.forms_of_exploitation == ["forced_labour"]
    assert screening.case_opened
    # Confirming presumed-victim status is the coordinators' call: the responder proposes it.
    assert screening.case_effect == CaseEffect.PROPOSED
    assert case.status == Status.IDENTIFIED
    assert case.events.filter(kind="proposal").exists()


def test_a_coordinator_screening_moves_the_case_to_presumed_victim(world, adult, catalogues):
    screening = screen(adult, world.users.coordinator, catalogues["adult_labour"], FORCED_LABOUR)
    case = ProtectionCase.objects.get(pk=screening.case_id)
    assert case.status == Status.PRESUMED_VICTIM
    assert screening.case_opened and screening.case_effect == CaseEffect.MOVED


def test_an_open_identified_case_moves_instead_of_a_new_one(world, adult, catalogues):
    existing = CaseFactory(person=adult, owner_agency=world.police, status=Status.IDENTIFIED)
    screening = screen(adult, world.users.coordinator, catalogues["adult_labour"], FORCED_LABOUR)
    assert screening.case == existing and not screening.case_opened
    assert screening.case_effect == CaseEffect.MOVED
    existing.refresh_from_db()
    assert existing.status == Status.PRESUMED_VICTIM
    assert adult.cases.count() == 1


def test_a_case_further_along_is_left_where_it_is(world, catalogues):
    screening = screen(
        world.person, world.users.responder, catalogues["adult_labour"], FORCED_LABOUR
    )
    assert screening.case == world.case and screening.case_effect == CaseEffect.EXISTING
    world.case.refresh_from_db()
    assert world.case.status == Status.PRESUMED_VICTIM
    assert world.person.cases.count() == 1


def test_a_possible_victim_gets_an_identified_case_and_a_further_assessment(
    world, adult, catalogues
):
    screening = screen(
        adult,
        world.users.responder,
        catalogues["adult_labour"],
        {"ex_excessive_hours": True, "ex_working_conditions": True},
    )
    assert screening.result == Result.POSSIBLE_VICTIM
    assert screening.next_step == NextStep.FURTHER_ASSESSMENT
    assert screening.case.status == Status.IDENTIFIED
    assert screening.case_effect == CaseEffect.OPENED


def test_a_smuggled_migrant_in_need_gets_a_smuggling_case(world, adult, catalogues):
    screening = screen(
        adult,
        world.users.responder,
        catalogues["adult_labour"],
        {"ad_unknown_area": True},
        smuggling=True,
    )
    assert screening.result == Result.SMUGGLED_MIGRANT
    assert screening.next_step == NextStep.SMUGGLING_ASSISTANCE
    assert screening.case.kind == ProtectionCase.Kind.SMUGGLING
    assert screening.htcds["vic_TraffickingStatus"] is None


def test_no_indicators_opens_no_case(world, adult, catalogues):
    screening = screen(adult, world.users.responder, catalogues["adult_labour"], {})
    assert screening.result == Result.NO_INDICATORS
    assert screening.case is None and screening.case_effect == CaseEffect.NONE
    assert screening.next_step == NextStep.INFORM
    assert not adult.cases.exists()


# --- HTCDS / CTDC coding --------------------------------------------------------------------


def test_the_answers_are_coded_in_htcds_fields(world, adult, catalogues):
    answers = FORCED_LABOUR | {"cd_illicit_activities": True, "ad_dependency": False}
    screening = screen(adult, world.users.responder, catalogues["adult_labour"], answers)
    assert screening.htcds == {
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_TraffickingStatusDecisionMakingOrg": "Police",
        "vic_MethodsOfControl": [
            "MethodsOfControlDebtBondage",
            "MethodsOfControlTakesEarnings",
            "MethodsOfControlFalsePromises",
            "MethodsOfControlExcessiveWorkingHours",
            "MethodsOfControlWithholdsDocuments",
        ],
        "vic_TypeOfExploitation": ["ForcedLabour", "Other"],
        "cor_ScreeningResult": "presumed_victim",
    }
    assert screening.case.forms_of_exploitation == ["forced_labour", "forced_criminality"]


def test_a_sexual_exploitation_list_codes_sexual_exploitation(world, catalogues):
    woman = PersonFactory(owner_agency=world.police, age_estimate_min=22, age_estimate_max=25)
    screening = screen(
        woman,
        world.users.responder,
        catalogues["adult_sexual"],
        {"ex_excessive_hours": True, "ex_low_or_no_pay": True},
    )
    assert screening.htcds["vic_TypeOfExploitation"] == ["SexualExploitation"]
    assert screening.case.forms_of_exploitation == ["sexual"]


# --- the record ------------------------------------------------------------------------------


def test_a_second_screening_adds_a_row_and_leaves_the_first_as_it_was(world, adult, catalogues):
    first = screen(adult, world.users.responder, catalogues["adult_labour"], {})
    stored = Screening.objects.values().get(pk=first.pk)
    second = screen(adult, world.users.colleague, catalogues["adult_labour"], FORCED_LABOUR)
    assert Screening.objects.filter(person=adult).count() == 2
    assert Screening.objects.values().get(pk=first.pk) == stored
    assert (first.result, second.result) == (Result.NO_INDICATORS, Result.PRESUMED_VICTIM)


def test_a_screening_cannot_be_changed_or_deleted(world, adult, catalogues):
    screening = screen(adult, world.users.responder, catalogues["adult_labour"], FORCED_LABOUR)
    screening.result = Result.NO_INDICATORS
    with pytest.raises(ValidationError):
        screening.save()
    with pytest.raises(ValidationError):
        screening.delete()
    assert Screening.objects.get(pk=screening.pk).result == Result.PRESUMED_VICTIM


def test_every_answer_is_stored_and_the_screening_is_audited(world, adult, catalogues):
    catalogue = catalogues["adult_labour"]
    screening = screen(adult, world.users.responder, catalogue, {"dr_wages": False})
    assert len(screening.answers) == catalogue.indicators.count()
    assert screening.answers["dr_wages"] is False
    assert screening.answers["dr_nature_of_job"] is None  # not asked: unknown
    event = AuditEvent.objects.get(action="create", object_ref=screening.reference)
    assert event.details["person"] == adult.reference
    assert event.details["result"] == "no_indicators"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"dr_made_up": True}, "dr_made_up"),
        ({"dr_wages": "yes"}, "dr_wages"),
        ("not a mapping", "Answers"),
    ],
)
def test_bad_answers_name_the_field_and_write_nothing(world, adult, catalogues, answers, message):
    with pytest.raises(ValidationError) as error:
        screen(adult, world.users.responder, catalogues["adult_labour"], answers)
    assert message in error.value.message_dict["answers"][0]
    assert not Screening.objects.exists()
    assert not adult.cases.exists()


def test_only_those_who_may_change_the_person_screen_them(world, adult, catalogues):
    for user in (world.users.provider, world.users.analyst, world.users.foreign_responder):
        with pytest.raises(PermissionDenied):
            screen(adult, user, catalogues["adult_labour"], FORCED_LABOUR)
    assert not Screening.objects.exists()


# --- age assessment -------------------------------------------------------------------------


def test_an_age_assessment_under_18_confirms_the_child(world, child):
    assessment = services.record_age_assessment(
        child,
        actor=world.users.responder,
        method=AgeAssessment.Method.MULTIDISCIPLINARY,
        assessed_age_min=15,
        assessed_age_max=17,
    )
    child.refresh_from_db()
    assert assessment.conclusion == AgeAssessment.Conclusion.CHILD
    assert (child.age_estimate_min, child.age_estimate_max, child.presumed_minor) == (15, 17, True)


def test_a_range_across_18_leaves_the_presumption_in_place(world, child, catalogues):
    assessment = services.record_age_assessment(
        child,
        actor=world.users.responder,
        method=AgeAssessment.Method.MEDICAL,
        assessed_age_min=16,
        assessed_age_max=20,
    )
    child.refresh_from_db()
    assert assessment.conclusion == AgeAssessment.Conclusion.UNDETERMINED
    assert child.presumed_minor
    assert services.catalogue_for(child, "labour") == catalogues["child_labour"]


def test_an_adult_assessment_ends_the_presumption_and_keeps_the_history(world, child, catalogues):
    services.record_age_assessment(
        child,
        actor=world.users.responder,
        method=AgeAssessment.Method.INTERVIEW,
        assessed_age_min=16,
        assessed_age_max=20,
    )
    child.refresh_from_db()
    services.record_age_assessment(
        child,
        actor=world.users.responder,
        method=AgeAssessment.Method.DOCUMENT,
        assessed_age_min=21,
        assessed_age_max=21,
        notes="Birth certificate obtained through the embassy.",
    )
    child.refresh_from_db()
    assert not child.presumed_minor and not child.age_disputed
    assert child.age_assessments.count() == 2
    screening = screen(child, world.users.responder, catalogues["adult_labour"], FORCED_LABOUR)
    assert not screening.treated_as_child


def test_an_adult_assessment_settles_a_disputed_age(world):
    person = PersonFactory(
        owner_agency=world.police, age_estimate_min=18, age_estimate_max=20, age_disputed=True
    )
    assert person.presumed_minor
    services.record_age_assessment(
        person,
        actor=world.users.coordinator,
        method=AgeAssessment.Method.MULTIDISCIPLINARY,
        assessed_age_min=19,
        assessed_age_max=21,
    )
    person.refresh_from_db()
    assert not person.presumed_minor and not person.age_disputed


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"method": "guess", "assessed_age_min": 15, "assessed_age_max": 17}, "method"),
        ({"method": "medical", "assessed_age_min": 19, "assessed_age_max": 17}, "assessed_age_max"),
        ({"method": "medical", "assessed_age_min": -1, "assessed_age_max": 17}, "assessed_age_min"),
    ],
)
def test_a_bad_age_assessment_names_the_field_and_writes_nothing(world, child, fields, field):
    with pytest.raises(ValidationError) as error:
        services.record_age_assessment(child, actor=world.users.responder, **fields)
    assert field in error.value.message_dict
    assert not AgeAssessment.objects.exists()
