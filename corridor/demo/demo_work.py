"""Putting the demo accounts to work on the synthetic data set.

The seed runs before the demo accounts exist, so its rows name no user. Once the accounts
are there, `prepare_demo_work` makes them the people who did the work their agencies did
(the responder screened and referred, the coordinator confirmed, scheduled and reviewed,
the provider recorded the services), assigns the coordinator her office's cases and leaves
each of them the notifications the services would have sent — a few of them unread. A
handful of UPDATEs and one insert per table, whatever the size of the data set.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.cases.models import CaseEvent, CaseReview, NeedsAssessment, ProtectionCase
from corridor.consent.models import Consent
from corridor.demo.bulk import Table
from corridor.notifications.models import Notification
from corridor.referrals.models import Referral, ServiceDelivery
from corridor.screening.models import Screening
from corridor.vocabularies import ServiceType

Status = ProtectionCase.Status
# (recipient, message, url, at, unread)
Note = tuple[User, str, str, datetime, bool]


def _users() -> dict[str, User]:
    names = ("responder", "coordinator", "provider", "investigator", "prosecutor")
    return {
        u.username: u
        for u in User.objects.filter(username__in=names, agency__isnull=False).select_related(
            "agency"
        )
    }


def prepare_demo_work(country: str) -> dict[str, int]:
    """Attribute the seeded work to the demo accounts and notify them; returns counts."""
    users = _users()
    done: dict[str, int] = {}
    with transaction.atomic():
        coordinator = users.get("coordinator")
        if coordinator is not None:
            done["coordinator_events"] = _coordinator_events(coordinator)
        for username in ("responder", "coordinator"):
            user = users.get(username)
            if user is not None:
                done[f"{username}_work"] = _own_agency_work(user)
        if coordinator is not None:
            done["coordinator_work"] = done.get("coordinator_work", 0) + _national_work(
                coordinator, country
            )
        provider = users.get("provider")
        if provider is not None:
            done["provider_work"] = ServiceDelivery.objects.filter(
                referral__to_agency_id=provider.agency_id, recorded_by__isnull=True
            ).update(recorded_by=provider)
        notified = set(
            Notification.objects.filter(recipient__in=list(users.values())).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [n for n in _notes(users, country) if n[0].pk not in notified]
        done["notifications"] = _notify(fresh)
    return done


def _coordinator_events(coordinator: User) -> int:
    """The history line of each case assigned to the demo coordinator."""
    assigned = (
        ProtectionCase.objects.filter(coordinator=coordinator)
        .exclude(events__kind=CaseEvent.Kind.COORDINATOR)
        .annotate(
            confirmed=Min("events__at", filter=_status_to(Status.PRESUMED_VICTIM)),
        )
        .values_list("pk", "opened_at", "confirmed")
    )
    table = Table(CaseEvent, ["case_id", "kind", "to_value", "actor_id", "at"])
    return table.insert(
        (pk, CaseEvent.Kind.COORDINATOR, coordinator.username, coordinator.pk, confirmed or opened)
        for pk, opened, confirmed in assigned
    )


def _status_to(status: str) -> Q:
    return Q(events__kind=CaseEvent.Kind.STATUS, events__to_value=status)


def _own_agency_work(user: User) -> int:
    """What the user's agency did, done by the user."""
    agency = user.agency_id
    n = Screening.objects.filter(agency_id=agency, screened_by__isnull=True).update(
        screened_by=user
    )
    n += Referral.objects.filter(from_agency_id=agency, created_by__isnull=True).update(
        created_by=user
    )
    n += Consent.objects.filter(case__owner_agency_id=agency, recorded_by__isnull=True).update(
        recorded_by=user
    )
    n += CaseEvent.objects.filter(
        case__owner_agency_id=agency,
        kind__in=[CaseEvent.Kind.OPENED, CaseEvent.Kind.PROPOSAL],
        actor__isnull=True,
    ).update(actor=user)
    return n


def _national_work(coordinator: User, country: str) -> int:
    """What the NRM coordinators of the country did, done by the demo coordinator."""
    cases = ProtectionCase.objects.filter(owner_agency__country=country)
    n = CaseEvent.objects.filter(
        case__in=cases,
        kind__in=[
            CaseEvent.Kind.STATUS,
            CaseEvent.Kind.REFLECTION,
            CaseEvent.Kind.EXTENSION,
            CaseEvent.Kind.PRINCIPLES,
            CaseEvent.Kind.RISK,
        ],
        actor__isnull=True,
    ).update(actor=coordinator)
    n += CaseReview.objects.filter(case__in=cases, scheduled_by__isnull=True).update(
        scheduled_by=coordinator
    )
    n += CaseReview.objects.filter(
        case__in=cases, done_on__isnull=False, done_by__isnull=True
    ).update(done_by=coordinator)
    n += NeedsAssessment.objects.filter(case__in=cases, assessor__isnull=True).update(
        assessor=coordinator
    )
    n += cases.filter(assistance_unconditional=True, unconditional_attested_by__isnull=True).update(
        unconditional_attested_by=coordinator
    )
    return n


def _render(user: User, message) -> str:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        return str(message())[:300]


def _referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.reference])


def _notes(users: dict[str, User], country: str) -> list[Note]:
    """The notifications the services would have sent the demo accounts, newest first."""
    notes: list[Note] = []
    referrals = Referral.objects.select_related("case", "to_agency")
    for username in ("provider", "investigator", "prosecutor"):
        user = users.get(username)
        if user is None:
            continue
        received = referrals.filter(to_agency_id=user.agency_id).order_by("-created_at")[:6]
        for i, r in enumerate(received):
            ref, case, service = r.reference, r.case.reference, ServiceType(r.service_type).label
            notes.append(
                (
                    user,
                    _render(
                        user,
                        lambda ref=ref, case=case, service=service: _(
                            "New referral {ref}: case {case} referred to your agency for {service}."
                        ).format(ref=ref, case=case, service=service),
                    ),
                    _referral_url(r),
                    r.created_at,
                    i < 3,
                )
            )
    coordinator = users.get("coordinator")
    if coordinator is not None:
        national = referrals.filter(case__owner_agency__country=country)
        declined = national.filter(status=Referral.Status.DECLINED).order_by("-responded_at")[:4]
        for i, r in enumerate(declined):
            ref, case, agency = r.reference, r.case.reference, r.to_agency.name
            notes.append(
                (
                    coordinator,
                    _render(
                        coordinator,
                        lambda ref=ref, case=case, agency=agency: _(
                            "Referral {ref} (case {case}) was declined by {agency}: the case "
                            "needs another referral."
                        ).format(ref=ref, case=case, agency=agency),
                    ),
                    _referral_url(r),
                    r.responded_at or r.created_at,
                    i < 2,
                )
            )
        overdue = national.filter(
            status=Referral.Status.SENT, overdue_notified_at__isnull=False
        ).order_by("-overdue_notified_at")[:4]
        limit = settings.CORRIDOR_REFERRAL_RESPONSE_HOURS
        for i, r in enumerate(overdue):
            ref, case, agency = r.reference, r.case.reference, r.to_agency.name
            hours = int((r.overdue_notified_at - r.created_at).total_seconds() // 3600)
            notes.append(
                (
                    coordinator,
                    _render(
                        coordinator,
                        lambda ref=ref, case=case, agency=agency, hours=hours: _(
                            "Referral {ref} (case {case}) to {agency} has waited {hours} hours "
                            "for an answer (limit {limit} hours): it is back in your queue."
                        ).format(ref=ref, case=case, agency=agency, hours=hours, limit=limit),
                    ),
                    _referral_url(r),
                    r.overdue_notified_at,
                    i < 2,
                )
            )
        proposals = (
            CaseEvent.objects.filter(
                kind=CaseEvent.Kind.PROPOSAL,
                case__status=Status.IDENTIFIED,
                case__owner_agency__country=country,
            )
            .select_related("case")
            .order_by("-at")[:3]
        )
        for i, event in enumerate(proposals):
            reference = event.case.reference
            notes.append(
                (
                    coordinator,
                    _render(
                        coordinator,
                        lambda reference=reference: _(
                            "Case {reference}: please confirm presumed-victim status."
                        ).format(reference=reference),
                    ),
                    reverse("cases:detail", args=[reference]),
                    event.at,
                    i < 1,
                )
            )
    responder = users.get("responder")
    if responder is not None:
        answered = referrals.filter(
            from_agency_id=responder.agency_id, responded_at__isnull=False
        ).order_by("-responded_at")[:4]
        for i, r in enumerate(answered):
            status, ref, case, agency = r.status, r.reference, r.case.reference, r.to_agency.name
            notes.append(
                (
                    responder,
                    _render(
                        responder,
                        lambda s=status, ref=ref, case=case, agency=agency: _answered(
                            s, ref, case, agency
                        ),
                    ),
                    _referral_url(r),
                    r.completed_at if status == Referral.Status.COMPLETED else r.responded_at,
                    i < 2,
                )
            )
    return notes


def _answered(status: str, ref: str, case: str, agency: str) -> str:
    """What the services tell the sender of a referral once it is answered."""
    if status == Referral.Status.DECLINED:
        return _(
            "Referral {ref} (case {case}) was declined by {agency}: the case needs another "
            "referral."
        ).format(ref=ref, case=case, agency=agency)
    if status == Referral.Status.COMPLETED:
        return _("Referral {ref} (case {case}) was completed by {agency}.").format(
            ref=ref, case=case, agency=agency
        )
    return _("Referral {ref} (case {case}) was accepted by {agency}.").format(
        ref=ref, case=case, agency=agency
    )


def _notify(notes: list[Note]) -> int:
    now = timezone.now()
    table = Table(Notification, ["recipient_id", "message", "url", "created_at", "read_at"])
    return table.insert(
        (user.pk, message, url, at, None if unread else min(at + timedelta(hours=2), now))
        for user, message, url, at, unread in notes
    )
