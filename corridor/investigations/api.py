"""API: criminal cases and their file, behind the same wall as the pages.

Only the investigators and prosecutors of the owning agency, and the prosecutors of the
office a case was referred to, see a criminal case; anyone else gets 404 for it and an empty
list. Reading a case is audited; a stage change needs the `version` read with it (409
otherwise); bad input answers 422 naming the field and writes nothing.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.api import AgencyRef
from corridor.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, Pagination, one_of
from corridor.consent.models import Consent
from corridor.investigations import services
from corridor.investigations.models import (
    MONEY_DIGITS,
    TITLE_MAX_LENGTH,
    Asset,
    CaseSuspect,
    Charge,
    CompensationOrder,
    CriminalCase,
    LegalBasis,
    OffenceKind,
    ProtectiveMeasure,
    Stage,
    Verdict,
    Witness,
)
from corridor.vocabularies import Exploitation, Sex

router = Router(tags=["investigations"])

# Ids and amounts the databases can hold: anything larger is refused as invalid input.
Id = Field(ge=1, le=2**63 - 1)
Money = Field(max_digits=MONEY_DIGITS, decimal_places=2)


def _codes(choices) -> str:
    return ", ".join(choices.values)


# --- schemas --------------------------------------------------------------------------------


class OffenceOut(Schema):
    id: int
    kind: str = Field(description="One of: " + _codes(OffenceKind) + ".")
    form_of_exploitation: str = Field(description="For trafficking: " + _codes(Exploitation))
    description: str


class CriminalCaseOut(Schema):
    reference: str = Field(description="e.g. K-1A2B3C4D.")
    title: str
    summary: str
    court_reference: str
    owner_agency: AgencyRef
    prosecutor_agency: AgencyRef | None
    stage: str = Field(description="One of: " + _codes(Stage) + ".")
    investigation_on: date
    prosecution_on: date | None
    trial_on: date | None
    verdict_on: date | None
    appeal_on: date | None
    final_on: date | None
    discontinued_on: date | None
    offences: list[OffenceOut]
    incidents: list[str] = Field(description="References of the incidents the case covers.")
    opened_at: datetime
    version: int = Field(description="Send it back with a stage change (optimistic locking).")

    @staticmethod
    def resolve_offences(kcase: CriminalCase):
        return list(kcase.offences.all())

    @staticmethod
    def resolve_incidents(kcase: CriminalCase) -> list[str]:
        return [link.incident.reference for link in kcase.incident_links.all()]


class CriminalCaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    summary: str = Field("", max_length=20_000)
    court_reference: str = Field("", max_length=60)
    prosecutor_agency_id: int | None = Field(None, ge=1, le=2**63 - 1)
    offence_kind: one_of(OffenceKind) = OffenceKind.TRAFFICKING.value
    form_of_exploitation: one_of(Exploitation) | None = None
    incident: str | None = Field(None, max_length=20, description="An incident's reference.")


class StageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stage: one_of(Stage)
    version: int = Field(description="The case's version when you read it.")
    on: date | None = Field(None, description="When the case reached the stage; today if empty.")
    note: str = Field("", max_length=5_000)
    prosecutor_agency_id: int | None = Field(None, ge=1, le=2**63 - 1)


class OffenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: one_of(OffenceKind)
    form_of_exploitation: one_of(Exploitation) | None = None
    description: str = Field("", max_length=5_000)


class IncidentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    incident: str = Field(max_length=20, description="An incident's reference.")


class CaseSuspectOut(Schema):
    id: int
    suspect_reference: str
    names: str
    aliases: str
    sex: str
    nationality: str
    role: str = Field(description="One of: " + _codes(CaseSuspect.Role) + ".")
    level: str = Field(description="UNODC's level: " + _codes(CaseSuspect.Level) + ".")
    notes: str
    charged: bool = Field(description="True once charged: a defendant.")

    @staticmethod
    def resolve_suspect_reference(link: CaseSuspect) -> str:
        return link.suspect.reference

    @staticmethod
    def resolve_names(link: CaseSuspect) -> str:
        return link.suspect.names

    @staticmethod
    def resolve_aliases(link: CaseSuspect) -> str:
        return link.suspect.aliases

    @staticmethod
    def resolve_sex(link: CaseSuspect) -> str:
        return link.suspect.sex

    @staticmethod
    def resolve_nationality(link: CaseSuspect) -> str:
        return link.suspect.nationality

    @staticmethod
    def resolve_charged(link: CaseSuspect) -> bool:
        return bool(link.charges.all())


class CaseSuspectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    suspect: str | None = Field(
        None, max_length=20, description="A known suspect's reference; or give names below."
    )
    names: str = Field("", max_length=200)
    aliases: str = Field("", max_length=200)
    sex: one_of(Sex) | None = None
    nationality: str = Field("", max_length=2, description="ISO 3166-1 alpha-2.")
    role: one_of(CaseSuspect.Role)
    level: one_of(CaseSuspect.Level)
    notes: str = Field("", max_length=5_000)


class VerdictOut(Schema):
    id: int
    instance: str = Field(description="One of: " + _codes(Verdict.Instance) + ".")
    outcome: str = Field(description="One of: " + _codes(Verdict.Outcome) + ".")
    decided_on: date
    court: str
    prison_months: int | None
    suspended: bool
    fine_amount: Decimal | None
    fine_currency: str


class ChargeOut(Schema):
    id: int
    defendant_id: int
    defendant_reference: str
    offence_id: int
    offence: str = Field(description="The offence's kind: " + _codes(OffenceKind) + ".")
    legal_provision: str
    charged_on: date
    outcome: str = Field(description="One of: " + _codes(Charge.Outcome) + ".")
    verdicts: list[VerdictOut]

    @staticmethod
    def resolve_defendant_reference(charge: Charge) -> str:
        return charge.defendant.suspect.reference

    @staticmethod
    def resolve_offence(charge: Charge) -> str:
        return charge.offence.kind

    @staticmethod
    def resolve_verdicts(charge: Charge):
        return list(charge.verdicts.all())


class ChargeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    defendant_id: int = Id
    offence_id: int = Id
    legal_provision: str = Field("", max_length=200)
    charged_on: date | None = None


class VerdictIn(Schema):
    model_config = ConfigDict(extra="forbid")

    instance: one_of(Verdict.Instance) = Verdict.Instance.FIRST.value
    outcome: one_of(Verdict.Outcome)
    decided_on: date
    court: str = Field("", max_length=200)
    prison_months: int | None = Field(None, ge=0, le=2400)
    suspended: bool = False
    fine_amount: Decimal | None = Money
    fine_currency: str = Field("", max_length=3, description="ISO 4217, e.g. EUR, XOF, NGN.")
    notes: str = Field("", max_length=5_000)


class AssetOut(Schema):
    id: int
    kind: str = Field(description="One of: " + _codes(Asset.Kind) + ".")
    description: str
    value: Decimal
    currency: str = Field(description="ISO 4217.")
    status: str = Field(description="One of: " + _codes(Asset.Status) + ".")
    seized_on: date
    confiscated_on: date | None
    victims_share: Decimal | None
    share_to: str = Field(description="One of: " + _codes(Asset.ShareTo) + ", or ''.")
    held_by_id: int | None
    version: int


class AssetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: one_of(Asset.Kind)
    description: str = Field("", max_length=5_000)
    value: Decimal = Money
    currency: str = Field(max_length=3, description="ISO 4217, e.g. EUR, XOF, NGN.")
    status: one_of(Asset.Status) = Asset.Status.SEIZED.value
    seized_on: date | None = None
    confiscated_on: date | None = None
    victims_share: Decimal | None = Money
    share_to: one_of(Asset.ShareTo) | None = None
    held_by_id: int | None = Field(None, ge=1, le=2**63 - 1)


class CompensationOut(Schema):
    id: int
    beneficiary: str
    payer_id: int | None
    amount_ordered: Decimal
    amount_paid: Decimal
    currency: str
    ordered_on: date
    last_paid_on: date | None
    version: int


class CompensationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    beneficiary: str = Field(min_length=1, max_length=200)
    amount_ordered: Decimal = Money
    currency: str = Field(max_length=3, description="ISO 4217.")
    ordered_on: date
    payer_id: int | None = Field(None, ge=1, le=2**63 - 1)


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Money
    paid_on: date
    version: int = Field(description="The order's version when you read it.")


# --- criminal cases ---------------------------------------------------------------------------


def _cases(user):
    return (
        access.criminal_cases_visible_to(user)
        .select_related("owner_agency", "prosecutor_agency")
        .prefetch_related("offences", "incident_links__incident")
    )


def _case(request, reference: str, *, for_change: bool = False) -> CriminalCase:
    return access.get_criminal_case_for_user(request.user, reference, for_change=for_change)


def _fresh(request, kcase: CriminalCase) -> CriminalCase:
    return _cases(request.user).get(pk=kcase.pk)


@router.get(
    "/criminal-cases",
    response={200: list[CriminalCaseOut], 401: ErrorOut},
    summary="Criminal cases visible to you (investigators and prosecutors only)",
)
@paginate(Pagination)
def criminal_case_list(request: HttpRequest, stage: one_of(Stage) | None = None):
    cases = _cases(request.user)
    if stage:
        cases = cases.filter(stage=stage)
    return cases.order_by("-opened_at", "-pk")


@router.get(
    "/criminal-cases/{reference}",
    response={200: CriminalCaseOut, **READ_ERRORS},
    summary="One criminal case (the read is audited)",
)
def criminal_case_detail(request: HttpRequest, reference: str):
    kcase = _case(request, reference)
    services.view_criminal_case(kcase, actor=request.user, request=request)
    return _fresh(request, kcase)


@router.post(
    "/criminal-cases",
    response={201: CriminalCaseOut, **WRITE_ERRORS},
    summary="Open a criminal case, owned by your agency (optionally from an incident)",
)
def criminal_case_open(request: HttpRequest, payload: CriminalCaseIn):
    incident = None
    if payload.incident:
        incident = access.get_incident_for_user(request.user, payload.incident.replace("\x00", ""))
    kcase = services.open_criminal_case(
        actor=request.user,
        request=request,
        incident=incident,
        title=payload.title,
        summary=payload.summary,
        court_reference=payload.court_reference,
        prosecutor_agency=payload.prosecutor_agency_id,
        offence_kind=payload.offence_kind,
        form_of_exploitation=payload.form_of_exploitation or "",
    )
    return Status(201, _fresh(request, kcase))


@router.post(
    "/criminal-cases/{reference}/stage",
    response={200: CriminalCaseOut, **WRITE_ERRORS},
    summary="Move a criminal case to another stage",
)
def criminal_case_stage(request: HttpRequest, reference: str, payload: StageIn):
    kcase = _case(request, reference, for_change=True)
    services.move_stage(
        kcase,
        actor=request.user,
        request=request,
        stage=payload.stage,
        on=payload.on,
        note=payload.note,
        prosecutor_agency=payload.prosecutor_agency_id,
        expected_version=payload.version,
    )
    return _fresh(request, kcase)


@router.post(
    "/criminal-cases/{reference}/offences",
    response={201: OffenceOut, **WRITE_ERRORS},
    summary="Add an offence to a criminal case",
)
def offence_add(request: HttpRequest, reference: str, payload: OffenceIn):
    kcase = _case(request, reference, for_change=True)
    offence = services.add_offence(
        kcase,
        actor=request.user,
        request=request,
        kind=payload.kind,
        form_of_exploitation=payload.form_of_exploitation or "",
        description=payload.description,
    )
    return Status(201, offence)


@router.post(
    "/criminal-cases/{reference}/incidents",
    response={200: CriminalCaseOut, **WRITE_ERRORS},
    summary="Add an incident the criminal case covers",
)
def incident_add(request: HttpRequest, reference: str, payload: IncidentIn):
    kcase = _case(request, reference, for_change=True)
    services.cover_incident(kcase, actor=request.user, request=request, incident=payload.incident)
    return _fresh(request, kcase)


# --- suspects, charges, verdicts ----------------------------------------------------------------


def _suspects(kcase: CriminalCase):
    return kcase.suspects.select_related("suspect").prefetch_related("charges")


@router.get(
    "/criminal-cases/{reference}/suspects",
    response={200: list[CaseSuspectOut], **READ_ERRORS},
    summary="The suspects and defendants of a criminal case",
)
def suspect_list(request: HttpRequest, reference: str):
    return list(_suspects(_case(request, reference)))


@router.post(
    "/criminal-cases/{reference}/suspects",
    response={201: CaseSuspectOut, **WRITE_ERRORS},
    summary="Add a suspect (known, or new) with role and level",
)
def suspect_add(request: HttpRequest, reference: str, payload: CaseSuspectIn):
    kcase = _case(request, reference, for_change=True)
    fields = {}
    if not payload.suspect:
        fields = {
            "names": payload.names,
            "aliases": payload.aliases,
            "sex": payload.sex or "",
            "nationality": payload.nationality,
        }
    link = services.add_suspect(
        kcase,
        actor=request.user,
        request=request,
        suspect=payload.suspect,
        role=payload.role,
        level=payload.level,
        notes=payload.notes,
        **fields,
    )
    return Status(201, _suspects(kcase).get(pk=link.pk))


def _charges(kcase: CriminalCase):
    return (
        Charge.objects.filter(defendant__criminal_case=kcase)
        .select_related("defendant__suspect", "offence")
        .prefetch_related("verdicts")
        .order_by("recorded_at", "pk")
    )


@router.get(
    "/criminal-cases/{reference}/charges",
    response={200: list[ChargeOut], **READ_ERRORS},
    summary="The charges of a criminal case, with their verdicts",
)
def charge_list(request: HttpRequest, reference: str):
    return list(_charges(_case(request, reference)))


@router.post(
    "/criminal-cases/{reference}/charges",
    response={201: ChargeOut, **WRITE_ERRORS},
    summary="Charge a suspect of the case with one of its offences",
)
def charge_add(request: HttpRequest, reference: str, payload: ChargeIn):
    kcase = _case(request, reference, for_change=True)
    defendant = get_object_or_404(CaseSuspect, criminal_case=kcase, pk=payload.defendant_id)
    charge = services.bring_charge(
        defendant,
        actor=request.user,
        request=request,
        offence=payload.offence_id,
        legal_provision=payload.legal_provision,
        charged_on=payload.charged_on,
    )
    return Status(201, _charges(kcase).get(pk=charge.pk))


@router.post(
    "/criminal-cases/{reference}/charges/{charge_id}/verdicts",
    response={201: ChargeOut, **WRITE_ERRORS},
    summary="Record a verdict (and sentence) on a charge",
)
def verdict_add(request: HttpRequest, reference: str, charge_id: int, payload: VerdictIn):
    kcase = _case(request, reference, for_change=True)
    if not 0 < charge_id < 2**63:
        raise Http404
    charge = get_object_or_404(_charges(kcase), pk=charge_id)
    services.record_verdict(
        charge,
        actor=request.user,
        request=request,
        outcome=payload.outcome,
        decided_on=payload.decided_on,
        instance=payload.instance,
        court=payload.court,
        prison_months=payload.prison_months,
        suspended=payload.suspended,
        fine_amount=payload.fine_amount,
        fine_currency=payload.fine_currency,
        notes=payload.notes,
    )
    return Status(201, _charges(kcase).get(pk=charge.pk))


# --- assets and compensation ------------------------------------------------------------------


@router.get(
    "/criminal-cases/{reference}/assets",
    response={200: list[AssetOut], **READ_ERRORS},
    summary="Assets seized and confiscated in a criminal case",
)
def asset_list(request: HttpRequest, reference: str):
    return list(_case(request, reference).assets.all())


@router.post(
    "/criminal-cases/{reference}/assets",
    response={201: AssetOut, **WRITE_ERRORS},
    summary="Record a seized, frozen or confiscated asset",
)
def asset_add(request: HttpRequest, reference: str, payload: AssetIn):
    kcase = _case(request, reference, for_change=True)
    asset = services.record_asset(
        kcase,
        actor=request.user,
        request=request,
        kind=payload.kind,
        description=payload.description,
        value=payload.value,
        currency=payload.currency,
        status=payload.status,
        seized_on=payload.seized_on,
        confiscated_on=payload.confiscated_on,
        victims_share=payload.victims_share,
        share_to=payload.share_to or "",
        held_by=payload.held_by_id,
    )
    return Status(201, asset)


@router.get(
    "/criminal-cases/{reference}/compensation",
    response={200: list[CompensationOut], **READ_ERRORS},
    summary="Compensation ordered for victims and what was paid",
)
def compensation_list(request: HttpRequest, reference: str):
    return list(_case(request, reference).compensation_orders.all())


@router.post(
    "/criminal-cases/{reference}/compensation",
    response={201: CompensationOut, **WRITE_ERRORS},
    summary="Record a compensation order",
)
def compensation_add(request: HttpRequest, reference: str, payload: CompensationIn):
    kcase = _case(request, reference, for_change=True)
    order = services.order_compensation(
        kcase,
        actor=request.user,
        request=request,
        beneficiary=payload.beneficiary,
        amount_ordered=payload.amount_ordered,
        currency=payload.currency,
        ordered_on=payload.ordered_on,
        payer=payload.payer_id,
    )
    return Status(201, order)


@router.post(
    "/criminal-cases/{reference}/compensation/{order_id}/payments",
    response={200: CompensationOut, **WRITE_ERRORS},
    summary="Record a payment towards a compensation order",
)
def payment_add(request: HttpRequest, reference: str, order_id: int, payload: PaymentIn):
    kcase = _case(request, reference, for_change=True)
    if not 0 < order_id < 2**63:
        raise Http404
    order = get_object_or_404(CompensationOrder, criminal_case=kcase, pk=order_id)
    return services.record_compensation_payment(
        order,
        actor=request.user,
        request=request,
        amount=payload.amount,
        paid_on=payload.paid_on,
        expected_version=payload.version,
    )


# --- victims as witnesses -------------------------------------------------------------------
#
# A witness is asked for by person reference, through her consent for criminal proceedings or
# a legal basis of the case (422 naming `consent` otherwise, the same whether the reference
# exists or not). What the case reads of her is the window computed at each read: `categories`
# and `bases`, with only the person data those categories open; each read is audited and shown
# to the protection coordinator. A revoked consent or an expired legal basis closes it at once.


class MeasureOut(Schema):
    id: int
    kind: str = Field(description="One of: " + _codes(ProtectiveMeasure.Kind) + ".")
    status: str = Field(description="One of: " + _codes(ProtectiveMeasure.Status) + ".")
    requested_on: date
    decided_on: date | None
    ended_on: date | None
    authority: str
    version: int


class WitnessOut(Schema):
    reference: str = Field(description="e.g. W-1A2B3C4D.")
    person_reference: str
    status: str = Field(description="One of: " + _codes(Witness.Status) + ".")
    consent_id: int | None = Field(description="The consent she was called through.")
    legal_basis: str | None = Field(description="Or the legal basis's reference.")
    window_open: bool = Field(description="Whether any consent or legal basis stands now.")
    categories: list[str] = Field(description="The data categories the window opens now.")
    bases: list[str] = Field(description="What opens it: consent:<id>, legal_basis:<ref>.")
    person: dict[str, str | int | bool | list | None] = Field(
        description="Her data in the opened categories only; empty when the window is closed."
    )
    measures: list[MeasureOut]
    version: int


class WitnessIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: str = Field(max_length=20, description="Her person reference, exactly.")
    consent_id: int | None = Field(None, ge=1, le=2**63 - 1)
    legal_basis: str | None = Field(None, max_length=20, description="A legal basis reference.")


class WitnessStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["active", "declined", "withdrawn"]
    version: int = Field(description="The witness's version when you read it.")
    note: str = Field("", max_length=5_000)


class MeasureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: one_of(ProtectiveMeasure.Kind)
    status: Literal["requested", "granted", "refused"] = "requested"
    requested_on: date | None = None
    decided_on: date | None = None
    authority: str = Field("", max_length=200)


class MeasureStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: one_of(ProtectiveMeasure.Status)
    version: int = Field(description="The measure's version when you read it.")
    on: date | None = None
    authority: str = Field("", max_length=200)


class LegalBasisOut(Schema):
    reference: str = Field(description="e.g. LB-1A2B3C4D.")
    person_reference: str
    kind: str = Field(description="One of: " + _codes(LegalBasis.Kind) + ".")
    issued_by: str
    issuer_reference: str
    valid_until: date
    data_categories: list[str]
    recorded_at: datetime
    revoked_at: datetime | None

    @staticmethod
    def resolve_person_reference(basis: LegalBasis) -> str:
        return basis.person.reference


class LegalBasisIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: str = Field(max_length=20, description="The person reference it concerns.")
    kind: one_of(LegalBasis.Kind)
    issued_by: str = Field(min_length=1, max_length=200)
    issuer_reference: str = Field(min_length=1, max_length=100)
    valid_until: date
    data_categories: list[one_of(Consent.DataCategory)] = Field(min_length=1, max_length=6)


def _person_data(person, categories) -> dict:
    data = {}
    for category in sorted(categories):
        for name in access.PERSON_FIELDS_BY_CATEGORY.get(category, ()):
            value = getattr(person, name)
            data[name] = value.isoformat() if isinstance(value, date) else value
    return data


def _witness_out(witness: Witness, window) -> dict:
    return {
        "reference": witness.reference,
        "person_reference": witness.person.reference,
        "status": witness.status,
        "consent_id": witness.consent_id,
        "legal_basis": witness.legal_basis.reference if witness.legal_basis_id else None,
        "window_open": bool(window),
        "categories": sorted(window.categories),
        "bases": window.basis_labels,
        "person": _person_data(witness.person, window.categories) if window else {},
        "measures": list(witness.measures.all()),
        "version": witness.version,
    }


def _witnesses(kcase: CriminalCase):
    return kcase.witnesses.select_related("person", "legal_basis").prefetch_related("measures")


def _one_witness(kcase: CriminalCase, witness_reference: str) -> Witness:
    return get_object_or_404(
        _witnesses(kcase), reference=witness_reference.strip().upper().replace("\x00", "")
    )


def _read(request, kcase, witnesses) -> list[dict]:
    windows = services.view_witnesses(kcase, witnesses, actor=request.user, request=request)
    return [_witness_out(w, windows[w.pk]) for w in witnesses]


@router.get(
    "/criminal-cases/{reference}/witnesses",
    response={200: list[WitnessOut], **READ_ERRORS},
    summary="The witnesses of a criminal case, each with the window on her data (audited)",
)
def witness_list(request: HttpRequest, reference: str):
    kcase = _case(request, reference)
    return _read(request, kcase, list(_witnesses(kcase)))


@router.get(
    "/criminal-cases/{reference}/witnesses/{witness_reference}",
    response={200: WitnessOut, **READ_ERRORS},
    summary="One witness and the data her consent or a legal basis opens (audited)",
)
def witness_detail(request: HttpRequest, reference: str, witness_reference: str):
    kcase = _case(request, reference)
    return _read(request, kcase, [_one_witness(kcase, witness_reference)])[0]


@router.post(
    "/criminal-cases/{reference}/witnesses",
    response={201: WitnessOut, **WRITE_ERRORS},
    summary="Ask for a victim as witness: refused (422, `consent`) without consent or legal basis",
)
def witness_add(request: HttpRequest, reference: str, payload: WitnessIn):
    kcase = _case(request, reference, for_change=True)
    witness = services.request_witness(
        kcase,
        actor=request.user,
        request=request,
        person=payload.person.replace("\x00", ""),
        consent=payload.consent_id,
        legal_basis=(payload.legal_basis or "").replace("\x00", "") or None,
    )
    return Status(201, _read(request, kcase, [_witnesses(kcase).get(pk=witness.pk)])[0])


@router.post(
    "/criminal-cases/{reference}/witnesses/{witness_reference}/status",
    response={200: WitnessOut, **WRITE_ERRORS},
    summary="She testifies, declines to testify (her protection does not change), or is withdrawn",
)
def witness_status(
    request: HttpRequest, reference: str, witness_reference: str, payload: WitnessStatusIn
):
    kcase = _case(request, reference, for_change=True)
    witness = _one_witness(kcase, witness_reference)
    action = {
        "active": services.confirm_witness,
        "declined": services.decline_to_testify,
        "withdrawn": services.withdraw_witness,
    }[payload.status]
    action(
        witness,
        actor=request.user,
        request=request,
        expected_version=payload.version,
        note=payload.note,
    )
    return _read(request, kcase, [_witnesses(kcase).get(pk=witness.pk)])[0]


@router.post(
    "/criminal-cases/{reference}/witnesses/{witness_reference}/measures",
    response={201: MeasureOut, **WRITE_ERRORS},
    summary="Add a protective measure for a witness",
)
def measure_add(request: HttpRequest, reference: str, witness_reference: str, payload: MeasureIn):
    kcase = _case(request, reference, for_change=True)
    witness = _one_witness(kcase, witness_reference)
    measure = services.add_protective_measure(
        witness,
        actor=request.user,
        request=request,
        kind=payload.kind,
        status=payload.status,
        requested_on=payload.requested_on,
        decided_on=payload.decided_on,
        authority=payload.authority,
    )
    return Status(201, measure)


@router.post(
    "/criminal-cases/{reference}/witnesses/{witness_reference}/measures/{measure_id}",
    response={200: MeasureOut, **WRITE_ERRORS},
    summary="Grant, refuse or end a protective measure",
)
def measure_status(
    request: HttpRequest,
    reference: str,
    witness_reference: str,
    measure_id: int,
    payload: MeasureStatusIn,
):
    kcase = _case(request, reference, for_change=True)
    witness = _one_witness(kcase, witness_reference)
    if not 0 < measure_id < 2**63:
        raise Http404
    measure = get_object_or_404(witness.measures, pk=measure_id)
    return services.change_measure_status(
        measure,
        actor=request.user,
        request=request,
        status=payload.status,
        on=payload.on,
        authority=payload.authority,
        expected_version=payload.version,
    )


@router.get(
    "/criminal-cases/{reference}/legal-bases",
    response={200: list[LegalBasisOut], **READ_ERRORS},
    summary="The legal bases recorded on a criminal case",
)
def legal_basis_list(request: HttpRequest, reference: str):
    return list(_case(request, reference).legal_bases.select_related("person"))


@router.post(
    "/criminal-cases/{reference}/legal-bases",
    response={201: LegalBasisOut, **WRITE_ERRORS},
    summary="Record a court order or statutory duty opening named categories until a date",
)
def legal_basis_add(request: HttpRequest, reference: str, payload: LegalBasisIn):
    kcase = _case(request, reference, for_change=True)
    return Status(
        201,
        services.record_legal_basis(
            kcase,
            actor=request.user,
            request=request,
            person=payload.person.replace("\x00", ""),
            kind=payload.kind,
            issued_by=payload.issued_by,
            issuer_reference=payload.issuer_reference,
            valid_until=payload.valid_until,
            data_categories=list(payload.data_categories),
        ),
    )


@router.post(
    "/criminal-cases/{reference}/legal-bases/{basis_reference}/revoke",
    response={200: LegalBasisOut, **WRITE_ERRORS},
    summary="Revoke a legal basis: what it opened closes at once",
)
def legal_basis_revoke(request: HttpRequest, reference: str, basis_reference: str):
    kcase = _case(request, reference, for_change=True)
    basis = get_object_or_404(
        kcase.legal_bases.select_related("person"),
        reference=basis_reference.strip().upper().replace("\x00", ""),
    )
    return services.revoke_legal_basis(basis, actor=request.user, request=request)
