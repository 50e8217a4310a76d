from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from corridor.accounts import access
from corridor.audit.models import AuditEvent
from corridor.audit.services import verify_chain
from corridor.core.paging import CappedPaginator


def _require_auditor(request):
    if not access.can_read_audit(request.user):
        raise PermissionDenied


@login_required
def event_list(request):
    """The audit trail, filtered to one record when `record` is given (e.g. P-7K3F9QXM)."""
    _require_auditor(request)
    events = AuditEvent.objects.order_by("-id")
    record = request.GET.get("record", "").strip().upper()
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "")
    if record:
        events = events.filter(object_ref=record)
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
            "actor": actor,
            "action": action,
            "actions": AuditEvent.Action.choices,
        },
    )


@login_required
def chain_status(request):
    _require_auditor(request)
    return render(request, "audit/verify.html", {"report": verify_chain()})
