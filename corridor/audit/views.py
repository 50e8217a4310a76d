from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from corridor.accounts import access
from corridor.audit.models import AuditEvent
from corridor.audit.services import trail_of_person, verify_chain
from corridor.core.paging import CappedPaginator


def _require_auditor(request):
    if not access.can_read_audit(request.user):
        raise PermissionDenied


def _is_person_reference(record: str) -> bool:
    return record.startswith("P-")


def _trail_page(request, events, *, record: str, person: str = ""):
    """One page of `events`, narrowed to a user and an action when the filter asks."""
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "")
    if actor:
        events = events.filter(actor_username=actor)
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    page = CappedPaginator(events, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "record": record,
            "person": person,
            "actor": actor,
            "action": action,
            "actions": AuditEvent.Action.choices,
        },
    )


@login_required
def event_list(request):
    """The audit trail, filtered to one record when `record` is given (e.g. C-7K3F9QXM); a
    person's reference (P-…) finds everything that happened to and around her."""
    _require_auditor(request)
    record = request.GET.get("record", "").strip().upper()
    if _is_person_reference(record):
        events = trail_of_person(record)
    elif record:
        events = AuditEvent.objects.filter(object_ref=record).order_by("-id")
    else:
        events = AuditEvent.objects.order_by("-id")
    return _trail_page(request, events, record=record)


@login_required
def person_trail(request, reference):
    """One person's trail, from her page. It shows events only, never her record, so it
    holds for a person erased since and asks nothing of the person's visibility: the
    auditor reads the trail, not the file."""
    _require_auditor(request)
    reference = reference.strip().upper()
    return _trail_page(request, trail_of_person(reference), record=reference, person=reference)


@login_required
def chain_status(request):
    _require_auditor(request)
    return render(request, "audit/verify.html", {"report": verify_chain()})
