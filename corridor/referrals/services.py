"""The service directory and the referral of a protection case from one agency to another.

Decisions this module makes (and its tests hold it to):

- **Consent.** A referral relies on an active consent of the person that covers the
  receiving agency, the purpose (`purpose_for`: criminal proceedings for an investigation,
  assistance for everything else) and every data category it shares (identity and case
  unless chosen otherwise). Without one it is refused, naming `consent`. Revoking the consent
  closes the recipient's access at once (corridor.accounts.access); the revocation flow may
  also call `withdraw_referrals_for_revoked_consent` so that the referrals leave the queues.
- **Eligibility.** A referral to an offer is refused, naming `offer`, when the person is
  outside the offer's sex or age range (a person treated as a child under the presumption
  of minority is never sent to an adults-only service) or is an unaccompanied child the
  offer does not take. A person of unknown sex is not refused by sex.
- **Capacity.** Accepting a referral to an offer counted in places takes one free place;
  when none is free the acceptance is *refused* (naming `offer`): the directory must stay
  true, so a provider who does have a place publishes it first. Completing or withdrawing
  the referral gives the place back (never above the total).
- **Case stage.** Referring, accepting or declining never moves the case. The first service
  delivered under a referral asks the cases app to move a case that is "presumed victim" or
  "referred" to "assisted" (`corridor.cases.services.change_case_status`, acting as the
  provider — the cases app decides whether a serving agency may). If it refuses, the case
  stays where it is. Either way the case's coordinator and the sender are told that services
  are being delivered, and the coordinator's queue lists every case with services under way
  that is not yet marked assisted.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import phonenumbers
import pycountry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Agency, Role, User
from corridor.audit.services import Action, record_event
from corridor.cases.models import ProtectionCase
from corridor.cases.services import change_case_status
from corridor.consent.models import Consent
from corridor.consent.services import covering_consent
from corridor.core.concurrency import ConcurrentEdit, save_versioned
from corridor.core.paging import MAX_ROWS, count_upto
from corridor.notifications.services import notify
from corridor.people.models import ADULT_AGE, Person
from corridor.referrals.models import (
    OFFER_FULL,
    OFFER_SEXES,
    Referral,
    ServiceDelivery,
    ServiceOffer,
    search_key,
)
from corridor.vocabularies import ServiceType

Status = Referral.Status
CaseStatus = ProtectionCase.Status
Category = Consent.DataCategory

OLDEST_AGE = 120
SUBDIVISION_CODE = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")


# --- the directory ----------------------------------------------------------------------------

OFFER_FIELDS = (
    "service_type",
    "name",
    "description",
    "area_description",
    "areas",
    "languages",
    "sexes",
    "min_age",
    "max_age",
    "accepts_unaccompanied_children",
    "total_places",
    "free_places",
    "contact_phone",
    "contact_email",
    "contact_hours",
    "is_active",
)
CAPACITY_FIELDS = ("total_places", "free_places")


def _as_list(value, field: str, errors: dict) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        errors[field] = _("Give a list of values.")
        return []
    if not all(isinstance(v, str) for v in value):
        errors[field] = _("Give a list of values.")
        return []
    return [v.strip() for v in value if v.strip()]


def _normalised_areas(values, errors: dict) -> list[str]:
    areas, unknown = [], []
    for value in _as_list(values, "areas", errors):
        if SUBDIVISION_CODE.match(value):
            code = value.upper()
            if pycountry.subdivisions.get(code=code) is None:
                unknown.append(value)
            value = code
        elif len(value) > 100:
            errors["areas"] = _("A city name is at most 100 characters long.")
        if search_key(value) not in {search_key(a) for a in areas}:
            areas.append(value)
    if unknown:
        errors["areas"] = _("Unknown ISO 3166-2 region code: {codes}.").format(
            codes=", ".join(unknown)
        )
    return areas


def _normalised_languages(values, errors: dict) -> list[str]:
    codes, unknown = [], []
    for value in _as_list(values, "languages", errors):
        code = value.lower()
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            unknown.append(value)
        elif code not in codes:
            codes.append(code)
    if unknown:
        errors["languages"] = _(
            "Unknown language code: {codes}. Use ISO 639-1 codes such as en, fr, ar."
        ).format(codes=", ".join(unknown))
    return codes


def _normalised_sexes(values, errors: dict) -> list[str]:
    sexes = list(dict.fromkeys(_as_list(values, "sexes", errors)))
    unknown = [s for s in sexes if s not in OFFER_SEXES]
    if unknown:
        errors["sexes"] = _("Unknown sex: {values}. Choose among {choices}.").format(
            values=", ".join(unknown), choices=", ".join(OFFER_SEXES)
        )
    return [s for s in OFFER_SEXES if s in sexes]


def _normalised_phone(value: str, country: str, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, country or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        errors["contact_phone"] = _(
            "Not a valid phone number; write it with the country code, e.g. +39 091 123 4567."
        )
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _validated_offer(offer: ServiceOffer) -> None:
    """Normalise the offer's lists and contact, then check every rule, naming the field."""
    errors: dict[str, str] = {}
    offer.areas = _normalised_areas(offer.areas, errors)
    offer.languages = _normalised_languages(offer.languages, errors)
    offer.sexes = _normalised_sexes(offer.sexes, errors)
    offer.contact_phone = _normalised_phone(offer.contact_phone, offer.agency.country, errors)
    offer.name = (offer.name or "").strip()
    try:
        offer.full_clean(exclude=["agency", "areas", "languages", "sexes", "contact_phone"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages[0])
    for name in ("min_age", "max_age"):
        value = getattr(offer, name)
        if isinstance(value, int) and value > OLDEST_AGE:
            errors.setdefault(name, _("An age is at most {age}.").format(age=OLDEST_AGE))
    lo, hi = offer.min_age, offer.max_age
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        errors.setdefault("max_age", _("The maximum age must not be below the minimum age."))
    total, free = offer.total_places, offer.free_places
    if total is None and free is not None:
        errors.setdefault("total_places", _("Say how many places the service has in all."))
    elif total is not None and free is None:
        errors.setdefault("free_places", _("Say how many places are free now."))
    elif isinstance(total, int) and isinstance(free, int) and free > total:
        errors.setdefault(
            "free_places",
            _("There cannot be more free places ({free}) than places in all ({total}).").format(
                free=free, total=total
            ),
        )
    if not offer.agency.is_active:
        errors.setdefault("agency", _("This agency is no longer active."))
    if errors:
        raise ValidationError(errors)


def _unknown_fields(fields: dict, allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})


def create_offer(
    *, actor, agency: Agency, request: HttpRequest | None = None, **fields
) -> ServiceOffer:
    """List a service of `agency` in the directory (its providers, or a coordinator)."""
    if not access.can_manage_offers_of(actor, agency):
        raise PermissionDenied(_("You may publish services of your own agency only."))
    _unknown_fields(fields, OFFER_FIELDS)
    offer = ServiceOffer(agency=agency, **fields)
    _validated_offer(offer)
    if offer.free_places is not None:
        offer.capacity_updated_at = timezone.now()
    with transaction.atomic():
        offer.save()
        record_event(
            Action.CREATE,
            actor=actor,
            obj=offer,
            object_ref=str(offer.pk),
            request=request,
            details={"agency": agency.name, "service": offer.service_type, "name": offer.name},
        )
    return offer


def update_offer(
    offer: ServiceOffer,
    *,
    actor,
    expected_version: int,
    request: HttpRequest | None = None,
    **fields,
) -> ServiceOffer:
    """Change an offer; 'ConcurrentEdit' if it changed since `expected_version` was read."""
    if not access.can_manage_offer(actor, offer):
        raise PermissionDenied(_("Only the provider and coordinators change this offer."))
    if offer.version != expected_version:
        raise ConcurrentEdit(offer)
    _unknown_fields(fields, OFFER_FIELDS)
    before = {name: getattr(offer, name) for name in OFFER_FIELDS}
    for name, value in fields.items():
        setattr(offer, name, value)
    _validated_offer(offer)
    changed = [name for name in OFFER_FIELDS if getattr(offer, name) != before[name]]
    if not changed:
        return offer
    if set(changed) & set(CAPACITY_FIELDS):
        offer.capacity_updated_at = timezone.now()
        changed.append("capacity_updated_at")
    offer.search_keys = offer.build_search_keys()
    with transaction.atomic():
        save_versioned(offer, expected_version, [*changed, "search_keys"])
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=offer,
            object_ref=str(offer.pk),
            request=request,
            details={
                name: [str(before[name]), str(getattr(offer, name))]
                for name in changed
                if name in before
            },
        )
    return offer


def publish_capacity(
    offer: ServiceOffer,
    *,
    actor,
    free_places: int,
    expected_version: int,
    total_places: int | None = None,
    request: HttpRequest | None = None,
) -> ServiceOffer:
    """The provider says how many places are free now (and, if it changed, how many in all)."""
    if not access.can_manage_offer(actor, offer):
        raise PermissionDenied(_("Only the provider and coordinators publish this capacity."))
    total = offer.total_places if total_places is None else total_places
    errors = {}
    if not isinstance(free_places, int) or isinstance(free_places, bool) or free_places < 0:
        errors["free_places"] = _("Give the number of free places, 0 or more.")
    if total_places is not None and (
        not isinstance(total_places, int) or isinstance(total_places, bool) or total_places < 0
    ):
        errors["total_places"] = _("Give the number of places, 0 or more.")
    elif total is None:
        errors["total_places"] = _("Say how many places the service has in all.")
    if not errors and free_places > total:
        errors["free_places"] = _(
            "There cannot be more free places ({free}) than places in all ({total})."
        ).format(free=free_places, total=total)
    if errors:
        raise ValidationError(errors)
    previous = (offer.free_places, offer.total_places)
    offer.free_places, offer.total_places = free_places, total
    offer.capacity_updated_at = timezone.now()
    with transaction.atomic():
        save_versioned(
            offer, expected_version, ["free_places", "total_places", "capacity_updated_at"]
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=offer,
            object_ref=str(offer.pk),
            request=request,
            details={
                "free_places": [previous[0], free_places],
                "total_places": [previous[1], total],
            },
        )
    return offer


# --- eligibility ------------------------------------------------------------------------------


def person_age_range(person: Person) -> tuple[int, int]:
    """The ages the person may have, as far as is known; capped at 17 for a presumed child."""
    if person.date_of_birth is not None:
        lo = hi = person.age
    else:
        lo = person.age_estimate_min if person.age_estimate_min is not None else 0
        hi = person.age_estimate_max if person.age_estimate_max is not None else OLDEST_AGE
        hi = max(lo, hi)
    if person.presumed_minor:
        hi = min(hi, ADULT_AGE - 1)
        lo = min(lo, hi)
    return lo, hi


def _age_span(offer: ServiceOffer) -> str:
    if offer.min_age is not None and offer.max_age is not None:
        return _("aged {low} to {high}").format(low=offer.min_age, high=offer.max_age)
    if offer.min_age is not None:
        return _("aged {low} or more").format(low=offer.min_age)
    return _("aged up to {high}").format(high=offer.max_age)


def eligibility_problems(
    offer: ServiceOffer, person: Person, *, unaccompanied_child: bool = False
) -> dict[str, list[str]]:
    """Why `person` cannot be referred to `offer` ({} when eligible), keyed by `offer`."""
    problems = []
    if person.sex in OFFER_SEXES and offer.sexes and person.sex not in offer.sexes:
        problems.append(
            _("{offer} takes only: {sexes}; the person is recorded as {sex}.").format(
                offer=offer.name,
                sexes=", ".join(offer.get_sexes_display()),
                sex=person.get_sex_display(),
            )
        )
    lo, hi = person_age_range(person)
    too_young = offer.min_age is not None and hi < offer.min_age
    too_old = offer.max_age is not None and lo > offer.max_age
    if too_young and person.presumed_minor and offer.min_age >= ADULT_AGE:
        problems.append(
            _(
                "{offer} takes adults only; the person is treated as a child "
                "(presumption of minority) until an age assessment is recorded."
            ).format(offer=offer.name)
        )
    elif too_young or too_old:
        problems.append(
            _("{offer} takes people {span}; the person's age ({age}) is outside that.").format(
                offer=offer.name, span=_age_span(offer), age=lo if lo == hi else f"{lo}–{hi}"
            )
        )
    if unaccompanied_child and not offer.accepts_unaccompanied_children:
        problems.append(_("{offer} does not take unaccompanied children.").format(offer=offer.name))
    return {"offer": problems} if problems else {}


def full_last(offers: QuerySet[ServiceOffer]) -> QuerySet[ServiceOffer]:
    """Offers by service, those with a free place (or not counted in places) before the full
    ones: a coordinator should not refer to a shelter that cannot accept."""
    return offers.annotate(
        full=Case(
            When(OFFER_FULL, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).order_by("service_type", "full", "agency__name", "name", "pk")


def filter_offers(
    offers: QuerySet[ServiceOffer],
    *,
    service_type: str | None = None,
    language: str | None = None,
    area: str | None = None,
    age: int | None = None,
    sex: str | None = None,
    unaccompanied_child: bool = False,
    with_free_places: bool = False,
    agency: Agency | int | None = None,
) -> QuerySet[ServiceOffer]:
    """The directory's filters. An offer with no area serves the whole country."""
    if service_type:
        offers = offers.filter(service_type=service_type)
    if language:
        offers = offers.filter(search_keys__contains=f"|lang:{search_key(language)}|")
    if area:
        key = search_key(area)
        offers = offers.filter(
            Q(search_keys__contains=f"|area:{key}|")
            | Q(search_keys__contains="|area:*|")
            | Q(area_description__icontains=area.strip())
        )
    if age is not None:
        offers = offers.filter(Q(min_age__isnull=True) | Q(min_age__lte=age)).filter(
            Q(max_age__isnull=True) | Q(max_age__gte=age)
        )
    if sex in OFFER_SEXES:
        offers = offers.filter(
            Q(search_keys__contains="|sex:*|") | Q(search_keys__contains=f"|sex:{sex}|")
        )
    if unaccompanied_child:
        offers = offers.filter(accepts_unaccompanied_children=True)
    if with_free_places:
        offers = offers.filter(Q(total_places__isnull=True) | Q(free_places__gt=0))
    if agency is not None:
        offers = offers.filter(agency=agency)
    return offers


def eligible_offers(
    offers: QuerySet[ServiceOffer], person: Person, *, unaccompanied_child: bool = False
) -> QuerySet[ServiceOffer]:
    """The offers `eligibility_problems` would let `person` be referred to."""
    lo, hi = person_age_range(person)
    offers = offers.filter(Q(min_age__isnull=True) | Q(min_age__lte=hi)).filter(
        Q(max_age__isnull=True) | Q(max_age__gte=lo)
    )
    return filter_offers(offers, sex=person.sex, unaccompanied_child=unaccompanied_child)


# --- who is told ------------------------------------------------------------------------------


def _members(agency_id: int, *roles: str) -> list[User]:
    return list(
        User.objects.filter(agency_id=agency_id, is_active=True, groups__name__in=roles).distinct()
    )


def _receivers(referral: Referral) -> list[User]:
    """The receiving agency's service providers, or its operational staff if it has none."""
    return _members(referral.to_agency_id, Role.SERVICE_PROVIDER) or _members(
        referral.to_agency_id, *access.OPERATIONAL_ROLES
    )


def case_coordinators(case: ProtectionCase) -> list[User]:
    """The case's assigned coordinator, or every coordinator of its country if none is."""
    if case.coordinator_id and case.coordinator.is_active:
        return [case.coordinator]
    return list(
        User.objects.filter(
            is_active=True,
            groups__name=Role.COORDINATOR,
            agency__country=case.owner_agency.country,
        ).distinct()
    )


def _followers(referral: Referral) -> list[User]:
    """Those who follow a referral they did not receive: its sender and the case's coordinator."""
    return [referral.created_by, *case_coordinators(referral.case)]


def _tell(recipients: Iterable, message: Callable[[], str], referral: Referral, actor=None):
    people = [u for u in recipients if u is not None and u != actor]
    notify(people, message, url=reverse("referrals:detail", args=[referral.reference]))


# --- referring --------------------------------------------------------------------------------


def purpose_for(service_type: str) -> str:
    """The consent purpose a referral for `service_type` needs."""
    if service_type == ServiceType.INVESTIGATION:
        return Consent.Purpose.CRIMINAL_PROCEEDINGS
    return Consent.Purpose.ASSISTANCE


def _category_labels(categories: Iterable[str]) -> str:
    return ", ".join(str(Category(c).label) for c in categories if c in Category.values)


def consent_problem(
    consent: Consent, *, person: Person, purpose: str, categories: list[str], agency: Agency
) -> str:
    """Why `consent` does not cover this referral ('' when it does)."""
    if consent.person_id != person.pk:
        return _("This consent was given by another person.")
    if consent.revoked_at is not None:
        return _("This consent was revoked on {date}.").format(
            date=timezone.localdate(consent.revoked_at).isoformat()
        )
    if purpose not in consent.purposes:
        return _("The person did not consent to sharing for this purpose: {purpose}.").format(
            purpose=Consent.Purpose(purpose).label
        )
    missing = [c for c in categories if c not in consent.data_categories]
    if missing:
        return _("The person did not consent to share: {categories}.").format(
            categories=_category_labels(missing)
        )
    if not consent.covers(purpose=purpose, categories=categories, agency=agency):
        return _("The person did not consent to sharing with {agency}.").format(agency=agency.name)
    return ""


def refer_case(
    case: ProtectionCase,
    *,
    actor,
    to_agency: Agency | None,
    service_type: str,
    note: str = "",
    offer: ServiceOffer | None = None,
    consent: Consent | None = None,
    shared_categories: list[str] | None = None,
    unaccompanied_child: bool = False,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer `case` to `to_agency` for `service_type`, relying on a consent of the person.

    `consent` left out: the most recent active consent that covers the referral is used.
    `shared_categories` left out: identity and case. `unaccompanied_child`: the person is a
    child without a parent or guardian, which the offer must accept.
    """
    if not access.can_change_case(actor, case):
        raise PermissionDenied(_("You may not refer this case."))
    errors: dict[str, str | list[str]] = {}
    if service_type not in ServiceType.values:
        errors["service_type"] = _("Unknown service.")
    if to_agency is None:
        errors["to_agency"] = _("Choose the agency to refer to.")
    elif not to_agency.is_active:
        errors["to_agency"] = _("This agency is no longer active.")
    elif to_agency.pk == actor.agency_id:
        errors["to_agency"] = _("A case cannot be referred to your own agency.")
    if shared_categories is None:
        categories = list(Referral.DEFAULT_CATEGORIES)
    else:
        categories = list(dict.fromkeys(shared_categories))
    unknown = [c for c in categories if c not in Category.values]
    if not categories:
        errors["shared_categories"] = _("Choose at least one category of data to share.")
    elif unknown:
        errors["shared_categories"] = _("Unknown category of data: {values}.").format(
            values=", ".join(map(str, unknown))
        )
    if errors:
        raise ValidationError(errors)
    person = case.person
    if offer is not None:
        if not offer.is_active:
            errors["offer"] = _("This service is no longer offered.")
        elif offer.agency_id != to_agency.pk:
            errors["offer"] = _("This service is offered by {provider}, not by {agency}.").format(
                provider=offer.agency.name, agency=to_agency.name
            )
        elif offer.service_type != service_type:
            errors["offer"] = _("This offer is for {offered}, not for {service}.").format(
                offered=offer.get_service_type_display(),
                service=ServiceType(service_type).label,
            )
        else:
            errors.update(
                eligibility_problems(offer, person, unaccompanied_child=unaccompanied_child)
            )
        if errors:
            raise ValidationError(errors)
    purpose = purpose_for(service_type)
    if consent is None:
        consent = covering_consent(person, purpose=purpose, categories=categories, agency=to_agency)
        if consent is None:
            raise ValidationError(
                {
                    "consent": _(
                        "No active consent of the person covers sharing {categories} with "
                        "{agency} for {purpose}. Record the person's consent first."
                    ).format(
                        categories=_category_labels(categories),
                        agency=to_agency.name,
                        purpose=Consent.Purpose(purpose).label,
                    )
                }
            )
    else:
        problem = consent_problem(
            consent, person=person, purpose=purpose, categories=categories, agency=to_agency
        )
        if problem:
            raise ValidationError({"consent": problem})
    referral = Referral(
        case=case,
        from_agency_id=actor.agency_id,
        to_agency=to_agency,
        service_type=service_type,
        offer=offer,
        consent=consent,
        shared_categories=categories,
        note=note.strip(),
        created_by=actor,
    )
    with transaction.atomic():
        # A revocation committed since the check must not slip through.
        if Consent.objects.select_for_update().get(pk=consent.pk).revoked_at is not None:
            raise ValidationError({"consent": _("This consent was revoked a moment ago.")})
        referral.save()
        record_event(
            Action.CREATE,
            actor=actor,
            obj=referral,
            request=request,
            details={
                "case": case.reference,
                "to": to_agency.name,
                "service": service_type,
                "offer": offer.pk if offer else None,
                "consent": consent.pk,
                "shared": categories,
            },
        )
        ref, case_ref = referral.reference, case.reference
        _tell(
            _receivers(referral),
            lambda: _(
                "New referral {ref}: case {case} referred to your agency for {service}."
            ).format(ref=ref, case=case_ref, service=ServiceType(service_type).label),
            referral,
            actor,
        )
    return referral


# --- answering and following up ---------------------------------------------------------------


def _check_status(referral: Referral, allowed: Iterable[str]) -> None:
    if referral.status not in allowed:
        raise ValidationError(
            {
                "status": _("This referral is {status} and cannot change that way.").format(
                    status=referral.get_status_display()
                )
            }
        )


def _check_consent_stands(referral: Referral) -> None:
    if referral.consent_id is not None and referral.consent.revoked_at is not None:
        raise ValidationError(
            {
                "consent": _(
                    "The person revoked the consent this referral relied on: it can no "
                    "longer be acted on."
                )
            }
        )


def _check_responder(actor, referral: Referral) -> None:
    if not access.can_respond_to_referral(actor, referral):
        raise PermissionDenied(_("Only the agency this referral was sent to may answer it."))


def _change(
    referral: Referral,
    *,
    actor,
    status: str,
    expected_version: int,
    request,
    reason: str = "",
    **fields,
) -> None:
    """Move the referral to `status` (inside the caller's transaction) and audit it."""
    previous = referral.status
    referral.status = status
    for name, value in fields.items():
        setattr(referral, name, value)
    save_versioned(referral, expected_version, ["status", *fields])
    record_event(
        Action.CHANGE,
        actor=actor,
        obj=referral,
        request=request,
        reason=reason,
        details={"status": [previous, status]},
    )


def _take_place(referral: Referral) -> bool:
    """Take one free place of the referral's offer; False when it counts places and is full."""
    offer = referral.offer
    if offer is None or not offer.counts_places:
        return True
    now = timezone.now()
    taken = ServiceOffer.objects.filter(pk=offer.pk, free_places__gt=0).update(
        free_places=F("free_places") - 1,
        capacity_updated_at=now,
        updated_at=now,
        version=F("version") + 1,
    )
    return taken == 1


def _release_place(referral: Referral) -> None:
    if not referral.holds_place:
        return
    now = timezone.now()
    ServiceOffer.objects.filter(pk=referral.offer_id, free_places__lt=F("total_places")).update(
        free_places=F("free_places") + 1,
        capacity_updated_at=now,
        updated_at=now,
        version=F("version") + 1,
    )
    referral.holds_place = False


def accept_referral(
    referral: Referral, *, actor, expected_version: int, request: HttpRequest | None = None
) -> Referral:
    """The receiving agency accepts; a counted offer loses one free place (refused if full)."""
    _check_responder(actor, referral)
    _check_status(referral, {Status.SENT})
    _check_consent_stands(referral)
    with transaction.atomic():
        if not _take_place(referral):
            raise ValidationError(
                {
                    "offer": _(
                        "{offer} has no free place left. If a place has become free, publish "
                        "the capacity first; otherwise decline the referral."
                    ).format(offer=referral.offer.name)
                }
            )
        counted = referral.offer_id is not None and referral.offer.counts_places
        _change(
            referral,
            actor=actor,
            status=Status.ACCEPTED,
            expected_version=expected_version,
            request=request,
            responded_at=timezone.now(),
            holds_place=counted,
        )
        ref, case_ref, agency = referral.reference, referral.case.reference, referral.to_agency.name
        _tell(
            _followers(referral),
            lambda: _("Referral {ref} (case {case}) was accepted by {agency}.").format(
                ref=ref, case=case_ref, agency=agency
            ),
            referral,
            actor,
        )
    return referral


def decline_referral(
    referral: Referral,
    *,
    actor,
    reason: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Referral:
    """The receiving agency declines, saying why; the case comes back to the coordinator."""
    _check_responder(actor, referral)
    if not (reason or "").strip():
        raise ValidationError({"decline_reason": _("Say why the referral is declined.")})
    _check_status(referral, {Status.SENT})
    with transaction.atomic():
        _change(
            referral,
            actor=actor,
            status=Status.DECLINED,
            expected_version=expected_version,
            request=request,
            reason=reason.strip(),
            responded_at=timezone.now(),
            decline_reason=reason.strip(),
        )
        ref, case_ref, agency = referral.reference, referral.case.reference, referral.to_agency.name
        _tell(
            _followers(referral),
            lambda: _(
                "Referral {ref} (case {case}) was declined by {agency}: the case needs "
                "another referral."
            ).format(ref=ref, case=case_ref, agency=agency),
            referral,
            actor,
        )
    return referral


def complete_referral(
    referral: Referral, *, actor, expected_version: int, request: HttpRequest | None = None
) -> Referral:
    """The receiving agency has delivered the service; a place taken is given back."""
    _check_responder(actor, referral)
    _check_status(referral, {Status.ACCEPTED, Status.IN_PROGRESS})
    with transaction.atomic():
        _release_place(referral)
        _change(
            referral,
            actor=actor,
            status=Status.COMPLETED,
            expected_version=expected_version,
            request=request,
            completed_at=timezone.now(),
            holds_place=False,
        )
        ref, case_ref, agency = referral.reference, referral.case.reference, referral.to_agency.name
        _tell(
            _followers(referral),
            lambda: _("Referral {ref} (case {case}) was completed by {agency}.").format(
                ref=ref, case=case_ref, agency=agency
            ),
            referral,
            actor,
        )
    return referral


def withdraw_referral(
    referral: Referral,
    *,
    actor,
    reason: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Referral:
    """The sending agency or a coordinator withdraws an open referral, saying why."""
    if not access.can_withdraw_referral(actor, referral):
        raise PermissionDenied(_("Only the sending agency or a coordinator may withdraw it."))
    if not (reason or "").strip():
        raise ValidationError({"withdraw_reason": _("Say why the referral is withdrawn.")})
    _check_status(referral, Referral.OPEN)
    with transaction.atomic():
        _release_place(referral)
        _change(
            referral,
            actor=actor,
            status=Status.WITHDRAWN,
            expected_version=expected_version,
            request=request,
            reason=reason.strip(),
            withdrawn_at=timezone.now(),
            withdrawn_by=actor,
            withdraw_reason=reason.strip(),
            holds_place=False,
        )
        ref, case_ref = referral.reference, referral.case.reference
        _tell(
            [*_receivers(referral), *_followers(referral)],
            lambda: _("Referral {ref} (case {case}) was withdrawn.").format(ref=ref, case=case_ref),
            referral,
            actor,
        )
    return referral


def withdraw_referrals_for_revoked_consent(
    consent: Consent, *, actor, request: HttpRequest | None = None
) -> list[Referral]:
    """Withdraw every open referral relying on `consent`, once it has been revoked.

    For the revocation flow (corridor.consent.services.revoke_consent, through the consent_revoked signal), inside its transaction.
    Access already closes without it; this takes the referrals out of the queues and tells
    the recipients.
    """
    if consent.revoked_at is None:
        raise ValidationError({"consent": _("This consent has not been revoked.")})
    if not access.can_change_person(actor, consent.person):
        raise PermissionDenied(_("You may not revoke consent for this person."))
    withdrawn = []
    with transaction.atomic():
        for referral in (
            consent.referrals.select_for_update(of=("self",))
            .filter(status__in=Referral.OPEN)
            .select_related("case__owner_agency", "case__coordinator", "created_by")
        ):
            reason = _("The person revoked the consent this referral relied on.")
            _release_place(referral)
            _change(
                referral,
                actor=actor,
                status=Status.WITHDRAWN,
                expected_version=referral.version,
                request=request,
                reason=reason,
                withdrawn_at=timezone.now(),
                withdrawn_by=actor,
                withdraw_reason=reason,
                holds_place=False,
            )
            ref, case_ref = referral.reference, referral.case.reference
            _tell(
                _receivers(referral),
                lambda ref=ref, case_ref=case_ref: _(
                    "Referral {ref} (case {case}) was withdrawn: the person revoked the "
                    "consent it relied on."
                ).format(ref=ref, case=case_ref),
                referral,
                actor,
            )
            withdrawn.append(referral)
    return withdrawn


def record_service_delivery(
    referral: Referral,
    *,
    actor,
    service_type: str,
    delivered_on: date,
    notes: str = "",
    request: HttpRequest | None = None,
) -> ServiceDelivery:
    """The receiving agency records a service it delivered; the first one starts the referral.

    The first delivery moves a presumed-victim or referred case to "assisted" if the cases
    app lets the provider do so (see the module's docstring), and tells the coordinator.
    """
    _check_responder(actor, referral)
    _check_status(referral, {Status.ACCEPTED, Status.IN_PROGRESS})
    _check_consent_stands(referral)
    errors = {}
    if service_type not in ServiceType.values:
        errors["service_type"] = _("Unknown service.")
    if not isinstance(delivered_on, date) or isinstance(delivered_on, datetime):
        errors["delivered_on"] = _("Give the date the service was delivered.")
    elif delivered_on > timezone.localdate():
        errors["delivered_on"] = _("A service cannot be recorded before it is delivered.")
    elif delivered_on < timezone.localdate(referral.created_at):
        errors["delivered_on"] = _("This date is before the referral was sent ({date}).").format(
            date=timezone.localdate(referral.created_at).isoformat()
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        _check_status(current, {Status.ACCEPTED, Status.IN_PROGRESS})
        delivery = ServiceDelivery.objects.create(
            referral=referral,
            service_type=service_type,
            delivered_on=delivered_on,
            notes=(notes or "").strip(),
            recorded_by=actor,
        )
        record_event(
            Action.CREATE,
            actor=actor,
            obj=delivery,
            object_ref=str(delivery.pk),
            request=request,
            details={
                "referral": referral.reference,
                "service": service_type,
                "delivered_on": delivered_on.isoformat(),
            },
        )
        if current.status == Status.ACCEPTED:
            _change(
                referral,
                actor=actor,
                status=Status.IN_PROGRESS,
                expected_version=current.version,
                request=request,
                started_at=timezone.now(),
            )
            case = _mark_assisted(referral, actor=actor, request=request)
            ref, case_ref, stage = referral.reference, case.reference, case.status
            _tell(
                _followers(referral),
                lambda: _(
                    "Services are being delivered for case {case} (referral {ref}); the "
                    "case is at the stage {stage}."
                ).format(case=case_ref, ref=ref, stage=CaseStatus(stage).label),
                referral,
                actor,
            )
    return delivery


def _mark_assisted(referral: Referral, *, actor, request) -> ProtectionCase:
    """Ask the cases app to record that assistance started; the case as it now stands."""
    case = ProtectionCase.objects.select_related("owner_agency", "person", "coordinator").get(
        pk=referral.case_id
    )
    if case.status not in (CaseStatus.PRESUMED_VICTIM, CaseStatus.REFERRED):
        return case
    try:
        with transaction.atomic():
            change_case_status(
                case,
                actor=actor,
                status=CaseStatus.ASSISTED,
                expected_version=case.version,
                request=request,
                note=_("First service delivered under referral {ref}.").format(
                    ref=referral.reference
                ),
            )
    except (PermissionDenied, ValidationError, ConcurrentEdit):
        case.refresh_from_db()  # not the provider's to move: the coordinator's queue shows it
    referral.case = case
    return case


def view_referral(referral: Referral, *, actor, request: HttpRequest | None = None) -> None:
    """Audit a read of a referral's details (its deliveries' notes are about the person)."""
    record_event(
        Action.VIEW,
        actor=actor,
        obj=referral,
        request=request,
        details={"case": referral.case.reference},
    )


# --- the coordinator's queue ------------------------------------------------------------------


class Waiting:
    """The kinds of wait the coordinator's queue shows."""

    UNREFERRED = "unreferred"  # a presumed or identified victim with no open referral
    UNANSWERED = "unanswered"  # a referral sent, still within the response time
    OVERDUE = "overdue"  # a referral sent and not answered within the response time
    DECLINED = "declined"  # declined, and no later referral for the same service
    DELIVERING = "delivering"  # services started, but the case is not marked assisted yet

    ALL = (UNREFERRED, OVERDUE, UNANSWERED, DECLINED, DELIVERING)

    @staticmethod
    def choices() -> list[tuple[str, str]]:
        return [
            (Waiting.UNREFERRED, _("Waiting for a referral")),
            (Waiting.OVERDUE, _("Referral overdue")),
            (Waiting.UNANSWERED, _("Referral waiting for an answer")),
            (Waiting.DECLINED, _("Referral declined: refer again")),
            (Waiting.DELIVERING, _("Services started: move the case on")),
        ]


@dataclass
class WaitingItem:
    kind: str
    since: datetime
    case: ProtectionCase
    referral: Referral | None = None

    @property
    def waited(self) -> timedelta:
        return timezone.now() - self.since

    @property
    def waited_hours(self) -> int:
        return int(self.waited.total_seconds() // 3600)

    @property
    def label(self) -> str:
        return dict(Waiting.choices())[self.kind]


class WaitingList:
    """Everyone waiting, longest first, merged from one query per kind.

    Behaves like a sequence for Django's Paginator: `count()` runs one COUNT per kind,
    `count_upto(n)` counts no further than n + 1 rows of each (`corridor.core.paging`), and a
    slice `[a:b]` fetches the first `b` rows of each kind and merges them.
    """

    def __init__(self, sources: list[tuple[str, QuerySet]]):
        self.sources = sources
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(qs.count() for _kind, qs in self.sources)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def count_upto(self, limit: int) -> int:
        """Kind after kind, and no further once past the limit: a national queue is more than
        the limit after its first kind."""
        total = 0
        for _kind, qs in self.sources:
            total += count_upto(qs, limit - total)
            if total > limit:
                break
        return total

    def _items(self, kind: str, rows) -> Iterable[WaitingItem]:
        for row in rows:
            if isinstance(row, ProtectionCase):
                yield WaitingItem(kind, row.waiting_since, row)
            else:
                yield WaitingItem(kind, row.waiting_since, row.case, row)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        if stop is not None and stop > MAX_ROWS:  # past the end, not past SQL's integers
            stop = min(stop, self.count())
        if stop is not None and start >= stop:
            return []
        streams = [
            self._items(kind, qs if stop is None else qs[:stop]) for kind, qs in self.sources
        ]
        merged = heapq.merge(*streams, key=lambda item: item.since)
        return list(itertools.islice(merged, start, stop))

    def __iter__(self):
        return iter(self[:])


def _open_referral(case_field: str = "pk") -> QuerySet[Referral]:
    return Referral.objects.filter(
        access.CONSENT_STANDS, case=OuterRef(case_field), status__in=Referral.OPEN
    )


def _referred_again() -> QuerySet[Referral]:
    """A later referral of the same case for the same service that was not turned down."""
    return Referral.objects.filter(
        case=OuterRef("case"),
        service_type=OuterRef("service_type"),
        created_at__gt=OuterRef("created_at"),
        status__in=[*Referral.OPEN, Status.COMPLETED],
    )


def overdue_cutoff(now: datetime | None = None) -> datetime:
    """Referrals sent at or before this moment are overdue if still unanswered."""
    return (now or timezone.now()) - timedelta(hours=settings.CORRIDOR_REFERRAL_RESPONSE_HOURS)


def waiting_for(
    user,
    *,
    kinds: Iterable[str] | None = None,
    service_type: str | None = None,
    to_agency: Agency | int | None = None,
    mine: bool = False,
) -> WaitingList:
    """Everyone waiting in the user's scope, longest first (the queue and the home page).

    `waiting_for(user)[:10]` is the ten longest waits; `.count()` how many there are.
    Filters: the kinds (`Waiting.ALL`), the service
    and receiving agency of the referral (these leave out the cases not referred at all),
    and `mine`: only the cases the user coordinates.
    """
    kinds = [k for k in (kinds or Waiting.ALL) if k in Waiting.ALL]
    cases = access.cases_visible_to(user)
    referrals = access.referrals_visible_to(user).select_related(
        "case__person", "to_agency", "consent"
    )
    if mine:
        cases = cases.filter(coordinator=user)
        referrals = referrals.filter(case__coordinator=user)
    if service_type:
        referrals = referrals.filter(service_type=service_type)
    if to_agency is not None:
        referrals = referrals.filter(to_agency=to_agency)
    declined = referrals.filter(status=Status.DECLINED).exclude(case__status=CaseStatus.CLOSED)
    declined = declined.exclude(Exists(_referred_again()))
    cutoff = overdue_cutoff()
    sent = referrals.filter(access.CONSENT_STANDS, status=Status.SENT)
    sources = {
        Waiting.UNREFERRED: cases.filter(
            status__in=[CaseStatus.IDENTIFIED, CaseStatus.PRESUMED_VICTIM]
        )
        .exclude(Exists(_open_referral()))
        .exclude(
            Exists(
                Referral.objects.filter(case=OuterRef("pk"), status=Status.DECLINED).exclude(
                    Exists(_referred_again())
                )
            )
        )
        .select_related("person")
        .annotate(waiting_since=F("opened_at")),
        Waiting.OVERDUE: sent.filter(created_at__lte=cutoff).annotate(
            waiting_since=F("created_at")
        ),
        Waiting.UNANSWERED: sent.filter(created_at__gt=cutoff).annotate(
            waiting_since=F("created_at")
        ),
        Waiting.DECLINED: declined.annotate(waiting_since=Coalesce("responded_at", "created_at")),
        Waiting.DELIVERING: referrals.filter(
            access.CONSENT_STANDS,
            status=Status.IN_PROGRESS,
            case__status__in=[
                CaseStatus.IDENTIFIED,
                CaseStatus.PRESUMED_VICTIM,
                CaseStatus.REFERRED,
            ],
        ).annotate(waiting_since=Coalesce("started_at", "responded_at", "created_at")),
    }
    if service_type or to_agency is not None:
        kinds = [k for k in kinds if k != Waiting.UNREFERRED]
    return WaitingList(
        [
            (kind, sources[kind].order_by("waiting_since", "pk"))
            for kind in Waiting.ALL
            if kind in kinds
        ]
    )


def notify_overdue_referrals(
    *, now: datetime | None = None, log: Callable[[str], None] | None = None
) -> list[Referral]:
    """Tell the coordinators (and the sender) once about each newly overdue referral.

    Each referral is claimed by setting `overdue_notified_at` in its own transaction, so two
    runs at once never notify twice and an interrupted run loses nothing.
    """
    now = now or timezone.now()
    hours = settings.CORRIDOR_REFERRAL_RESPONSE_HOURS
    candidates = (
        Referral.objects.filter(
            access.CONSENT_STANDS,
            status=Status.SENT,
            created_at__lte=overdue_cutoff(now),
            overdue_notified_at__isnull=True,
        )
        .select_related("case__owner_agency", "case__coordinator", "to_agency", "created_by")
        .order_by("created_at", "pk")
    )
    notified = []
    for referral in list(candidates):
        with transaction.atomic():
            claimed = Referral.objects.filter(
                pk=referral.pk, status=Status.SENT, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if not claimed:
                continue
            referral.overdue_notified_at = now
            waited = int((now - referral.created_at).total_seconds() // 3600)
            recipients = {u.pk: u for u in _followers(referral) if u is not None}
            ref, case_ref, agency = (
                referral.reference,
                referral.case.reference,
                referral.to_agency.name,
            )
            _tell(
                recipients.values(),
                lambda ref=ref, case_ref=case_ref, agency=agency, waited=waited: _(
                    "Referral {ref} (case {case}) to {agency} has waited {hours} hours for "
                    "an answer (limit {limit} hours): it is back in your queue."
                ).format(ref=ref, case=case_ref, agency=agency, hours=waited, limit=hours),
                referral,
            )
            record_event(
                Action.CHANGE,
                obj=referral,
                details={"overdue_notified": True, "waited_hours": waited},
            )
        notified.append(referral)
        if log:
            log(
                f"{referral.reference}: {waited} h without an answer from {referral.to_agency}; "
                f"told {len(recipients)} people"
            )
    return notified
