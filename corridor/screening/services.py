"""Business rules of screening: score a person with a catalogue version, record the result
and its effect on the protection case, record age assessments, and administer catalogues.

Every write is one atomic function that takes the actor keyword-only, checks what the actor
may do and writes the audit trail. Screenings and age assessments are append-only.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.audit.services import Action, record_event
from corridor.cases import services as case_services
from corridor.cases.models import ProtectionCase
from corridor.core.concurrency import ConcurrentEdit
from corridor.people.models import Person
from corridor.people.services import update_person
from corridor.screening import htcds, loader, rules
from corridor.screening.models import (
    AgeAssessment,
    CaseEffect,
    Dimension,
    ExploitationType,
    Indicator,
    IndicatorCatalogue,
    ListKind,
    NextStep,
    Screening,
    list_kind_for,
    screening_reference,
)
from corridor.screening.rules import Result
from corridor.vocabularies import Exploitation, ServiceType

CaseStatus = ProtectionCase.Status
# The form of exploitation each pair of lists is about, as cases.Exploitation codes.
BASE_EXPLOITATION = {
    ExploitationType.LABOUR: Exploitation.FORCED_LABOUR,
    ExploitationType.SEXUAL: Exploitation.SEXUAL,
}
VICTIM_RESULTS = (Result.PRESUMED_VICTIM, Result.POSSIBLE_VICTIM)


# --- catalogues ---------------------------------------------------------------------------


def active_catalogue(list_kind: str) -> IndicatorCatalogue:
    """The published version offered now for this list; ValidationError if there is none."""
    catalogue = IndicatorCatalogue.objects.offered().filter(list_kind=list_kind).first()
    if catalogue is None:
        label = ListKind(list_kind).label if list_kind in ListKind.values else list_kind
        raise ValidationError(
            {"catalogue": _("No indicator list is published for {list}.").format(list=label)}
        )
    return catalogue


def catalogue_for(person: Person, exploitation: str) -> IndicatorCatalogue:
    """The list to screen this person with: the children's list while presumed a minor."""
    if exploitation not in ExploitationType.values:
        raise ValidationError({"exploitation": _("Choose labour or sexual exploitation.")})
    return active_catalogue(list_kind_for(child=person.presumed_minor, exploitation=exploitation))


def _require_administrator(actor) -> None:
    if not access.can_administer(actor):
        raise PermissionDenied(_("Only administrators change indicator lists."))


def _require_draft(catalogue: IndicatorCatalogue) -> None:
    if catalogue.published:
        raise ValidationError(
            {
                "catalogue": _(
                    "Version {version} is published and cannot change; make a new version."
                ).format(version=catalogue.version)
            }
        )


def load_catalogue(
    data: dict, *, actor=None, publish: bool = False, request: HttpRequest | None = None
) -> IndicatorCatalogue:
    """Load a catalogue document (checked first) as a new version; all or nothing.

    `actor` None is the command line (`corridor load_indicators`).
    """
    if actor is not None:
        _require_administrator(actor)
    errors = loader.validate(data)
    if errors:
        raise loader.CatalogueFileError(errors)
    if IndicatorCatalogue.objects.filter(code=data["code"], version=data["version"]).exists():
        raise loader.CatalogueFileError(
            [
                f"code {data['code']!r} version {data['version']} is already loaded: "
                "give the file a new version number"
            ]
        )
    with transaction.atomic():
        catalogue = loader.create_catalogue(
            data,
            catalogue_model=IndicatorCatalogue,
            dimension_model=Dimension,
            indicator_model=Indicator,
            created_by=actor,
        )
        record_event(
            Action.ADMIN,
            actor=actor,
            obj=catalogue,
            object_ref=str(catalogue),
            request=request,
            details={"loaded": True, "list_kind": catalogue.list_kind},
        )
        if publish:
            publish_catalogue(catalogue, actor=actor, request=request, _checked=True)
    return catalogue


def install_shipped_catalogues() -> list[IndicatorCatalogue]:
    """Load the ILO/EC lists shipped in `data/` that are missing (the data migration does
    this on `migrate`; tests that flush the database and the demo call it). Each is
    published unless a version of its list is already offered. Idempotent."""
    installed = []
    for data in loader.shipped_documents():
        if IndicatorCatalogue.objects.filter(code=data["code"], version=data["version"]).exists():
            continue
        offered = IndicatorCatalogue.objects.offered().filter(list_kind=data["list_kind"])
        installed.append(load_catalogue(data, publish=not offered.exists()))
    return installed


def copy_catalogue(
    catalogue: IndicatorCatalogue, *, actor, request: HttpRequest | None = None
) -> IndicatorCatalogue:
    """A new draft version of the same list, with the same indicators, to edit."""
    _require_administrator(actor)
    draft = IndicatorCatalogue.objects.filter(code=catalogue.code, published=False).first()
    if draft is not None:
        raise ValidationError(
            {
                "catalogue": _("Version {version} is already a draft: edit that one.").format(
                    version=draft.version
                )
            }
        )
    with transaction.atomic():
        latest = (
            IndicatorCatalogue.objects.filter(code=catalogue.code).aggregate(v=Max("version"))["v"]
            or 0
        )
        copy = IndicatorCatalogue.objects.create(
            code=catalogue.code,
            version=latest + 1,
            list_kind=catalogue.list_kind,
            name=catalogue.name,
            source=catalogue.source,
            source_note=catalogue.source_note,
            based_on=catalogue,
            created_by=actor,
        )
        indicators = []
        for dimension in catalogue.dimensions.prefetch_related("indicators"):
            new_dimension = Dimension(
                catalogue=copy, code=dimension.code, label=dimension.label, order=dimension.order
            )
            new_dimension.save()
            indicators += [
                Indicator(
                    catalogue=copy,
                    dimension=new_dimension,
                    code=i.code,
                    strength=i.strength,
                    text=i.text,
                    order=i.order,
                    methods_of_control=i.methods_of_control,
                    exploitation=i.exploitation,
                    note=i.note,
                )
                for i in dimension.indicators.all()
            ]
        Indicator.objects.bulk_create(indicators)
        record_event(
            Action.ADMIN,
            actor=actor,
            obj=copy,
            object_ref=str(copy),
            request=request,
            details={"copied_from": str(catalogue)},
        )
    return copy


def update_indicator(
    indicator: Indicator,
    *,
    actor,
    strength: str,
    text: dict[str, str],
    methods_of_control: list[str] | None = None,
    exploitation: list[str] | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Indicator:
    """Change an indicator of a draft version (its code and dimension stay)."""
    _require_administrator(actor)
    _require_draft(indicator.catalogue)
    text = {lang: t.strip() for lang, t in (text or {}).items() if t and t.strip()}
    methods = list(dict.fromkeys(methods_of_control or []))
    forms = list(dict.fromkeys(exploitation or []))
    errors = {}
    if strength not in rules.Strength.values:
        errors["strength"] = _("Choose strong, medium or weak.")
    if not text.get("en"):
        errors["text_en"] = _("The English question is required.")
    unknown_methods = [m for m in methods if m not in htcds.METHODS_OF_CONTROL]
    if unknown_methods:
        errors["methods_of_control"] = _("Unknown HTCDS methods of control: {codes}.").format(
            codes=", ".join(unknown_methods)
        )
    unknown_forms = [f for f in forms if f not in Exploitation.values]
    if unknown_forms:
        errors["exploitation"] = _("Unknown form of exploitation: {codes}.").format(
            codes=", ".join(unknown_forms)
        )
    if errors:
        raise ValidationError(errors)
    before = {"strength": indicator.strength, "text": indicator.text}
    indicator.strength = strength
    indicator.text = text
    indicator.methods_of_control = methods
    indicator.exploitation = forms
    indicator.note = note.strip()
    with transaction.atomic():
        indicator.save()
        record_event(
            Action.ADMIN,
            actor=actor,
            obj=indicator.catalogue,
            object_ref=str(indicator.catalogue),
            request=request,
            details={
                "indicator": indicator.code,
                "before": before,
                "after": {"strength": strength, "text": text},
            },
        )
    return indicator


def publish_catalogue(
    catalogue: IndicatorCatalogue,
    *,
    actor,
    request: HttpRequest | None = None,
    _checked: bool = False,
) -> IndicatorCatalogue:
    """Offer this version for new screenings; the version offered before is retired (kept
    for the screenings that used it) and this one can no longer change."""
    if not _checked:
        _require_administrator(actor)
    _require_draft(catalogue)
    now = timezone.now()
    with transaction.atomic():
        previous = list(
            IndicatorCatalogue.objects.select_for_update()
            .offered()
            .filter(list_kind=catalogue.list_kind)
        )
        for old in previous:
            old.retired_at = now
            old.save(update_fields=["retired_at"])
        updated = IndicatorCatalogue.objects.filter(pk=catalogue.pk, published=False).update(
            published=True, published_at=now, published_by=actor
        )
        if updated != 1:
            raise ValidationError({"catalogue": _("This version was published meanwhile.")})
        catalogue.refresh_from_db()
        record_event(
            Action.ADMIN,
            actor=actor,
            obj=catalogue,
            object_ref=str(catalogue),
            request=request,
            details={"published": True, "retired": [str(old) for old in previous]},
        )
    return catalogue


# --- screening ----------------------------------------------------------------------------


def screenings_visible_to(user) -> QuerySet[Screening]:
    """Screenings of the persons the user may see; nothing for analysts and administrators."""
    return Screening.objects.filter(person__in=access.persons_visible_to(user))


def get_screening_for_user(user, reference: str) -> Screening:
    screening = (
        screenings_visible_to(user)
        .select_related("person", "catalogue", "agency", "screened_by", "case")
        .filter(reference=reference)
        .first()
    )
    if screening is None:
        raise Http404("No such record.")
    return screening


def view_screening(screening: Screening, *, actor, request: HttpRequest | None = None) -> None:
    record_event(
        Action.VIEW,
        actor=actor,
        obj=screening,
        request=request,
        details={"person": screening.person.reference},
    )


def _validated_answers(catalogue: IndicatorCatalogue, answers, codes: list[str]) -> dict:
    if not isinstance(answers, dict):
        raise ValidationError(
            {"answers": _("Answers must map indicator codes to yes, no or null.")}
        )
    unknown = sorted(str(code) for code in answers if code not in set(codes))
    if unknown:
        raise ValidationError(
            {
                "answers": _("Unknown indicator codes for {catalogue}: {codes}.").format(
                    catalogue=catalogue, codes=", ".join(unknown)
                )
            }
        )
    bad = sorted(code for code, value in answers.items() if value not in (True, False, None))
    if bad:
        raise ValidationError(
            {
                "answers": _(
                    "Answer yes (true), no (false) or unknown (null) for: {codes}."
                ).format(codes=", ".join(bad))
            }
        )
    return {code: answers.get(code) for code in codes}


def _check_catalogue(
    catalogue: IndicatorCatalogue, person: Person, screened_at: datetime | None = None
) -> None:
    if not catalogue.published:
        raise ValidationError(
            {
                "catalogue": _("{catalogue} is a draft: screen with a published list.").format(
                    catalogue=catalogue
                )
            }
        )
    # A phone form filled in before the list was replaced is still a valid screening.
    collected_before_retirement = screened_at is not None and (
        catalogue.retired_at is not None and screened_at < catalogue.retired_at
    )
    if catalogue.retired_at is not None and not collected_before_retirement:
        raise ValidationError(
            {
                "catalogue": _("{catalogue} was replaced by a newer version: use that one.").format(
                    catalogue=catalogue
                )
            }
        )
    if person.presumed_minor and not catalogue.is_child:
        raise ValidationError(
            {
                "catalogue": _(
                    "{person} is treated as a child (age under 18, unknown or disputed): screen "
                    "with the children's list for {exploitation}."
                ).format(
                    person=person.reference,
                    exploitation=ExploitationType(catalogue.exploitation).label,
                )
            }
        )
    if not person.presumed_minor and catalogue.is_child:
        raise ValidationError(
            {
                "catalogue": _(
                    "{person} is recorded as an adult: screen with the adults' list."
                ).format(person=person.reference)
            }
        )


def forms_of_exploitation(
    catalogue: IndicatorCatalogue, indicators: dict[str, Indicator], present: list[str]
) -> list[str]:
    """Public so that the demo seed (`corridor.demo.answers`) records the same forms as
    `screen_person` without a database: any objects with the same attributes will do."""
    forms = [BASE_EXPLOITATION[catalogue.exploitation]]
    for code in present:
        forms += indicators[code].exploitation
    return list(dict.fromkeys(str(f) for f in forms))


def htcds_coding(
    result: str, actor, indicators: dict[str, Indicator], present: list[str], forms: list[str]
) -> dict:
    """Public so that the demo seed codes its screenings exactly as `screen_person` does
    (`actor` needs only `.agency`); not `htcds`, which is the vocabulary module."""
    methods = {m for code in present for m in indicators[code].methods_of_control}
    victim = result in VICTIM_RESULTS
    return {
        "vic_TraffickingStatus": htcds.POSSIBLE_VICTIM if victim else None,
        "vic_TraffickingStatusDecisionMakingOrg": (
            htcds.decision_making_org(actor.agency) if victim else None
        ),
        "vic_MethodsOfControl": [m for m in htcds.METHODS_OF_CONTROL if m in methods],
        "vic_TypeOfExploitation": htcds.types_of_exploitation(forms) if victim else [],
        "cor_ScreeningResult": result,
    }


def next_step(result: str, child: bool) -> tuple[str, str]:
    """Public so that the demo seed and its tests suggest the same next step and service
    as `screen_person`, from the result alone."""
    if child:
        return NextStep.CHILD_PROTECTION, ServiceType.CHILD_PROTECTION
    return {
        Result.PRESUMED_VICTIM: (NextStep.REFER_TO_SERVICES, ServiceType.SHELTER),
        Result.POSSIBLE_VICTIM: (NextStep.FURTHER_ASSESSMENT, ""),
        Result.SMUGGLED_MIGRANT: (NextStep.SMUGGLING_ASSISTANCE, ""),
    }.get(result, (NextStep.INFORM, ""))


def _confirm_or_propose(
    case: ProtectionCase, *, actor, reference: str, request: HttpRequest | None
) -> str:
    """Move the case to presumed victim if the actor's role may (an NRM coordinator);
    otherwise propose it to the coordinators, who confirm and are told. Never fails the
    screening: what happened is returned as a CaseEffect."""
    note = _("Screening {reference}: presumed victim of trafficking.").format(reference=reference)
    try:
        case_services.change_case_status(
            case,
            actor=actor,
            status=CaseStatus.PRESUMED_VICTIM,
            expected_version=case.version,
            request=request,
            note=note,
        )
    except PermissionDenied:
        pass
    except (ValidationError, ConcurrentEdit):
        return CaseEffect.NOT_PERMITTED
    else:
        return CaseEffect.MOVED
    try:
        case_services.propose_presumed_victim(case, actor=actor, note=note, request=request)
    except (PermissionDenied, ValidationError):
        return CaseEffect.NOT_PERMITTED
    return CaseEffect.PROPOSED


def _apply_to_case(
    person: Person,
    *,
    actor,
    result: str,
    forms: list[str],
    reference: str,
    request: HttpRequest | None,
) -> tuple[ProtectionCase | None, str, bool]:
    """Open or move the person's protection case as the result requires.

    Returns the case, the effect on its stage and whether it was opened now.
    """
    if result == Result.NO_INDICATORS:
        return None, CaseEffect.NONE, False
    kind = (
        ProtectionCase.Kind.SMUGGLING
        if result == Result.SMUGGLED_MIGRANT
        else ProtectionCase.Kind.TRAFFICKING
    )
    open_cases = (
        access.cases_visible_to(actor)
        .filter(person=person)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("owner_agency", "coordinator")
        .order_by("-opened_at", "-pk")
    )
    case = open_cases.filter(kind=kind).first()
    if case is None and kind == ProtectionCase.Kind.SMUGGLING:
        case = open_cases.first()  # a trafficking case already covers a smuggled person
    effect = CaseEffect.EXISTING
    if case is None:
        case = case_services.open_case(
            person,
            actor=actor,
            kind=kind,
            forms_of_exploitation=forms if kind == ProtectionCase.Kind.TRAFFICKING else [],
            request=request,
        )
        effect = CaseEffect.OPENED
    opened = effect == CaseEffect.OPENED
    if result == Result.PRESUMED_VICTIM and case.status == CaseStatus.IDENTIFIED:
        effect = _confirm_or_propose(case, actor=actor, reference=reference, request=request)
    return case, effect, opened


def screen_person(
    person: Person,
    *,
    actor,
    catalogue: IndicatorCatalogue,
    answers: dict[str, bool | None],
    smuggling: bool = False,
    location: str = "",
    notes: str = "",
    screened_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> Screening:
    """Score the answers with this catalogue version and record a new screening.

    `screened_at` is when the screening happened, for forms collected offline and imported
    later (not in the future; default now).
    `answers` maps indicator codes to True (present), False (absent) or None (unknown);
    codes left out are unknown. `smuggling` records that the person paid a smuggler or
    crossed irregularly and is vulnerable or has needs. A person presumed to be a minor
    must be screened with a children's list; the result then requires a guardian and a
    child-protection referral. Earlier screenings are never changed.
    """
    if not access.can_change_person(actor, person):
        raise PermissionDenied(_("You may not screen this person."))
    if screened_at is not None and screened_at > timezone.now():
        raise ValidationError({"screened_at": _("A screening cannot be dated in the future.")})
    _check_catalogue(catalogue, person, screened_at)
    indicators = {
        i.code: i
        for i in catalogue.indicators.select_related("dimension").order_by(
            "dimension__order", "order", "pk"
        )
    }
    full_answers = _validated_answers(catalogue, answers, list(indicators))
    child = person.presumed_minor
    specs = [
        rules.IndicatorSpec(i.code, i.dimension.code, i.strength, i.text)
        for i in indicators.values()
    ]
    evaluation = rules.evaluate(specs, full_answers, child=child, smuggling=bool(smuggling))
    present = [i.code for i in evaluation.present]
    forms = forms_of_exploitation(catalogue, indicators, present)
    step, service = next_step(evaluation.result, child)
    reference = screening_reference()
    with transaction.atomic():
        case, effect, opened = _apply_to_case(
            person,
            actor=actor,
            result=evaluation.result,
            forms=forms,
            reference=reference,
            request=request,
        )
        screening = Screening.objects.create(
            reference=reference,
            person=person,
            catalogue=catalogue,
            agency_id=actor.agency_id,
            screened_by=actor,
            location=(location or "").strip(),
            notes=(notes or "").strip(),
            answers=full_answers,
            smuggling=bool(smuggling),
            result=evaluation.result,
            rule=evaluation.rule,
            explanation=evaluation.as_dict(),
            screened_at=screened_at or timezone.now(),
            treated_as_child=child,
            guardian_required=child,
            next_step=step,
            suggested_service=service,
            case=case,
            case_opened=opened,
            case_effect=effect,
            htcds=htcds_coding(evaluation.result, actor, indicators, present, forms),
        )
        record_event(
            Action.CREATE,
            actor=actor,
            obj=screening,
            request=request,
            details={
                "person": person.reference,
                "catalogue": str(catalogue),
                "result": evaluation.result,
                "treated_as_child": child,
                "case": case.reference if case else None,
                "case_effect": effect,
                "case_opened": opened,
            },
        )
    return screening


# --- age assessment -----------------------------------------------------------------------


def record_age_assessment(
    person: Person,
    *,
    actor,
    method: str,
    assessed_age_min: int,
    assessed_age_max: int,
    notes: str = "",
    request: HttpRequest | None = None,
) -> AgeAssessment:
    """Record an age assessment and carry its estimate onto the person's record.

    Until an assessment concludes under 18 (max < 18) or 18 or over (min >= 18), the
    presumption of minority stands. Earlier assessments are never changed.
    """
    if not access.can_change_person(actor, person):
        raise PermissionDenied(_("You may not record an age assessment for this person."))
    errors = {}
    if method not in AgeAssessment.Method.values:
        errors["method"] = _("Choose how the age was assessed.")
    for name, value in (
        ("assessed_age_min", assessed_age_min),
        ("assessed_age_max", assessed_age_max),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
            errors[name] = _("Give an age in whole years between 0 and 120.")
    if not errors and assessed_age_min > assessed_age_max:
        errors["assessed_age_max"] = _("The upper age must not be below the lower one.")
    if errors:
        raise ValidationError(errors)
    conclusion = AgeAssessment.conclude(assessed_age_min, assessed_age_max)
    if person.date_of_birth is not None and conclusion != AgeAssessment.Conclusion.UNDETERMINED:
        if (person.age < 18) != (conclusion == AgeAssessment.Conclusion.CHILD):
            raise ValidationError(
                {
                    "assessed_age_min": _(
                        "The recorded date of birth contradicts this assessment: correct the "
                        "date of birth first."
                    )
                }
            )
    changes = {"age_estimate_min": assessed_age_min, "age_estimate_max": assessed_age_max}
    if conclusion != AgeAssessment.Conclusion.UNDETERMINED:
        changes["age_disputed"] = False
    with transaction.atomic():
        assessment = AgeAssessment.objects.create(
            person=person,
            method=method,
            assessed_age_min=assessed_age_min,
            assessed_age_max=assessed_age_max,
            conclusion=conclusion,
            agency_id=actor.agency_id,
            assessed_by=actor,
            notes=(notes or "").strip(),
        )
        update_person(
            person, actor=actor, expected_version=person.version, request=request, **changes
        )
        record_event(
            Action.CREATE,
            actor=actor,
            obj=assessment,
            object_ref=str(assessment.pk),
            request=request,
            details={
                "person": person.reference,
                "method": method,
                "assessed_age": [assessed_age_min, assessed_age_max],
                "conclusion": conclusion,
            },
        )
    return assessment
