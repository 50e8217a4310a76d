"""Business rules of legal cooperation requests: who sees them, each write (atomic, checked,
audited) and the reminders that keep a deadline from passing unnoticed.

Need-to-know (kept beside the requests, as incidents keep theirs): the investigators and
prosecutors of the owning office see and change its requests, and those who may see the
criminal case a request belongs to read it; nobody else sees one — a request names
suspects and victims, and protection staff stay on their side of the wall.
A request outside that scope answers 404 like one that does not exist. How long requests
take between two countries is a count, open to analysts too (`durations_by_country_pair`).
"""

from __future__ import annotations

import copy
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Role, User
from corridor.audit.services import Action, record_event
from corridor.cooperation.models import CooperationEvent, CooperationRequest
from corridor.core.concurrency import save_versioned
from corridor.notifications.services import notify
from corridor.vocabularies import country_name, is_country

Status = CooperationRequest.Status
JUSTICE_ROLES = (Role.INVESTIGATOR, Role.PROSECUTOR)

# Who may move a request from one status to the next (the answer is recorded with its date
# and outcome by `record_answer`, not as a bare status change).
TRANSITIONS = {
    Status.DRAFT: (Status.SENT, Status.WITHDRAWN),
    Status.SENT: (Status.ACKNOWLEDGED, Status.IN_EXECUTION, Status.WITHDRAWN),
    Status.ACKNOWLEDGED: (Status.IN_EXECUTION, Status.WITHDRAWN),
    Status.IN_EXECUTION: (Status.WITHDRAWN,),
}
ANSWERABLE = CooperationRequest.OPEN

EDITABLE_FIELDS = (
    "kind",
    "requested_country",
    "requested_authority",
    "subject",
    "their_reference",
    "due_on",
    "criminal_case",
)


# --- scope ------------------------------------------------------------------------------------


def may_work_on_requests(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.agency_id
        and user.has_role(*JUSTICE_ROLES)
    )


def requests_visible_to(user) -> QuerySet[CooperationRequest]:
    if not may_work_on_requests(user):
        return CooperationRequest.objects.none()
    return CooperationRequest.objects.filter(
        Q(owner_agency_id=user.agency_id)
        | Q(criminal_case__in=access.criminal_cases_visible_to(user).values("pk"))
    )


def get_request_for_user(user, reference: str) -> CooperationRequest:
    found = (
        requests_visible_to(user)
        .select_related("owner_agency", "responsible", "criminal_case")
        .filter(reference=str(reference).strip().upper())
        .first()
    )
    if found is None:
        raise Http404(_("No such request."))
    return found


def _criminal_case_in_scope(actor, criminal_case):
    """A request may name only a criminal case the actor's office works on."""
    if criminal_case is None:
        return None
    if not access.can_manage_criminal_case(actor, criminal_case):
        raise ValidationError({"criminal_case": _("No criminal case of your office has this.")})
    return criminal_case


# --- writes -----------------------------------------------------------------------------------


def _check_country(code: str, field: str) -> str:
    code = (code or "").strip().upper()
    if not is_country(code):
        raise ValidationError({field: _("Give the country as an ISO 3166 code, e.g. NG.")})
    return code


def _check_dates(req: CooperationRequest) -> None:
    errors = {}
    today = timezone.localdate()
    for field in ("sent_on", "received_on", "answered_on"):
        value = getattr(req, field)
        if value is not None and value > today:
            errors[field] = _("This date is in the future.")
    if req.sent_on and req.answered_on and req.answered_on < req.sent_on:
        errors["answered_on"] = _("The answer cannot come before the request was sent.")
    if req.sent_on and req.received_on and req.received_on < req.sent_on:
        errors["received_on"] = _("The request cannot be received before it was sent.")
    if req.sent_on and req.due_on and req.due_on < req.sent_on:
        errors["due_on"] = _("The deadline cannot fall before the request was sent.")
    if errors:
        raise ValidationError(errors)


def _apply_checked(req: CooperationRequest, changes: dict) -> None:
    """Set the changes on the request once its dates, so changed, are in order; a refused
    change leaves the instance as it was."""
    candidate = copy.copy(req)
    for name, value in changes.items():
        setattr(candidate, name, value)
    _check_dates(candidate)
    for name, value in changes.items():
        setattr(req, name, value)


def default_due_on(sent_on: date) -> date:
    return sent_on + timedelta(days=settings.CORRIDOR_COOPERATION_DEFAULT_DAYS)


def open_request(
    *,
    actor: User,
    kind: str,
    requested_country: str,
    subject: str,
    requested_authority: str = "",
    due_on: date | None = None,
    criminal_case=None,
    their_reference: str = "",
    direction: str = CooperationRequest.Direction.OUTGOING,
    requesting_country: str = "",
    requesting_authority: str = "",
    received_on: date | None = None,
    request: HttpRequest | None = None,
) -> CooperationRequest:
    """Draft an outgoing request, or record one received from abroad (already open)."""
    if not may_work_on_requests(actor):
        raise PermissionDenied(_("Only investigators and prosecutors make legal requests."))
    if kind not in CooperationRequest.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of request.")})
    if not (subject or "").strip():
        raise ValidationError({"subject": _("Say what is asked.")})
    own_country = actor.agency.country
    incoming = direction == CooperationRequest.Direction.INCOMING
    if incoming:
        requesting = _check_country(requesting_country, "requesting_country")
        requested = own_country
        requesting_authority = (requesting_authority or "").strip()
        if not requesting_authority:
            raise ValidationError({"requesting_authority": _("Name the requesting authority.")})
    else:
        requesting, requested = own_country, _check_country(requested_country, "requested_country")
        requesting_authority = actor.agency.name
    if requesting == requested:
        raise ValidationError(
            {"requested_country": _("A request for legal cooperation goes to another country.")}
        )
    req = CooperationRequest(
        kind=kind,
        direction=direction,
        owner_agency=actor.agency,
        responsible=actor,
        criminal_case=_criminal_case_in_scope(actor, criminal_case),
        requesting_country=requesting,
        requested_country=requested,
        requesting_authority=requesting_authority[:200],
        requested_authority=(requested_authority or "").strip()[:200],
        subject=subject.strip(),
        their_reference=(their_reference or "").strip()[:60],
        due_on=due_on,
        created_by=actor,
    )
    if incoming:
        req.status = Status.ACKNOWLEDGED
        req.received_on = received_on or timezone.localdate()
        req.sent_on = req.received_on
        req.due_on = due_on or default_due_on(req.received_on)
    _check_dates(req)
    with transaction.atomic():
        req.save()
        CooperationEvent.objects.create(request=req, actor=actor, to_status=req.status)
        record_event(
            Action.CREATE,
            actor=actor,
            obj=req,
            request=request,
            details={"kind": kind, "direction": direction, "to": requested, "from": requesting},
        )
    return req


def change_status(
    req: CooperationRequest,
    *,
    actor: User,
    status: str,
    expected_version: int,
    on: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> CooperationRequest:
    """Move the request on: sent (its deadline starts), acknowledged, in execution, withdrawn."""
    _check_may_change(actor, req)
    if status not in TRANSITIONS.get(req.status, ()):
        raise ValidationError(
            {
                "status": _("A request that is {current} cannot become {new}.").format(
                    current=Status(req.status).label.lower(),
                    new=Status(status).label.lower() if status in Status.values else status,
                )
            }
        )
    previous = req.status
    on = on or timezone.localdate()
    changes = {"status": status}
    if status == Status.SENT:
        changes["sent_on"] = on
        if req.due_on is None:
            changes["due_on"] = default_due_on(on)
    elif status == Status.ACKNOWLEDGED and req.received_on is None:
        changes["received_on"] = on
    _apply_checked(req, changes)
    changed = list(changes)
    with transaction.atomic():
        save_versioned(req, expected_version, changed)
        CooperationEvent.objects.create(
            request=req, actor=actor, from_status=previous, to_status=status, note=note.strip()
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=req,
            request=request,
            details={"from": previous, "to": status, "fields": changed},
        )
    return req


def record_answer(
    req: CooperationRequest,
    *,
    actor: User,
    outcome: str,
    answered_on: date,
    expected_version: int,
    notes: str = "",
    request: HttpRequest | None = None,
) -> CooperationRequest:
    """The other side answered: granted, in part, or refused, on a given day."""
    _check_may_change(actor, req)
    if req.status not in ANSWERABLE:
        raise ValidationError({"status": _("Only a request that was sent can be answered.")})
    if outcome not in CooperationRequest.Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    previous = req.status
    refused = outcome == CooperationRequest.Outcome.REFUSED
    _apply_checked(
        req,
        {
            "outcome": outcome,
            "answered_on": answered_on,
            "outcome_notes": notes.strip(),
            "status": Status.REFUSED if refused else Status.ANSWERED,
        },
    )
    with transaction.atomic():
        save_versioned(req, expected_version, ["outcome", "answered_on", "outcome_notes", "status"])
        CooperationEvent.objects.create(
            request=req, actor=actor, from_status=previous, to_status=req.status
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=req,
            request=request,
            details={"from": previous, "to": req.status, "outcome": outcome},
        )
    return req


def _check_may_change(actor, req: CooperationRequest) -> None:
    if not (may_work_on_requests(actor) and req.owner_agency_id == actor.agency_id):
        raise PermissionDenied(_("Only the owning office changes this request."))


def view_request(req: CooperationRequest, *, actor, request: HttpRequest | None = None) -> None:
    record_event(Action.VIEW, actor=actor, obj=req, request=request)


# --- reminders --------------------------------------------------------------------------------


def _people_to_tell(req: CooperationRequest) -> list[User]:
    """The responsible prosecutor, or the office's prosecutors when nobody is named."""
    if req.responsible and req.responsible.is_active:
        return [req.responsible]
    return [
        u
        for u in User.objects.filter(agency_id=req.owner_agency_id, is_active=True)
        if u.has_role(Role.PROSECUTOR)
    ]


def remind_cooperation_deadlines(*, now: datetime | None = None, log=None) -> dict[str, int]:
    """Tell the owning prosecutor, once each, that a deadline is near and that it passed.

    Each request is claimed by setting its marker in its own transaction, so two workers at
    once never remind twice and an interrupted run loses nothing.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = today + timedelta(days=settings.CORRIDOR_COOPERATION_REMINDER_DAYS)
    open_ = CooperationRequest.objects.filter(status__in=CooperationRequest.OPEN)
    counts = {"due_soon": 0, "overdue": 0}
    plans = (
        (
            "overdue",
            "overdue_notified_at",
            open_.filter(due_on__lt=today, overdue_notified_at__isnull=True),
        ),
        (
            "due_soon",
            "reminded_at",
            open_.filter(due_on__gte=today, due_on__lte=soon, reminded_at__isnull=True),
        ),
    )
    for kind, marker, candidates in plans:
        for req in candidates.select_related("responsible").order_by("due_on", "pk"):
            with transaction.atomic():
                claimed = CooperationRequest.objects.filter(
                    Q(**{f"{marker}__isnull": True}), pk=req.pk
                ).update(**{marker: now})
                if not claimed:
                    continue
                ref, country, due = req.reference, req.requested_country, req.due_on
                if kind == "overdue":
                    days = (today - due).days

                    def message(ref=ref, country=country, days=days):
                        return _(
                            "Legal request {ref} to {country} is overdue by {days} days: "
                            "no answer came by its deadline."
                        ).format(ref=ref, country=country_name(country), days=days)
                else:

                    def message(ref=ref, country=country, due=due):
                        return _(
                            "Legal request {ref} to {country} reaches its deadline on {due}."
                        ).format(ref=ref, country=country_name(country), due=due.isoformat())

                notify(
                    _people_to_tell(req),
                    message,
                    url=reverse("cooperation:detail", args=[req.reference]),
                )
                record_event(
                    Action.CHANGE,
                    obj=req,
                    details={"reminder": kind, "due_on": due.isoformat()},
                )
                counts[kind] += 1
    if log and any(counts.values()):
        log(f"{counts['overdue']} overdue, {counts['due_soon']} due soon")
    return counts


# --- how long requests take -------------------------------------------------------------------


@dataclass
class CountryPair:
    requesting_country: str
    requested_country: str
    answered: int
    open: int
    overdue: int
    median_days: float | None
    p90_days: float | None

    @property
    def label(self) -> str:
        return f"{country_name(self.requesting_country)} → {country_name(self.requested_country)}"


def may_see_durations(user) -> bool:
    return may_work_on_requests(user) or access.can_see_statistics(user)


def durations_by_country_pair(user, *, kind: str | None = None) -> list[CountryPair]:
    """Days from sending to answer per pair of countries, for the whole instance: counts
    and durations only, never what a request is about."""
    if not may_see_durations(user):
        raise PermissionDenied
    rows = CooperationRequest.objects.exclude(sent_on__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    today = timezone.localdate()
    pairs: dict[tuple[str, str], dict] = {}
    for requesting, requested, status, sent, answered, due in rows.values_list(
        "requesting_country", "requested_country", "status", "sent_on", "answered_on", "due_on"
    ):
        pair = pairs.setdefault((requesting, requested), {"days": [], "open": 0, "overdue": 0})
        if status in CooperationRequest.OPEN:
            pair["open"] += 1
            pair["overdue"] += bool(due and due < today)
        elif answered:
            pair["days"].append((answered - sent).days)
    found = []
    for (requesting, requested), pair in sorted(pairs.items()):
        days = sorted(pair["days"])
        found.append(
            CountryPair(
                requesting,
                requested,
                answered=len(days),
                open=pair["open"],
                overdue=pair["overdue"],
                median_days=statistics.median(days) if days else None,
                p90_days=_percentile(days, 0.9) if days else None,
            )
        )
    return found


def _percentile(values: list[int], q: float) -> float:
    """The q-th percentile by linear interpolation between the closest ranks."""
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]
