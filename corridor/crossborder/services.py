"""Transnational referral: partners, sending a case abroad, answering one, following it up.

Every change is one atomic, audited function taking the actor keyword-only; a message to the
partner is queued in the same transaction (corridor.crossborder.outbox) and the partner's
messages are applied by the `handle_*` functions the inbox calls (corridor.crossborder.inbox).

Decisions this module makes (and its tests hold it to):

- **Who.** Administrators register, suspend, reactivate and revoke partners. Only NRM
  coordinators send a case abroad (a coordinator who may change the case: of the owning
  agency's country), and only coordinators of the country a referral was sent to answer it
  and report its follow-up. The owning agency's first responders and investigators see the
  transnational referrals of their cases; nobody else does.
- **Consent and minimal data.** A referral relies on an active consent of the person that
  covers the partner's country, the purpose and the category of every field sent
  (`covering_consent(country=...)`); without one it is refused, naming `consent`. Only the
  fields the purpose needs are sent (corridor.crossborder.payload), and the preview shows
  exactly those: what is sent is the preview.
- **Statuses.** Sending: sent → received (the partner acknowledged the offer) → accepted or
  declined → assisted → returned → reintegration follow-up at 3, 6, 12 months; withdrawn
  from anywhere before declined. A reported status only moves forward: a report that does
  not advance (a duplicate, or one overtaken by a withdrawal) is acknowledged and ignored.
- **Accepting** creates the person (`register_person`) and the protection case (`open_case`)
  in the receiving country, owned by the accepting coordinator's agency, records the needs
  received as a needs assessment, and links them to the referral.
- **Declining** erases the data received (only what the audit needs remains): it has no
  further purpose here.
- **Withdrawal and revoked consent.** The sender withdraws (or the person revokes the
  consent relied on, see `on_consent_revoked`): an offer not yet delivered is cancelled in
  the outbox, and the partner is told. On receipt, the incoming referral becomes withdrawn,
  nothing more can be done with it, and the data received with it is erased. A person and
  case already created on acceptance are **kept**: they are the receiving NRM's own records,
  possibly of assistance under way, with their own audit trail; its coordinators are told to
  stop processing the data under that consent and to close or restrict the case under their
  own law.
- **One reference on both sides.** The offer carries the sender's reference (X-…) and the
  receiving instance files the referral under it, so that both coordinators quote the same
  one on the phone. Should a referral there already hold it (a chance collision), the
  received one gets its own, the sender's is shown beside it as the partner's reference, and
  the answer (accepted or declined) carries the receiver's back. An offer without a
  reference (an instance of an older version) gets a reference of the receiver's own.
- **Notifications** (never with personal data): coordinators of the receiving country on a
  new referral and on a withdrawal; the case's coordinators and the sender on each answer or
  status that comes back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Role, User
from corridor.audit.services import Action, record_event
from corridor.cases.models import NEED_CODES, ProtectionCase
from corridor.cases.services import open_case, record_needs_assessment
from corridor.consent.models import Consent
from corridor.consent.services import covering_consent
from corridor.core.concurrency import ConcurrentEdit, save_versioned
from corridor.crossborder import keys, payload
from corridor.crossborder.messages import MessageType
from corridor.crossborder.models import (
    PARTNER_REFERENCE,
    OutboxMessage,
    Partner,
    StatusReport,
    TransnationalReferral,
    transnational_reference,
)
from corridor.crossborder.outbox import (
    TransportError,
    cancel_undelivered,
    check_partner_url,
    enqueue,
    fail_for_revoked_partner,
)
from corridor.crossborder.pprl_exchange import handle_linkage_encodings, handle_linkage_matches
from corridor.notifications.services import notify
from corridor.people.services import register_person
from corridor.referrals.services import case_coordinators
from corridor.vocabularies import country_choices

Status = TransnationalReferral.Status
Direction = TransnationalReferral.Direction
Purpose = Consent.Purpose

FOLLOWUP_MONTHS = (3, 6, 12)
# What the receiving side reports, in the order a referral moves through them.
REPORTABLE = (Status.ASSISTED, Status.RETURNED, Status.REINTEGRATION_FOLLOWUP)
MAX_REASON = 2000


def rank(status: str, month: int | None = None) -> int:
    """How far along a referral is; a report must increase it."""
    order = [Status.SENT, Status.RECEIVED, Status.ACCEPTED, Status.ASSISTED, Status.RETURNED]
    if status in order:
        return order.index(status)
    if status == Status.REINTEGRATION_FOLLOWUP:
        return len(order) + (FOLLOWUP_MONTHS.index(month) if month in FOLLOWUP_MONTHS else 0)
    return -1


def partners_to_send_to() -> QuerySet[Partner]:
    """The partners a case may be sent to now: active, of another country."""
    return Partner.objects.filter(status=Partner.Status.ACTIVE).exclude(
        country=settings.CORRIDOR_COUNTRY
    )


# --- who is told ---------------------------------------------------------------------------------


def _coordinators_of_country(country: str) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, groups__name=Role.COORDINATOR, agency__country=country
        ).distinct()
    )


def _url(referral: TransnationalReferral) -> str:
    return reverse("crossborder:detail", args=[referral.reference])


def _tell(recipients: Iterable, message, referral: TransnationalReferral, actor=None) -> None:
    people = {u.pk: u for u in recipients if u is not None and u != actor}
    notify(people.values(), message, url=_url(referral))


def _followers(referral: TransnationalReferral) -> list[User]:
    """Who follows an outgoing referral: its sender and the case's coordinators."""
    return [referral.created_by, *case_coordinators(referral.case)]


def _receivers(referral: TransnationalReferral) -> list[User]:
    """Who answers an incoming referral: the coordinators of the country it was sent to."""
    return [referral.responded_by, *_coordinators_of_country(referral.recipient_country)]


# --- partners --------------------------------------------------------------------------------------


def _require_admin(actor) -> None:
    if not access.can_administer(actor):
        raise PermissionDenied(_("Only administrators manage partners."))


def validate_base_url(url: str) -> str:
    """The partner's address: https, or http to this machine only; no query or fragment."""
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        raise ValidationError(
            {"base_url": _("Give the full address, e.g. https://corridor.example.org.")}
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValidationError(
            {"base_url": _("Give the address without user name, query or fragment.")}
        )
    try:
        check_partner_url(url)
    except TransportError:
        if parts.scheme == "https":
            raise ValidationError(
                {
                    "base_url": _(
                        "This address leads to a private, link-local or loopback network "
                        "address: a partner instance is reached at its public address."
                    )
                }
            ) from None
        raise ValidationError(
            {
                "base_url": _(
                    "Use https. Plain http is accepted only for this machine (127.0.0.1 or "
                    "localhost), for tests and demonstrations."
                )
            }
        ) from None
    return url


def register_partner(
    *,
    actor,
    country: str,
    name: str,
    base_url: str,
    public_jwk,
    key_id: str = "",
    request: HttpRequest | None = None,
) -> Partner:
    """Register another country's instance with the public key its administrator handed over."""
    _require_admin(actor)
    country = (country or "").strip().upper()
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if country not in {code for code, _label in country_choices()}:
        errors["country"] = _("Give an ISO 3166-1 alpha-2 country code, e.g. NG.")
    elif country == settings.CORRIDOR_COUNTRY:
        errors["country"] = _(
            "This instance serves {country}: a partner is another country."
        ).format(country=country)
    elif Partner.objects.filter(country=country).exclude(status=Partner.Status.REVOKED).exists():
        errors["country"] = _(
            "A partner of {country} is already registered; revoke it first to replace it."
        ).format(country=country)
    if not name:
        errors["name"] = _("Give the partner's name, e.g. its NRM.")
    elif len(name) > 200:
        errors["name"] = _("A name is at most 200 characters.")
    try:
        base_url = validate_base_url(base_url)
    except ValidationError as exc:
        errors["base_url"] = exc.message_dict["base_url"][0]
    jwk: dict = {}
    try:
        jwk, key_id = keys.parse_public_jwk(public_jwk, key_id=key_id)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    else:
        if Partner.objects.filter(key_id=key_id).exists() or key_id == keys.instance_key_id():
            errors["key_id"] = _("This key id is already in use; each instance has its own key.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        partner = Partner.objects.create(
            country=country,
            name=name,
            base_url=base_url,
            public_jwk=jwk,
            key_id=key_id,
            created_by=actor,
        )
        record_event(
            Action.ADMIN,
            actor=actor,
            obj=partner,
            object_ref=str(partner.pk),
            request=request,
            details={
                "partner": "registered",
                "country": country,
                "name": name,
                "base_url": base_url,
                "key_id": key_id,
            },
        )
    return partner


def _change_partner_status(
    partner: Partner, *, actor, to: str, allowed_from: set[str], reason: str, request
) -> Partner:
    _require_admin(actor)
    if partner.status not in allowed_from:
        raise ValidationError(
            {
                "status": _("This partner is {status} and cannot change that way.").format(
                    status=partner.get_status_display()
                )
            }
        )
    previous = partner.status
    with transaction.atomic():
        updated = Partner.objects.filter(pk=partner.pk, status=previous).update(
            status=to, status_reason=reason, updated_at=timezone.now()
        )
        if updated != 1:
            raise ValidationError({"status": _("This partner changed meanwhile; reload it.")})
        partner.status, partner.status_reason = to, reason
        record_event(
            Action.ADMIN,
            actor=actor,
            obj=partner,
            object_ref=str(partner.pk),
            request=request,
            reason=reason,
            details={"partner": partner.country, "status": [previous, to]},
        )
        if to == Partner.Status.REVOKED:
            fail_for_revoked_partner(partner)
    return partner


def suspend_partner(
    partner: Partner, *, actor, reason: str = "", request: HttpRequest | None = None
) -> Partner:
    """Stop exchanging with a partner for now: its messages are refused, ours wait."""
    return _change_partner_status(
        partner,
        actor=actor,
        to=Partner.Status.SUSPENDED,
        allowed_from={Partner.Status.ACTIVE},
        reason=(reason or "").strip(),
        request=request,
    )


def reactivate_partner(
    partner: Partner, *, actor, reason: str = "", request: HttpRequest | None = None
) -> Partner:
    """Resume exchanging with a suspended partner; the messages that waited go out."""
    return _change_partner_status(
        partner,
        actor=actor,
        to=Partner.Status.ACTIVE,
        allowed_from={Partner.Status.SUSPENDED},
        reason=(reason or "").strip(),
        request=request,
    )


def revoke_partner(
    partner: Partner, *, actor, reason: str, request: HttpRequest | None = None
) -> Partner:
    """End the trust in a partner's key for good (e.g. compromised); its messages are refused
    and ours to it are marked failed. A new key means registering the partner again."""
    reason = (reason or "").strip()
    if not reason:
        _require_admin(actor)
        raise ValidationError({"reason": _("Say why the partner is revoked.")})
    return _change_partner_status(
        partner,
        actor=actor,
        to=Partner.Status.REVOKED,
        allowed_from={Partner.Status.ACTIVE, Partner.Status.SUSPENDED},
        reason=reason,
        request=request,
    )


PPRL_SECRET_MIN_LENGTH = 16


def set_pprl_secret(
    partner: Partner, *, actor, secret: str, request: HttpRequest | None = None
) -> Partner:
    """Set (or, with "", clear) the linkage secret agreed with the partner's administrator
    out of band; the same on both instances, it keys the encodings compared (pprl.py). The
    audit says that it changed, never what it is."""
    _require_admin(actor)
    secret = (secret or "").strip()
    if secret and len(secret) < PPRL_SECRET_MIN_LENGTH:
        raise ValidationError(
            {
                "secret": _("A linkage secret is at least {n} characters.").format(
                    n=PPRL_SECRET_MIN_LENGTH
                )
            }
        )
    with transaction.atomic():
        partner.pprl_secret = secret
        partner.save(update_fields=["pprl_secret", "updated_at"])
        record_event(
            Action.ADMIN,
            actor=actor,
            obj=partner,
            object_ref=str(partner.pk),
            request=request,
            details={"partner": partner.country, "pprl_secret": "set" if secret else "cleared"},
        )
    return partner


def retry_failed_messages(partner: Partner, *, actor, request: HttpRequest | None = None) -> int:
    """Put a partner's failed messages back in the queue (after fixing what was refused)."""
    _require_admin(actor)
    if partner.status != Partner.Status.ACTIVE:
        raise ValidationError({"status": _("Reactivate the partner first.")})
    with transaction.atomic():
        count = partner.outbox.filter(status=OutboxMessage.Status.FAILED).update(
            status=OutboxMessage.Status.PENDING, rejections=0, next_attempt_at=timezone.now()
        )
        record_event(
            Action.ADMIN,
            actor=actor,
            obj=partner,
            object_ref=str(partner.pk),
            request=request,
            details={"partner": partner.country, "messages_retried": count},
        )
    return count


# --- sending a case abroad -------------------------------------------------------------------------


def _require_sender(actor, case: ProtectionCase) -> None:
    if not access.can_send_abroad(actor, case):
        raise PermissionDenied(_("Only an NRM coordinator sends a case to a partner country."))


def _sender_details(actor, case: ProtectionCase) -> dict:
    """Who to talk to about the referral: organisational contact, no victim data."""
    agency = actor.agency
    return {
        "country": settings.CORRIDOR_COUNTRY,
        "agency": agency.name,
        "contact_name": actor.get_full_name() or actor.username,
        "contact_email": actor.email,
        "case_reference": case.reference,
    }


def _category_labels(categories: Iterable[str]) -> str:
    return ", ".join(
        str(Consent.DataCategory(c).label) for c in categories if c in Consent.DataCategory.values
    )


def _prepare(case: ProtectionCase, *, actor, partner: Partner | None, purpose: str):
    """Check a referral is possible; return (consent, field names, left out, record)."""
    errors: dict[str, str] = {}
    if purpose not in payload.TRANSNATIONAL_PURPOSES:
        errors["purpose"] = _("Choose the purpose: {choices}.").format(
            choices=", ".join(str(Purpose(p).label) for p in payload.TRANSNATIONAL_PURPOSES)
        )
    if partner is None:
        errors["partner"] = _("Choose the partner country.")
    elif partner.country == settings.CORRIDOR_COUNTRY:
        errors["partner"] = _("A case is sent abroad, not to this instance's own country.")
    elif partner.status != Partner.Status.ACTIVE:
        errors["partner"] = _(
            "The partner {partner} is {status}: nothing can be sent to it."
        ).format(partner=partner.name, status=partner.get_status_display())
    elif keys.instance_key_id() is None:
        errors["partner"] = _(
            "This instance has no signing key yet: an administrator must run "
            "`corridor crossborder_keys` and hand the public key to the partner."
        )
    if errors:
        raise ValidationError(errors)
    needed = payload.required_categories(purpose)
    consent = covering_consent(
        case.person, purpose=purpose, categories=needed, country=partner.country
    )
    if consent is None:
        raise ValidationError(
            {
                "consent": _(
                    "No active consent of the person covers sharing {categories} with "
                    "{country} for {purpose}. Record the person's consent first."
                ).format(
                    categories=_category_labels(needed),
                    country=partner.get_country_display(),
                    purpose=Purpose(purpose).label,
                )
            }
        )
    names, left_out = payload.fields_for(purpose, consent)
    record = payload.build_record(case.person, case, names)
    return consent, names, left_out, record


def preview_transnational_referral(
    case: ProtectionCase,
    *,
    actor,
    partner: Partner | None,
    purpose: str,
    request: HttpRequest | None = None,
) -> dict:
    """Exactly what `send_transnational_referral` would send now (the read is audited).

    `record` is the data sent under HTCDS names, `categories` their consent categories,
    `left_out` the optional fields the consent does not cover, `sender` the organisational
    contact sent with it.
    """
    _require_sender(actor, case)
    consent, names, left_out, record = _prepare(case, actor=actor, partner=partner, purpose=purpose)
    record_event(
        Action.VIEW,
        actor=actor,
        obj=case,
        request=request,
        details={"purpose": "transnational preview", "partner": partner.country, "fields": names},
    )
    return {
        "partner": {"id": partner.pk, "country": partner.country, "name": partner.name},
        "purpose": purpose,
        "consent_id": consent.pk,
        "categories": payload.categories_of(names),
        "record": record,
        "fields": payload.labelled(record),
        "left_out": [
            {
                "field": n,
                "label": str(payload.FIELDS[n].label),
                "category": payload.FIELDS[n].category,
            }
            for n in left_out
        ],
        "sender": _sender_details(actor, case),
    }


def send_transnational_referral(
    case: ProtectionCase,
    *,
    actor,
    partner: Partner | None,
    purpose: str,
    request: HttpRequest | None = None,
) -> TransnationalReferral:
    """Send `case` to `partner` for `purpose`, relying on a consent covering it (see above)."""
    _require_sender(actor, case)
    consent, names, _left_out, record = _prepare(
        case, actor=actor, partner=partner, purpose=purpose
    )
    categories = payload.categories_of(names)
    sender = _sender_details(actor, case)
    with transaction.atomic():
        # A revocation committed since the check must not slip through.
        if Consent.objects.select_for_update().get(pk=consent.pk).revoked_at is not None:
            raise ValidationError({"consent": _("This consent was revoked a moment ago.")})
        open_already = (
            TransnationalReferral.objects.filter(
                direction=Direction.OUTGOING, case=case, partner=partner, purpose=purpose
            )
            .exclude(status__in=TransnationalReferral.CLOSED)
            .first()
        )
        if open_already is not None:
            raise ValidationError(
                {
                    "partner": _(
                        "This case was already sent to {partner} for this purpose ({ref}); "
                        "withdraw that referral first."
                    ).format(partner=partner.name, ref=open_already.reference)
                }
            )
        referral = TransnationalReferral(
            direction=Direction.OUTGOING,
            partner=partner,
            recipient_country=partner.country,
            case=case,
            consent=consent,
            purpose=purpose,
            categories=categories,
            sender=sender,
            status=Status.SENT,
            created_by=actor,
        )
        referral.payload = record
        referral.save()
        enqueue(
            partner,
            type=MessageType.OFFER,
            referral=referral,
            body={
                "reference": referral.reference,
                "purpose": purpose,
                "categories": categories,
                "record": record,
                "sender": sender,
            },
            actor=actor,
            request=request,
        )
        record_event(
            Action.EXPORT,
            actor=actor,
            obj=referral,
            request=request,
            details={
                "case": case.reference,
                "partner": partner.country,
                "purpose": purpose,
                "consent": consent.pk,
                "categories": categories,
                "fields": names,
            },
        )
    return referral


def _locked(referral: TransnationalReferral, expected_version: int | None):
    """The referral's row, locked, checked against the version the actor saw."""
    current = TransnationalReferral.objects.select_for_update().get(pk=referral.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEdit(referral)
    referral.status, referral.version = current.status, current.version
    return current


def _check_status(referral: TransnationalReferral, allowed: Iterable[str]) -> None:
    if referral.status not in allowed:
        raise ValidationError(
            {
                "status": _("This referral is {status} and cannot change that way.").format(
                    status=referral.get_status_display()
                )
            }
        )


def _move(referral, *, actor, status: str, request, reason: str = "", **fields) -> None:
    """Save the referral at `status` (inside the caller's transaction) and audit it."""
    previous = referral.status
    referral.status = status
    for name, value in fields.items():
        setattr(referral, name, value)
    names = ["status", *(f if f != "payload" else "payload_json" for f in fields)]
    save_versioned(referral, referral.version, names)
    record_event(
        Action.CHANGE,
        actor=actor,
        obj=referral,
        request=request,
        reason=reason,
        details={"status": [previous, status], "direction": referral.direction},
    )


def withdraw_transnational_referral(
    referral: TransnationalReferral,
    *,
    actor,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> TransnationalReferral:
    """The sending coordinator withdraws the referral; the partner must stop processing it."""
    if not access.can_withdraw_transnational(actor, referral):
        raise PermissionDenied(_("Only a coordinator of the sending country withdraws it."))
    reason = (reason or "").strip()[:MAX_REASON]
    if not reason:
        raise ValidationError({"reason": _("Say why the referral is withdrawn.")})
    _check_status(referral, [s for s in Status.values if s not in TransnationalReferral.CLOSED])
    with transaction.atomic():
        _locked(referral, expected_version)
        _check_status(referral, [s for s in Status.values if s not in TransnationalReferral.CLOSED])
        _withdraw_outgoing(
            referral, actor=actor, reason=reason, type=MessageType.WITHDRAWN, request=request
        )
    return referral


def _withdraw_outgoing(referral, *, actor, reason: str, type: str, request) -> None:
    now = timezone.now()
    if referral.status != Status.DECLINED:
        _move(
            referral,
            actor=actor,
            status=Status.WITHDRAWN,
            request=request,
            reason=reason,
            withdraw_reason=reason,
            withdrawn_at=now,
        )
    cancel_undelivered(referral, type=MessageType.OFFER)
    enqueue(
        referral.partner,
        type=type,
        referral=referral,
        body={"reason": reason, "at": now.isoformat()},
        actor=actor,
        request=request,
    )
    ref, case_ref = referral.reference, referral.case.reference
    _tell(
        _followers(referral),
        lambda: _("Transnational referral {ref} (case {case}) was withdrawn.").format(
            ref=ref, case=case_ref
        ),
        referral,
        actor,
    )


def on_consent_revoked(
    consent: Consent, *, actor, request: HttpRequest | None = None
) -> list[TransnationalReferral]:
    """Withdraw the transnational referrals relying on a consent just revoked, and tell the
    partners (consent.revoked): they must stop processing and erase what they received.

    For the revocation flow (corridor.consent.services.revoke_consent, through the consent_revoked signal), inside its transaction.
    A declined referral keeps its status, but its partner is told too, so that it erases
    whatever it still holds.
    """
    if consent.revoked_at is None:
        raise ValidationError({"consent": _("This consent has not been revoked.")})
    reason = _("The person revoked the consent this referral relied on.")
    done = []
    with transaction.atomic():
        for referral in (
            TransnationalReferral.objects.select_for_update(of=("self",))
            .filter(direction=Direction.OUTGOING, consent=consent)
            .exclude(status=Status.WITHDRAWN)
            .select_related("partner", "case__owner_agency", "case__coordinator", "created_by")
        ):
            _withdraw_outgoing(
                referral,
                actor=actor,
                reason=reason,
                type=MessageType.CONSENT_REVOKED,
                request=request,
            )
            done.append(referral)
    return done


# --- answering a referral received -----------------------------------------------------------------


def _require_receiver(actor, referral: TransnationalReferral) -> None:
    if not access.can_answer_transnational(actor, referral):
        raise PermissionDenied(
            _("Only a coordinator of the country it was sent to answers this referral.")
        )


def accept_incoming_referral(
    referral: TransnationalReferral,
    *,
    actor,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> TransnationalReferral:
    """Accept: create the person and the case here, link them, tell the sender."""
    _require_receiver(actor, referral)
    _check_status(referral, [Status.RECEIVED])
    with transaction.atomic():
        _locked(referral, expected_version)
        _check_status(referral, [Status.RECEIVED])
        record = referral.payload
        person = register_person(actor=actor, request=request, **payload.person_fields(record))
        case = open_case(person, actor=actor, request=request, **payload.case_fields(record))
        needs = [n for n in record.get("crd_Needs") or [] if n in NEED_CODES]
        if needs:
            record_needs_assessment(
                case,
                actor=actor,
                needs=needs,
                notes=_("Needs assessed in {country}, received with referral {ref}.").format(
                    country=referral.partner.get_country_display(), ref=referral.reference
                ),
                request=request,
            )
        now = timezone.now()
        _move(
            referral,
            actor=actor,
            status=Status.ACCEPTED,
            request=request,
            case=case,
            responded_by=actor,
            responded_at=now,
        )
        StatusReport.objects.create(
            referral=referral, status=Status.ACCEPTED, at=now, reported_by=actor
        )
        enqueue(
            referral.partner,
            type=MessageType.ACCEPTED,
            referral=referral,
            body={
                "partner_referral_id": str(referral.uid),
                "reference": referral.reference,
                "at": now.isoformat(),
            },
            actor=actor,
            request=request,
        )
    return referral


def decline_incoming_referral(
    referral: TransnationalReferral,
    *,
    actor,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> TransnationalReferral:
    """Decline, saying why (the reason is sent back); the data received is erased."""
    _require_receiver(actor, referral)
    reason = (reason or "").strip()[:MAX_REASON]
    if not reason:
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    _check_status(referral, [Status.RECEIVED])
    with transaction.atomic():
        _locked(referral, expected_version)
        _check_status(referral, [Status.RECEIVED])
        now = timezone.now()
        _move(
            referral,
            actor=actor,
            status=Status.DECLINED,
            request=request,
            reason=reason,
            decline_reason=reason,
            responded_by=actor,
            responded_at=now,
            payload={},
            data_erased_at=now,
        )
        enqueue(
            referral.partner,
            type=MessageType.DECLINED,
            referral=referral,
            body={"reason": reason, "reference": referral.reference, "at": now.isoformat()},
            actor=actor,
            request=request,
        )
    return referral


def report_status(
    referral: TransnationalReferral,
    status: str,
    month: int | None = None,
    *,
    actor,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> TransnationalReferral:
    """Report how the person is doing (assisted, returned, follow-up at 3/6/12 months)."""
    _require_receiver(actor, referral)
    errors: dict[str, str] = {}
    if status not in REPORTABLE:
        errors["status"] = _("Report one of: {choices}.").format(
            choices=", ".join(str(Status(s).label) for s in REPORTABLE)
        )
    elif status == Status.REINTEGRATION_FOLLOWUP and month not in FOLLOWUP_MONTHS:
        errors["month"] = _("A reintegration follow-up is at 3, 6 or 12 months.")
    elif status != Status.REINTEGRATION_FOLLOWUP and month is not None:
        errors["month"] = _("Months are given only for a reintegration follow-up.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked(referral, expected_version)
        _check_status(referral, [Status.ACCEPTED, *REPORTABLE])
        if rank(status, month) <= rank(current.status, current.followup_month):
            raise ValidationError(
                {
                    "status": _(
                        "The referral is already at {status}: a report moves it forward only."
                    ).format(status=current.status_label())
                }
            )
        now = timezone.now()
        _move(referral, actor=actor, status=status, request=request, followup_month=month)
        StatusReport.objects.create(
            referral=referral, status=status, month=month, at=now, reported_by=actor
        )
        enqueue(
            referral.partner,
            type=MessageType.STATUS,
            referral=referral,
            body={"status": status, "month": month, "at": now.isoformat()},
            actor=actor,
            request=request,
        )
    return referral


def view_referral(referral: TransnationalReferral, *, actor, request: HttpRequest | None = None):
    """Audit a read of a referral's details (they hold the person's data)."""
    record_event(
        Action.VIEW,
        actor=actor,
        obj=referral,
        request=request,
        details={"direction": referral.direction, "partner": referral.partner.country},
    )


# --- applying the partner's messages (called by the inbox, inside its transaction) -------------


def _text(value, limit: int = 300) -> str:
    return str(value)[:limit] if isinstance(value, str | int | float) else ""


def _moment(body: dict) -> datetime:
    try:
        at = datetime.fromisoformat(body.get("at") or "")
    except (TypeError, ValueError):
        return timezone.now()
    return at if at.tzinfo is not None else timezone.now()


def _uuid(value, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationError({field: _("Expected a UUID.")}) from None


def _partner_reference(body: dict) -> str:
    """The partner's reference of the referral in a message's body; "" where there is none
    (a partner of an older version sends none); refused where it is not a reference."""
    value = body.get("reference")
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not PARTNER_REFERENCE.match(value):
        raise ValidationError({"reference": _("Expected a reference such as X-1A2B3C4D.")})
    return value


def _save_under_reference(referral: TransnationalReferral, reference: str) -> None:
    """Save a referral received under the sender's reference, so that both countries quote
    the same one. Where a referral here already holds it (two random references alike: one
    chance in a million million; or two instances sharing one database, in tests) it keeps
    a reference of its own, and shows the sender's beside it (`partner_reference`)."""
    if reference and not TransnationalReferral.objects.filter(reference=reference).exists():
        referral.reference = reference
        try:
            with transaction.atomic():
                referral.save()
        except IntegrityError:  # taken a moment ago, or the same offer arriving twice at once
            referral.reference = transnational_reference()
        else:
            return
    referral.save()


def _outgoing(partner: Partner, message: dict) -> TransnationalReferral:
    rid = _uuid(message["referral_id"], "referral_id")
    referral = (
        TransnationalReferral.objects.select_for_update(of=("self",))
        .select_related("case__owner_agency", "case__coordinator", "created_by", "partner")
        .filter(direction=Direction.OUTGOING, partner=partner, uid=rid)
        .first()
    )
    if referral is None:
        raise ValidationError({"referral_id": _("No referral was sent to you with this id.")})
    return referral


def _incoming(partner: Partner, message: dict) -> TransnationalReferral | None:
    rid = _uuid(message["referral_id"], "referral_id")
    return (
        TransnationalReferral.objects.select_for_update(of=("self",))
        .select_related("partner", "case", "responded_by")
        .filter(direction=Direction.INCOMING, partner=partner, remote_id=rid)
        .first()
    )


def handle_offer(partner: Partner, message: dict):
    body = message["body"]
    purpose, categories, record = body.get("purpose"), body.get("categories"), body.get("record")
    payload.validate_incoming(purpose, categories, record)
    rid = _uuid(message["referral_id"], "referral_id")
    if TransnationalReferral.objects.filter(
        direction=Direction.INCOMING, partner=partner, remote_id=rid
    ).exists():
        raise ValidationError({"referral_id": _("This referral was already offered.")})
    reference = _partner_reference(body)
    sender = body.get("sender") if isinstance(body.get("sender"), dict) else {}
    now = timezone.now()
    referral = TransnationalReferral(
        direction=Direction.INCOMING,
        partner=partner,
        remote_id=rid,
        partner_reference=reference,
        recipient_country=settings.CORRIDOR_COUNTRY,
        purpose=purpose,
        categories=[c for c in Consent.DataCategory.values if c in categories],
        sender={
            k: _text(sender.get(k))
            for k in ("country", "agency", "contact_name", "contact_email", "case_reference")
        },
        status=Status.RECEIVED,
        created_at=now,
        received_at=now,
    )
    referral.payload = record
    _save_under_reference(referral, reference)
    record_event(
        Action.CREATE,
        obj=referral,
        details={
            "direction": Direction.INCOMING,
            "partner": partner.country,
            "partner_reference": reference,
            "purpose": purpose,
            "categories": referral.categories,
        },
    )
    ref, name, label = referral.reference, partner.name, Purpose(purpose).label
    _tell(
        _coordinators_of_country(referral.recipient_country),
        lambda: _(
            "New transnational referral {ref} from {partner} for {purpose}: accept or decline it."
        ).format(ref=ref, partner=name, purpose=label),
        referral,
    )
    return "accepted", referral


def _status_changed(referral, status_text_fn) -> None:
    ref, case_ref = referral.reference, referral.case.reference
    _tell(
        _followers(referral),
        lambda: _("Transnational referral {ref} (case {case}): {news}").format(
            ref=ref, case=case_ref, news=status_text_fn()
        ),
        referral,
    )


def _apply_from_partner(referral, *, status: str, at, message_type: str, **fields) -> None:
    previous = referral.status
    referral.status = status
    for name, value in fields.items():
        setattr(referral, name, value)
    save_versioned(referral, referral.version, ["status", *fields])
    record_event(
        Action.CHANGE,
        obj=referral,
        details={
            "status": [previous, status],
            "message": message_type,
            "from": referral.partner.country,
        },
    )


def handle_accepted(partner: Partner, message: dict):
    referral = _outgoing(partner, message)
    if referral.status not in (Status.SENT, Status.RECEIVED):
        return f"ignored: the referral is {referral.status}", referral
    body = message["body"]
    at = _moment(body)
    _apply_from_partner(
        referral,
        status=Status.ACCEPTED,
        at=at,
        message_type=message["type"],
        remote_id=_uuid(body.get("partner_referral_id"), "partner_referral_id"),
        partner_reference=_partner_reference(body) or referral.partner_reference,
        responded_at=at,
        received_at=referral.received_at or at,
    )
    StatusReport.objects.create(referral=referral, status=Status.ACCEPTED, at=at)
    name = partner.name
    _status_changed(referral, lambda: _("accepted by {partner}.").format(partner=name))
    return "accepted", referral


def handle_declined(partner: Partner, message: dict):
    referral = _outgoing(partner, message)
    if referral.status not in (Status.SENT, Status.RECEIVED):
        return f"ignored: the referral is {referral.status}", referral
    body = message["body"]
    at = _moment(body)
    _apply_from_partner(
        referral,
        status=Status.DECLINED,
        at=at,
        message_type=message["type"],
        decline_reason=_text(body.get("reason"), MAX_REASON),
        partner_reference=_partner_reference(body) or referral.partner_reference,
        responded_at=at,
        received_at=referral.received_at or at,
    )
    StatusReport.objects.create(referral=referral, status=Status.DECLINED, at=at)
    name = partner.name
    _status_changed(
        referral,
        lambda: _("declined by {partner}; see the reason and consider another way.").format(
            partner=name
        ),
    )
    return "accepted", referral


def handle_status(partner: Partner, message: dict):
    referral = _outgoing(partner, message)
    body = message["body"]
    status, month = body.get("status"), body.get("month")
    if status not in (Status.RECEIVED, *REPORTABLE):
        raise ValidationError({"status": _("Unknown status.")})
    if status == Status.REINTEGRATION_FOLLOWUP and month not in FOLLOWUP_MONTHS:
        raise ValidationError({"month": _("A reintegration follow-up is at 3, 6 or 12 months.")})
    if status != Status.REINTEGRATION_FOLLOWUP:
        month = None
    if referral.is_closed or rank(status, month) <= rank(referral.status, referral.followup_month):
        return f"ignored: the referral is already {referral.status}", referral
    at = _moment(body)
    _apply_from_partner(
        referral, status=status, at=at, message_type=message["type"], followup_month=month
    )
    StatusReport.objects.create(referral=referral, status=status, month=month, at=at)
    label = referral.status_label()
    _status_changed(referral, lambda: label)
    return "accepted", referral


def _handle_withdrawal(partner: Partner, message: dict, *, default_reason: str):
    referral = _incoming(partner, message)
    if referral is None:
        return "ignored: nothing received under this referral id", None
    if referral.status == Status.WITHDRAWN:
        return "ignored: already withdrawn", referral
    body = message["body"]
    reason = _text(body.get("reason"), MAX_REASON) or default_reason
    at = timezone.now()
    fields = {"payload_json": "", "data_erased_at": at}
    if referral.status != Status.DECLINED:
        fields.update(withdraw_reason=reason, withdrawn_at=at)
        status = Status.WITHDRAWN
    else:
        status = Status.DECLINED
    _apply_from_partner(referral, status=status, at=at, message_type=message["type"], **fields)
    ref, name = referral.reference, partner.name
    case_ref = referral.case.reference if referral.case_id else None

    def text() -> str:
        if case_ref:
            return _(
                "{partner} withdrew transnational referral {ref}: stop processing the data "
                "received with it, and close or restrict case {case} as your law requires."
            ).format(partner=name, ref=ref, case=case_ref)
        return _(
            "{partner} withdrew transnational referral {ref}; the data received was erased."
        ).format(partner=name, ref=ref)

    _tell(_receivers(referral), text, referral)
    return "accepted", referral


def handle_withdrawn(partner: Partner, message: dict):
    return _handle_withdrawal(
        partner, message, default_reason=_("The sending country withdrew the referral.")
    )


def handle_consent_revoked(partner: Partner, message: dict):
    return _handle_withdrawal(
        partner,
        message,
        default_reason=_("The person revoked the consent this referral relied on."),
    )


HANDLERS = {
    MessageType.OFFER: handle_offer,
    MessageType.ACCEPTED: handle_accepted,
    MessageType.DECLINED: handle_declined,
    MessageType.STATUS: handle_status,
    MessageType.WITHDRAWN: handle_withdrawn,
    MessageType.CONSENT_REVOKED: handle_consent_revoked,
    MessageType.LINKAGE_ENCODINGS: handle_linkage_encodings,
    MessageType.LINKAGE_MATCHES: handle_linkage_matches,
}
