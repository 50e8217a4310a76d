"""The retention rules: how long each kind of record is kept, and who is due for erasure.

The unit of erasure is the person: her record and everything written about her in the other
apps (screenings, age assessments, protection cases and their history, consents, referrals
and services delivered, transnational referrals, the incidents she was found in). A person
is due under one of two rules, each configured in the settings:

- `unidentified` — screened or registered, never identified as a victim: no protection case
  but ones closed as "not a victim", and never linked to an incident as a victim. Kept
  `CORRIDOR_RETAIN_UNIDENTIFIED_SCREENING_DAYS` (365) after the last thing recorded about
  her: a screening with no indicators is not a reason to keep a file on someone.
- `closed_case` — identified as a (presumed) victim, and every protection case of hers
  closed. Kept `CORRIDOR_RETAIN_CLOSED_CASE_YEARS` (5) after the last thing recorded about
  her — in practice her last case closure: long enough for a victim who comes back
  (re-trafficking) to find her history, and for the claims and appeals of the usual
  limitation periods. Longer needs (a trial) are what legal holds are for.

"The last thing recorded" is the latest of: the record's creation, a screening, an age
assessment, a case opened or closed, a consent given or revoked, a referral sent, answered,
completed or withdrawn, a transnational referral changed, a link to an incident. Anything
since the cutoff keeps everything.

Never due, whatever the dates (`grounds_to_keep` says why in words, for a refused request):
a person under an active legal hold; with a protection case still open; with a referral
still open; with an offence she was compelled to commit still awaiting its non-punishment
decision; with a message to a partner country not yet delivered. Nor a person already
erased. A period of 0 switches its rule off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from corridor.cases.models import CompelledOffence, ProtectionCase
from corridor.consent.models import Consent
from corridor.crossborder.models import OutboxMessage, TransnationalReferral
from corridor.incidents.models import IncidentVictim
from corridor.people.models import Person
from corridor.referrals.models import Referral
from corridor.retention.models import Erasure, ErasureRequest, LegalHold
from corridor.screening.models import AgeAssessment, Screening

Status = ProtectionCase.Status
Ground = ErasureRequest.Ground


@dataclass(frozen=True)
class Rule:
    code: str
    setting: str
    unit: str  # "days" or "years"
    default: int
    description: str  # a lazy translation

    @property
    def label(self) -> str:
        return str(Erasure.Rule(self.code).label)

    @property
    def period(self) -> int:
        return int(getattr(settings, self.setting, self.default))

    @property
    def enabled(self) -> bool:
        return self.period > 0

    def period_display(self) -> str:
        n = self.period
        if n <= 0:
            return str(_("never erased (rule switched off)"))
        if self.unit == "days":
            return ngettext("{count} day", "{count} days", n).format(count=n)
        return ngettext("{count} year", "{count} years", n).format(count=n)

    def cutoff(self, now: datetime) -> datetime | None:
        """Records with nothing recorded since this moment are due; None: the rule is off."""
        n = self.period
        if n <= 0:
            return None
        if self.unit == "days":
            return now - timedelta(days=n)
        return years_before(now, n)

    def due(self, now: datetime, *, held: bool = False) -> QuerySet[Person]:
        """The persons due for erasure under this rule at `now` (with `held`: those that
        would be, but for a legal hold)."""
        cutoff = self.cutoff(now)
        if cutoff is None:
            return Person.objects.none()
        persons = (
            Person.objects.filter(created_at__lt=cutoff)
            .exclude(pk__in=Erasure.objects.values("person_id"))
            .exclude(_active_since(cutoff))
            .exclude(_obligations())
        )
        identified = _identified()
        persons = (
            persons.filter(identified)
            if self.code == Erasure.Rule.CLOSED_CASE
            else persons.exclude(identified)
        )
        holds = Q(pk__in=LegalHold.objects.active().values("person_id"))
        return persons.filter(holds) if held else persons.exclude(holds)


RULES: tuple[Rule, ...] = (
    Rule(
        Erasure.Rule.UNIDENTIFIED,
        "CORRIDOR_RETAIN_UNIDENTIFIED_SCREENING_DAYS",
        "days",
        365,
        _(
            "Persons screened or registered but never identified as victims, after the last "
            "thing recorded about them"
        ),
    ),
    Rule(
        Erasure.Rule.CLOSED_CASE,
        "CORRIDOR_RETAIN_CLOSED_CASE_YEARS",
        "years",
        5,
        _("Identified victims whose protection cases are all closed, after the last closure"),
    ),
)


def rule(code: str) -> Rule:
    return next(r for r in RULES if r.code == code)


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


# Persons are matched with `pk IN (subquery)`, evaluated once, rather than correlated EXISTS
# (see the note in accounts/access.py): the job looks at every person of the instance.


def _identified() -> Q:
    cases = ProtectionCase.objects.exclude(
        status=Status.CLOSED, closure_reason=ProtectionCase.ClosureReason.NOT_A_VICTIM
    )
    victims = IncidentVictim.objects.filter(role=IncidentVictim.Role.VICTIM)
    return Q(pk__in=cases.values("person_id")) | Q(pk__in=victims.values("person_id"))


def _active_since(cutoff: datetime) -> Q:
    day = cutoff.date()
    referrals = Referral.objects.filter(
        Q(created_at__gte=cutoff)
        | Q(responded_at__gte=cutoff)
        | Q(completed_at__gte=cutoff)
        | Q(withdrawn_at__gte=cutoff)
        | Q(deliveries__delivered_on__gte=day)
    )
    return (
        Q(created_at__gte=cutoff)
        | Q(pk__in=Screening.objects.filter(screened_at__gte=cutoff).values("person_id"))
        | Q(pk__in=AgeAssessment.objects.filter(assessed_at__gte=cutoff).values("person_id"))
        | Q(
            pk__in=ProtectionCase.objects.filter(
                Q(opened_at__gte=cutoff) | Q(closed_at__gte=cutoff)
            ).values("person_id")
        )
        | Q(
            pk__in=Consent.objects.filter(
                Q(given_at__gte=cutoff) | Q(revoked_at__gte=cutoff)
            ).values("person_id")
        )
        | Q(pk__in=referrals.values("case__person_id"))
        | Q(
            pk__in=TransnationalReferral.objects.filter(updated_at__gte=cutoff).values(
                "case__person_id"
            )
        )
        | Q(pk__in=IncidentVictim.objects.filter(added_at__gte=cutoff).values("person_id"))
    )


def _obligations() -> Q:
    """What keeps a person's records whatever their age, legal holds aside."""
    return (
        Q(pk__in=ProtectionCase.objects.exclude(status=Status.CLOSED).values("person_id"))
        | Q(pk__in=Referral.objects.filter(status__in=Referral.OPEN).values("case__person_id"))
        | Q(
            pk__in=CompelledOffence.objects.filter(
                decision=CompelledOffence.Decision.PENDING
            ).values("case__person_id")
        )
        | Q(
            pk__in=OutboxMessage.objects.filter(
                status=OutboxMessage.Status.PENDING, referral__case__isnull=False
            ).values("referral__case__person_id")
        )
    )


def grounds_to_keep(person: Person) -> list[dict]:
    """Why this person's records must be kept now, each ground with its particulars (no
    content: references, agencies, dates); empty when they may be erased."""
    grounds: list[dict] = []
    for hold in LegalHold.objects.active().filter(person=person).select_related("agency"):
        grounds.append(
            {
                "ground": Ground.LEGAL_HOLD,
                "reference": hold.reference,
                "agency": hold.agency.name,
                "date": hold.placed_at.date().isoformat(),
            }
        )
    for case in (
        ProtectionCase.objects.filter(person=person).exclude(status=Status.CLOSED).order_by("pk")
    ):
        grounds.append(
            {"ground": Ground.OPEN_CASE, "reference": case.reference, "stage": case.status}
        )
    open_referrals = Referral.objects.filter(case__person=person, status__in=Referral.OPEN)
    for referral in open_referrals.select_related("to_agency").order_by("pk"):
        grounds.append(
            {
                "ground": Ground.OPEN_REFERRAL,
                "reference": referral.reference,
                "agency": referral.to_agency.name,
            }
        )
    pending = CompelledOffence.objects.filter(
        case__person=person, decision=CompelledOffence.Decision.PENDING
    )
    for reference in sorted(set(pending.values_list("case__reference", flat=True))):
        grounds.append({"ground": Ground.PENDING_DECISION, "reference": reference})
    in_transit = OutboxMessage.objects.filter(
        referral__case__person=person, status=OutboxMessage.Status.PENDING
    )
    for reference in sorted(set(in_transit.values_list("referral__case__reference", flat=True))):
        grounds.append({"ground": Ground.MESSAGE_IN_TRANSIT, "reference": reference})
    return grounds
