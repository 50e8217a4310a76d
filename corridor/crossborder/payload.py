"""What a transnational referral carries: per purpose, only the fields that purpose needs.

Field names follow HTCDS 2.0 where it has one (`prs_`, `cas_`, `vic_`); the `crd_` fields are
Corridor's where HTCDS has none (age estimate, presumption of minority, languages, documents,
needs, risk). Each field belongs to one consent data category
(corridor.cases.models.Consent.DataCategory): the consent relied on must cover the category
of every field sent.

Per purpose (`PURPOSES`):
- **return_reintegration**: identity, contact, the case's stage, kind, forms of exploitation
  and risk, the assessed needs. Never the person's account of what happened.
- **family_tracing**: identity and the last known address. Nothing about the case.
- **continued_assistance**: as return and reintegration; the account of what happened only
  when the consent covers it ("story").
- **information_for_protection**: identity, risk level and forms of exploitation; the
  account of what happened only when the consent covers it.

"Required" fields make the referral impossible without a consent covering their category;
"optional" fields go only when the consent covers theirs. Nothing else ever goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.cases.models import NEED_CHOICES, ProtectionCase
from corridor.consent.models import Consent
from corridor.people.models import Person
from corridor.people.services import HTCDS_GENDER
from corridor.vocabularies import Exploitation, Sex, country_choices

Category = Consent.DataCategory
Purpose = Consent.Purpose

# The purposes a case may be sent abroad for.
TRANSNATIONAL_PURPOSES = (
    Purpose.RETURN_REINTEGRATION,
    Purpose.FAMILY_TRACING,
    Purpose.CONTINUED_ASSISTANCE,
    Purpose.INFORMATION_FOR_PROTECTION,
)


def _latest_needs(case: ProtectionCase) -> list[str]:
    assessment = case.needs_assessments.order_by("-assessed_on", "-pk").first()
    return list(assessment.needs) if assessment else []


@dataclass(frozen=True)
class Field:
    name: str  # as sent
    category: str
    label: str
    read: Callable[[Person, ProtectionCase], object]
    person_field: str = ""  # where the receiving instance stores it, if on the person
    kind: type = str  # the JSON type the value must have (None always allowed)


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("prs_FirstName", Category.IDENTITY, gettext_lazy("Given name"), lambda p, c: p.given_name, "given_name"),
        Field("prs_SecondName", Category.IDENTITY, gettext_lazy("Family name"), lambda p, c: p.family_name, "family_name"),
        Field("crd_Aliases", Category.IDENTITY, gettext_lazy("Aliases"), lambda p, c: p.aliases, "aliases"),
        Field("prs_Gender", Category.IDENTITY, gettext_lazy("Sex"), lambda p, c: HTCDS_GENDER.get(p.sex, "Unknown"), "sex"),
        Field("prs_Birthdate", Category.IDENTITY, gettext_lazy("Date of birth"), lambda p, c: _date(p.date_of_birth), "date_of_birth"),
        Field("crd_AgeEstimateMin", Category.IDENTITY, gettext_lazy("Estimated age from"), lambda p, c: p.age_estimate_min, "age_estimate_min", int),
        Field("crd_AgeEstimateMax", Category.IDENTITY, gettext_lazy("Estimated age to"), lambda p, c: p.age_estimate_max, "age_estimate_max", int),
        Field("crd_AgeDisputed", Category.IDENTITY, gettext_lazy("Age disputed"), lambda p, c: p.age_disputed, "age_disputed", bool),
        Field("crd_PresumedMinor", Category.IDENTITY, gettext_lazy("Treated as a child (presumption of minority)"), lambda p, c: p.presumed_minor, "", bool),
        Field("prs_Citizenship", Category.IDENTITY, gettext_lazy("Nationality"), lambda p, c: p.nationality, "nationality"),
        Field("crd_Languages", Category.IDENTITY, gettext_lazy("Languages spoken"), lambda p, c: p.languages, "languages"),
        Field("prs_MobilePhone", Category.CONTACT, gettext_lazy("Phone"), lambda p, c: p.phone, "phone"),
        Field("prs_Email", Category.CONTACT, gettext_lazy("E-mail"), lambda p, c: p.email, "email"),
        Field("prs_MailingStreet", Category.CONTACT, gettext_lazy("Address"), lambda p, c: p.address, "address"),
        Field("crd_DocumentType", Category.DOCUMENTS, gettext_lazy("Document type"), lambda p, c: p.document_type, "document_type"),
        Field("crd_DocumentNumber", Category.DOCUMENTS, gettext_lazy("Document number"), lambda p, c: p.document_number, "document_number"),
        Field("crd_Narrative", Category.STORY, gettext_lazy("Account of what happened"), lambda p, c: p.narrative, "narrative"),
        Field("cas_Status", Category.CASE, gettext_lazy("Stage of the case"), lambda p, c: c.status),
        Field("crd_CaseKind", Category.CASE, gettext_lazy("Kind of case"), lambda p, c: c.kind),
        Field("vic_TypeOfExploitation", Category.CASE, gettext_lazy("Forms of exploitation"), lambda p, c: list(c.forms_of_exploitation), kind=list),
        Field("crd_RiskLevel", Category.CASE, gettext_lazy("Risk level"), lambda p, c: c.risk_level),
        Field("crd_Needs", Category.HEALTH, gettext_lazy("Assessed needs"), lambda p, c: _latest_needs(c), kind=list),
    )
}  # fmt: skip

IDENTITY = [name for name, f in FIELDS.items() if f.category == Category.IDENTITY]
CONTACT = ["prs_MobilePhone", "prs_Email", "prs_MailingStreet"]
CASE_SITUATION = ["cas_Status", "crd_CaseKind", "vic_TypeOfExploitation", "crd_RiskLevel"]
NEEDS = ["crd_Needs"]
RISK = ["crd_RiskLevel", "vic_TypeOfExploitation"]
STORY = ["crd_Narrative"]


@dataclass(frozen=True)
class PurposeFields:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


PURPOSES: dict[str, PurposeFields] = {
    Purpose.RETURN_REINTEGRATION: PurposeFields((*IDENTITY, *CONTACT, *CASE_SITUATION, *NEEDS)),
    Purpose.FAMILY_TRACING: PurposeFields((*IDENTITY, "prs_MailingStreet")),
    Purpose.CONTINUED_ASSISTANCE: PurposeFields(
        (*IDENTITY, *CONTACT, *CASE_SITUATION, *NEEDS), optional=tuple(STORY)
    ),
    Purpose.INFORMATION_FOR_PROTECTION: PurposeFields((*IDENTITY, *RISK), optional=tuple(STORY)),
}


def categories_of(names) -> list[str]:
    wanted = {FIELDS[name].category for name in names}
    return [c for c in Category.values if c in wanted]


def required_categories(purpose: str) -> list[str]:
    return categories_of(PURPOSES[purpose].required)


def fields_for(purpose: str, consent: Consent) -> tuple[list[str], list[str]]:
    """The fields sent for `purpose` under `consent`, and the optional ones left out."""
    spec = PURPOSES[purpose]
    covered = set(consent.data_categories)
    optional = [n for n in spec.optional if FIELDS[n].category in covered]
    left_out = [n for n in spec.optional if n not in optional]
    return [*spec.required, *optional], left_out


def build_record(person: Person, case: ProtectionCase, names) -> dict:
    return {name: FIELDS[name].read(person, case) for name in names}


def _coded(name: str) -> dict[str, str]:
    """Labels of the coded values a field may hold (empty for free text)."""
    if name == "cas_Status":
        return dict(ProtectionCase.Status.choices)
    if name == "crd_CaseKind":
        return dict(ProtectionCase.Kind.choices)
    if name == "crd_RiskLevel":
        return dict(ProtectionCase.Risk.choices)
    if name == "vic_TypeOfExploitation":
        return dict(Exploitation.choices)
    if name == "crd_Needs":
        return dict(NEED_CHOICES)
    if name == "crd_DocumentType":
        return dict(Person.DocumentType.choices)
    if name == "prs_Citizenship":
        return dict(country_choices())
    return {}


def _display(name: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = _coded(name)
    values = value if isinstance(value, list) else [value]
    return ", ".join(str(labels.get(v, v)) for v in values)


def labelled(record: dict) -> list[dict]:
    """The record as rows for a page: field, label, category, value, display."""
    return [
        {
            "field": name,
            "label": str(FIELDS[name].label) if name in FIELDS else name,
            "category": FIELDS[name].category if name in FIELDS else "",
            "value": value,
            "display": _display(name, value),
        }
        for name, value in record.items()
    ]


# --- on the receiving side ---------------------------------------------------------------------

GENDER_TO_SEX = {v: k for k, v in HTCDS_GENDER.items()}


def validate_incoming(purpose, categories, record) -> None:
    """Check an offered referral's content; raise ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    if purpose not in TRANSNATIONAL_PURPOSES:
        errors["purpose"] = _("Unknown purpose: {value}.").format(value=purpose)
    if not isinstance(categories, list) or set(categories) - set(Category.values):
        errors["categories"] = _("Give a list of known data categories.")
        categories = []
    if not isinstance(record, dict):
        raise ValidationError({**errors, "record": _("The record must be a JSON object.")})
    for name, value in record.items():
        field = FIELDS.get(name)
        if field is None:
            errors[name] = _("Unknown field.")
        elif field.category not in categories:
            errors[name] = _(
                "This field is outside the data categories shared ({category})."
            ).format(category=field.category)
        elif value is not None and (
            not isinstance(value, field.kind)
            or (field.kind is int and isinstance(value, bool))
            or (field.kind is list and not all(isinstance(v, str) for v in value))
        ):
            errors[name] = _("Expected a value of type {kind}.").format(kind=field.kind.__name__)
    if errors:
        raise ValidationError(errors)
    person = Person(**person_fields(record))
    try:
        person.full_clean(exclude=["owner_agency", "created_by"])
    except ValidationError as exc:
        back = {f.person_field: f.name for f in FIELDS.values() if f.person_field}
        raise ValidationError(
            {back.get(name, name): messages for name, messages in exc.message_dict.items()}
        ) from exc
    case = case_fields(record)
    if case["kind"] not in ProtectionCase.Kind.values:
        errors["crd_CaseKind"] = _("Unknown kind of case.")
    if case["risk_level"] not in ProtectionCase.Risk.values:
        errors["crd_RiskLevel"] = _("Unknown risk level.")
    bad = [code for code in case["forms_of_exploitation"] if code not in Exploitation.values]
    if bad:
        errors["vic_TypeOfExploitation"] = _("Unknown form of exploitation: {codes}.").format(
            codes=", ".join(bad)
        )
    if errors:
        raise ValidationError(errors)


def person_fields(record: dict) -> dict:
    """The person fields of corridor.people.services.register_person, from a record."""
    fields = {}
    for name, value in record.items():
        field = FIELDS.get(name)
        if field is None or not field.person_field or value is None:
            continue
        if field.person_field == "sex":
            value = GENDER_TO_SEX.get(value, Sex.UNKNOWN)
        elif field.person_field == "date_of_birth":
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise ValidationError({name: _("Give the date as YYYY-MM-DD.")}) from None
        elif field.person_field == "nationality":
            value = value.upper()
        fields[field.person_field] = value
    return fields


def case_fields(record: dict) -> dict:
    """open_case's arguments from a record (defaults where the record is silent)."""
    return {
        "kind": record.get("crd_CaseKind") or ProtectionCase.Kind.TRAFFICKING,
        "forms_of_exploitation": list(record.get("vic_TypeOfExploitation") or []),
        "risk_level": record.get("crd_RiskLevel") or ProtectionCase.Risk.MEDIUM,
    }
