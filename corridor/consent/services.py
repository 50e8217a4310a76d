"""Recording and revoking consent, and finding the consent that covers a sharing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Agency
from corridor.audit.services import Action, record_event
from corridor.consent.models import Consent

if TYPE_CHECKING:
    from corridor.cases.models import ProtectionCase
    from corridor.people.models import Person

# Sent inside the revoking transaction with `consent`, `actor` and `request`: the apps whose
# sharing relied on it (national and transnational referrals) withdraw what did.
consent_revoked = Signal()


def record_consent(
    person: Person,
    *,
    actor,
    purposes: list[str],
    data_categories: list[str],
    method: str,
    recipient_agencies=(),
    recipient_sectors: list[str] | None = None,
    recipient_countries: list[str] | None = None,
    case: ProtectionCase | None = None,
    interpreter_language: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Record what the person agreed to share; earlier consents stay as they were."""
    if not access.can_change_person(actor, person):
        raise PermissionDenied(_("You may not record consent for this person."))
    errors = {}
    if not purposes or set(purposes) - set(Consent.Purpose.values):
        errors["purposes"] = _("Choose at least one known purpose.")
    if not data_categories or set(data_categories) - set(Consent.DataCategory.values):
        errors["data_categories"] = _("Choose at least one known category of data.")
    if method not in Consent.Method.values:
        errors["method"] = _("Say how consent was given.")
    sectors = list(recipient_sectors or [])
    countries = [c.upper() for c in (recipient_countries or [])]
    if set(sectors) - set(Agency.Sector.values):
        errors["recipient_sectors"] = _("Unknown sector.")
    if not (recipient_agencies or sectors or countries):
        errors["recipient_agencies"] = _("Say with whom the data may be shared.")
    if person.presumed_minor and method != Consent.Method.GUARDIAN:
        errors["method"] = _("For a child, consent is given by the guardian.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            case=case,
            purposes=list(purposes),
            data_categories=list(data_categories),
            method=method,
            recipient_sectors=sectors,
            recipient_countries=countries,
            interpreter_language=interpreter_language,
            recorded_by=actor,
        )
        consent.recipient_agencies.set(recipient_agencies)
        record_event(
            Action.CREATE,
            actor=actor,
            obj=consent,
            object_ref=str(consent.pk),
            request=request,
            details={
                "person": person.reference,
                "purposes": list(purposes),
                "data_categories": list(data_categories),
            },
        )
    return consent


def revoke_consent(
    consent: Consent, *, actor, reason: str = "", request: HttpRequest | None = None
) -> Consent:
    """From now on the consent covers nothing: referrals relying on it lose their access."""
    if not access.can_change_person(actor, consent.person):
        raise PermissionDenied(_("You may not revoke consent for this person."))
    if consent.revoked_at is not None:
        raise ValidationError({"consent": _("This consent was already revoked.")})
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor, revocation_reason=reason.strip()
        )
        if updated != 1:
            raise ValidationError({"consent": _("This consent was already revoked.")})
        consent.refresh_from_db()
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=consent,
            object_ref=str(consent.pk),
            request=request,
            reason=reason,
            details={"revoked": True},
        )
        # In the same transaction: the referrals relying on it are withdrawn with it, or the
        # revocation does not happen.
        consent_revoked.send(sender=Consent, consent=consent, actor=actor, request=request)
    return consent


def covering_consent(
    person: Person, *, purpose: str, categories, agency=None, country: str | None = None
) -> Consent | None:
    """The most recent active consent that covers this sharing, if any."""
    for consent in person.consents.filter(revoked_at__isnull=True).prefetch_related(
        "recipient_agencies"
    ):
        if consent.covers(purpose=purpose, categories=categories, agency=agency, country=country):
            return consent
    return None
