"""What each role has to do today: the home page's content, scoped like every other list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Role, User
from corridor.cases.models import ProtectionCase
from corridor.referrals.models import Referral

Status = ProtectionCase.Status
OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]
STALE_AFTER = timedelta(hours=48)


@dataclass
class Section:
    title: str
    figures: list[tuple[str, int]] = field(default_factory=list)
    cases: list = field(default_factory=list)
    cases_title: str = ""
    referrals: list = field(default_factory=list)
    referrals_title: str = ""
    empty: str = ""
    kind: str = ""


def _responder(user: User) -> Section:
    cases = (
        access.cases_visible_to(user)
        .filter(status__in=[Status.IDENTIFIED, Status.PRESUMED_VICTIM])
        .select_related("person")
        .order_by("-opened_at")[:10]
    )
    return Section(
        _("Persons you identified who still wait for a referral"),
        cases=list(cases),
        empty=_("Nobody is waiting: every person you identified has been referred."),
        kind="responder",
    )


def _coordinator(user: User) -> Section:
    visible = access.cases_visible_to(user)
    counts = dict(
        visible.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    stale = (
        access.referrals_visible_to(user)
        .filter(status=Referral.Status.SENT, created_at__lt=timezone.now() - STALE_AFTER)
        .select_related("case", "to_agency")
        .order_by("created_at")[:10]
    )
    return Section(
        _("National referral: cases to move on"),
        figures=[(str(Status(s).label), counts.get(s, 0)) for s in OPEN_STATUSES],
        referrals=list(stale),
        referrals_title=_("Referrals unanswered for more than 48 hours"),
        cases_title=_("Presumed victims waiting longest for a referral"),
        cases=list(
            visible.filter(status=Status.PRESUMED_VICTIM)
            .select_related("person")
            .order_by("opened_at")[:10]
        ),
        empty=_("No referral has been left unanswered for more than 48 hours."),
        kind="coordinator",
    )


def _provider(user: User) -> Section:
    incoming = (
        Referral.objects.filter(
            to_agency_id=user.agency_id,
            status__in=[
                Referral.Status.SENT,
                Referral.Status.ACCEPTED,
                Referral.Status.IN_PROGRESS,
            ],
        )
        .select_related("case", "from_agency")
        .order_by("created_at")[:20]
    )
    return Section(
        _("Referrals to your agency that need an answer or a service"),
        referrals=list(incoming),
        empty=_("No referral is waiting for your agency."),
        kind="provider",
    )


def _investigator(user: User) -> Section:
    cases = (
        access.cases_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("person")
        .order_by("-opened_at")[:10]
    )
    return Section(
        _("Open cases your agency works on"),
        cases=list(cases),
        empty=_("Your agency has no open case."),
        kind="investigator",
    )


def _analyst(user: User) -> Section:
    """Counts only: analysts see no personal data, and counts under 10 are suppressed."""
    by_status = dict(
        ProtectionCase.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    figures = [
        (str(Status(s).label), n if n >= 10 else "<10") for s, n in sorted(by_status.items())
    ]
    return Section(
        _("Protection cases by stage (counts under 10 are not shown)"),
        figures=figures,
        kind="analyst",
    )


def _administrator(user: User) -> Section:
    from corridor.audit.models import AuditEvent

    since = timezone.now() - timedelta(days=1)
    return Section(
        _("Instance administration"),
        figures=[
            (_("Active users"), User.objects.filter(is_active=True).count()),
            (
                _("Audit events in the last 24 hours"),
                AuditEvent.objects.filter(at__gte=since).count(),
            ),
            (
                _("Emergency accesses in the last 24 hours"),
                AuditEvent.objects.filter(
                    at__gte=since, action=AuditEvent.Action.BREAK_GLASS
                ).count(),
            ),
        ],
        kind="administrator",
    )


SECTIONS = [
    (Role.FIRST_RESPONDER, _responder),
    (Role.COORDINATOR, _coordinator),
    (Role.SERVICE_PROVIDER, _provider),
    (Role.INVESTIGATOR, _investigator),
    (Role.PROSECUTOR, _investigator),
    (Role.ANALYST, _analyst),
    (Role.ADMINISTRATOR, _administrator),
]


def today_for(user: User) -> list[Section]:
    sections, seen = [], set()
    for role, build in SECTIONS:
        if user.has_role(role) and build not in seen:
            seen.add(build)
            sections.append(build(user))
    return sections
