"""What each role has to do today: the home page's content, scoped like every other list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Role, User
from corridor.cases.models import ProtectionCase
from corridor.cases.services import reviews_due_for
from corridor.core.paging import capped
from corridor.incidents import counting
from corridor.people.services import view_person_list
from corridor.referrals.models import Referral
from corridor.referrals.services import waiting_for
from corridor.screening.services import screenings_visible_to
from corridor.vocabularies import Exploitation

Status = ProtectionCase.Status
OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]
NEW_DAYS = 14  # what the home pages call recent: this fortnight's screenings and presumptions


@dataclass
class Section:
    title: str
    figures: list[tuple[str, int | str]] = field(default_factory=list)
    cases: list = field(default_factory=list)
    cases_title: str = ""
    referrals: list = field(default_factory=list)
    referrals_title: str = ""
    # a second table of referrals: the provider's services under way, after the new ones
    more_referrals: list = field(default_factory=list)
    more_referrals_title: str = ""
    waiting: list = field(default_factory=list)
    waiting_total: int = 0
    waiting_more: bool = False  # more than waiting_total (corridor.core.paging)
    reviews: list = field(default_factory=list)
    screenings: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    link: tuple[str, str] | None = None
    empty: str = ""
    kind: str = ""

    def persons(self) -> list:
        """The persons the section's rows name, so that one audited look redacts them all."""
        rows = [*self.cases, *self.screenings]
        rows += [r.case for r in (*self.referrals, *self.more_referrals)]
        rows += [item.case for item in self.waiting]
        return [row.person for row in rows]

    @property
    def has_rows(self) -> bool:
        return any(
            (
                self.cases,
                self.referrals,
                self.more_referrals,
                self.waiting,
                self.reviews,
                self.screenings,
                self.incidents,
            )
        )


def _responder(user: User) -> Section:
    cases = (
        access.cases_visible_to(user)
        .filter(status__in=[Status.IDENTIFIED, Status.PRESUMED_VICTIM], referrals__isnull=True)
        .select_related("person")
        .order_by("-opened_at")[:10]
    )
    since = timezone.now() - timedelta(days=NEW_DAYS)
    screenings = (
        screenings_visible_to(user)
        .filter(agency_id=user.agency_id, screened_at__gte=since)
        .select_related("person", "catalogue")
        .order_by("-screened_at")[:10]
    )
    return Section(
        _("Your agency's screenings and the persons still waiting for a referral"),
        screenings=list(screenings),
        cases=list(cases),
        cases_title=_("Persons identified and not referred yet"),
        link=(reverse("screening:start"), _("Screen a person")),
        empty=_("Nobody is waiting: every person you identified has been referred."),
        kind="responder",
    )


def _at_most(rows, limit: int) -> int | str:
    """A figure counted no further than the limit (corridor.core.paging): "more than N"."""
    count, more = capped(rows, limit)
    return _("more than {n}").format(n=number_format(count)) if more else count


def _coordinator(user: User) -> Section:
    visible = access.cases_visible_to(user)
    limit = settings.CORRIDOR_COUNT_LIMIT
    waiting = waiting_for(user)
    waiting_total, waiting_more = capped(waiting, limit)
    since = timezone.now() - timedelta(days=NEW_DAYS)
    presumed = (
        visible.filter(status=Status.PRESUMED_VICTIM, opened_at__gte=since)
        .select_related("person", "owner_agency")
        .order_by("-opened_at")[:10]
    )
    return Section(
        _("National referral: who is waiting, and for how long"),
        figures=[
            (str(Status(s).label), _at_most(visible.filter(status=s), limit)) for s in OPEN_STATUSES
        ],
        cases=list(presumed),
        cases_title=_("Newly presumed victims"),
        waiting=list(waiting[:10]),
        waiting_total=waiting_total,
        waiting_more=waiting_more,
        reviews=list(reviews_due_for(user)[:10]),
        link=(reverse("referrals:queue"), _("Open the referral queue")),
        empty=_("Nobody is waiting: every case has an answered referral."),
        kind="coordinator",
    )


def _provider(user: User) -> Section:
    """New referrals waiting for an answer first, then the services under way."""
    received = Referral.objects.filter(
        access.CONSENT_STANDS, to_agency_id=user.agency_id
    ).select_related("case__person", "from_agency")
    new = received.filter(status=Referral.Status.SENT).order_by("created_at", "pk")[:20]
    under_way = received.filter(
        status__in=[Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS]
    ).order_by(F("responded_at").desc(nulls_last=True), "-pk")[:20]
    return Section(
        _("Referrals to your agency that need an answer or a service"),
        referrals=list(new),
        referrals_title=_("New referrals waiting for your answer"),
        more_referrals=list(under_way),
        more_referrals_title=_("Accepted: services to deliver"),
        link=(reverse("referrals:directory"), _("Publish your free places")),
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
    incidents = access.incidents_visible_to(user).order_by("-created_at")[:10]
    return Section(
        _("Incidents and open cases your agency works on"),
        incidents=list(incidents),
        cases=list(cases),
        cases_title=_("Open protection cases"),
        empty=_("Your agency has no open case or incident."),
        kind="investigator",
    )


def _analyst(user: User) -> Section:
    """Counts only: analysts see no personal data, and counts under 10 are suppressed."""
    counts = counting.count_for(user)
    figures = [
        (_("Victims (distinct persons)"), counts.victims),
        (_("Incidents"), counts.incidents),
        (_("Smuggled migrants in need of assistance"), counts.smuggled_migrants),
        (_("Protection cases"), counts.cases),
    ]
    figures += [
        (str(Exploitation(code).label), cell)
        for code, cell in sorted(counts.by_exploitation.items())
        if code in Exploitation.values
    ]
    return Section(
        _("National figures (counts under 10 are not shown)"),
        figures=figures,
        link=(reverse("incidents:list"), _("Counts by route, sex, age and nationality")),
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
        link=(reverse("audit:verify"), _("Verify the audit chain")),
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


def today_for(user: User, *, request: HttpRequest | None = None) -> list[Section]:
    """The user's sections; the persons they name are redacted to what the user may see,
    and that look is audited like any list of persons."""
    sections, seen = [], set()
    for role, build in SECTIONS:
        if user.has_role(role) and build not in seen:
            seen.add(build)
            sections.append(build(user))
    persons = [person for section in sections for person in section.persons()]
    if persons:
        view_person_list(persons, actor=user, request=request)
    return sections
