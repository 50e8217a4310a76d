"""Pages for transnational referral, and the inbox partners post their messages to.

Coordinators: the queue (incoming and outgoing referrals), a referral's page, sending a case
with a preview of exactly what leaves. Administrators: the partners. The inbox is for
machines: no session, no CSRF token, authenticated by the message's signature.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import access
from corridor.accounts.models import Role
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.forms import apply_validation_error, messages_of
from corridor.core.paging import CappedPaginator
from corridor.crossborder import inbox, payload, pprl_exchange, services
from corridor.crossborder.forms import (
    OptionalReasonForm,
    PartnerForm,
    PprlSecretForm,
    ReasonForm,
    SendForm,
    StatusForm,
)
from corridor.crossborder.keys import instance_signing_key
from corridor.crossborder.models import (
    OutboxMessage,
    Partner,
    PprlExchange,
    PprlMatch,
    TransnationalReferral,
)
from corridor.people.services import look_alikes

PAGE_SIZE = 50
Status = TransnationalReferral.Status
Direction = TransnationalReferral.Direction


# --- the inbox (machine to machine) ------------------------------------------------------------


@csrf_exempt  # authenticated by the message's signature, not by a session
@require_POST
def inbox_view(request):
    answer = inbox.receive_request(request)
    return JsonResponse(answer.data, status=answer.status)


# --- coordinators ------------------------------------------------------------------------------


def coordinators_only(view):
    """Declare, at the endpoint, that only NRM coordinators may call it (others get 403)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (request.user.agency_id and request.user.has_role(Role.COORDINATOR)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _typed_reference(text: str) -> str:
    """A reference as typed or read out on the phone: ' x-1a2b 3c4d ' → X-1A2B3C4D."""
    typed = "".join((text or "").split()).upper()[:20]
    return typed if "-" in typed or not typed else f"X-{typed}"


@coordinators_only
def queue(request):
    user = request.user
    direction = request.GET.get("direction")
    if direction not in Direction.values:
        direction = Direction.INCOMING
    visible = access.transnational_referrals_visible_to(user)
    reference = _typed_reference(request.GET.get("reference", ""))
    if reference:
        # Ours or the partner's reference (the same but for a chance collision), in either
        # direction: a referral quoted on the phone opens at once.
        found = list(
            visible.filter(Q(reference=reference) | Q(partner_reference=reference)).values_list(
                "reference", flat=True
            )[:2]
        )
        if len(found) == 1:
            return redirect("crossborder:detail", found[0])
    referrals = visible.filter(direction=direction)
    if reference:
        referrals = referrals.filter(Q(reference=reference) | Q(partner_reference=reference))
    status = request.GET.get("status")
    if status in Status.values:
        referrals = referrals.filter(status=status)
    waiting = (
        access.incoming_transnational_referrals_for(user).filter(status=Status.RECEIVED).count()
    )
    page = CappedPaginator(
        referrals.select_related("partner", "case").order_by("-created_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "crossborder/queue.html",
        {
            "page": page,
            "direction": direction,
            "reference": reference,
            "status": status,
            "statuses": Status.choices,
            "waiting": waiting,
        },
    )


def _look_alikes(request, referral) -> list:
    """Persons known here who may be the one the partner refers, before accepting creates a
    new record ("seen before?")."""
    try:
        fields = payload.person_fields(referral.payload)
    except ValidationError:
        return []
    return look_alikes(fields, actor=request.user, request=request)


@login_required
def detail(request, reference):
    user = request.user
    referral = access.get_transnational_referral_for_user(user, reference)
    services.view_referral(referral, actor=user, request=request)
    can_act = access.can_act_on_transnational(user, referral)
    can_answer = can_act and not referral.is_outgoing and referral.status == Status.RECEIVED
    return render(
        request,
        "crossborder/detail.html",
        {
            "referral": referral,
            "fields": payload.labelled(referral.payload),
            "reports": referral.status_reports.select_related("reported_by"),
            "can_act": can_act,
            "can_answer": can_answer,
            "alikes": _look_alikes(request, referral) if can_answer else [],
            "can_report": can_act
            and not referral.is_outgoing
            and referral.status in (Status.ACCEPTED, *services.REPORTABLE),
            "can_withdraw": can_act and referral.is_outgoing and not referral.is_closed,
            "reason_form": ReasonForm(),
            "status_form": StatusForm(),
            "outbox": referral.outbox.order_by("created_at") if referral.is_outgoing else (),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def send(request, case_reference):
    user = request.user
    case = access.get_case_for_user(user, case_reference)
    if not access.can_send_abroad(user, case):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET if request.GET else None)
    form = SendForm(data)
    preview = None
    if data is not None and form.is_valid():
        arguments = {
            "actor": user,
            "partner": form.cleaned_data["partner"],
            "purpose": form.cleaned_data["purpose"],
            "request": request,
        }
        try:
            if request.method == "POST":
                referral = services.send_transnational_referral(case, **arguments)
            else:
                preview = services.preview_transnational_referral(case, **arguments)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if request.method == "POST":
                messages.success(
                    request,
                    _("Referral {ref} will be sent to {partner}.").format(
                        ref=referral.reference, partner=referral.partner.name
                    ),
                )
                return redirect("crossborder:detail", referral.reference)
    return render(
        request, "crossborder/send.html", {"case": case, "form": form, "preview": preview}
    )


def _act(request, reference, perform, success):
    referral = access.get_transnational_referral_for_user(request.user, reference, for_change=True)
    version = request.POST.get("version")
    try:
        perform(referral, int(version) if version else None)
    except (ConcurrentEdit, ValidationError) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, success(referral))
    return redirect("crossborder:detail", referral.reference)


@login_required
@require_POST
def accept(request, reference):
    return _act(
        request,
        reference,
        lambda referral, version: services.accept_incoming_referral(
            referral, actor=request.user, expected_version=version, request=request
        ),
        lambda referral: _("Referral {ref} accepted: case {case} opened.").format(
            ref=referral.reference, case=referral.case.reference
        ),
    )


@login_required
@require_POST
def decline(request, reference):
    return _act(
        request,
        reference,
        lambda referral, version: services.decline_incoming_referral(
            referral,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            expected_version=version,
            request=request,
        ),
        lambda referral: _("Referral {ref} declined.").format(ref=referral.reference),
    )


@login_required
@require_POST
def report(request, reference):
    form = StatusForm(request.POST)
    if not form.is_valid():
        access.get_transnational_referral_for_user(request.user, reference, for_change=True)
        for name, errors in form.errors.items():
            messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
        return redirect("crossborder:detail", reference)
    return _act(
        request,
        reference,
        lambda referral, version: services.report_status(
            referral,
            form.cleaned_data["status"],
            form.cleaned_data["month"],
            actor=request.user,
            expected_version=version,
            request=request,
        ),
        lambda referral: _("Status reported: {status}.").format(status=referral.status_label()),
    )


@login_required
@require_POST
def withdraw(request, reference):
    return _act(
        request,
        reference,
        lambda referral, version: services.withdraw_transnational_referral(
            referral,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            expected_version=version,
            request=request,
        ),
        lambda referral: _("Referral {ref} withdrawn; the partner is told.").format(
            ref=referral.reference
        ),
    )


# --- coordinators: persons known to a partner too (corridor.crossborder.pprl_exchange) ------


@coordinators_only
def known_elsewhere(request):
    """The possible matches of this country's persons with partners' records, newest first,
    each with the person's latest case (to send it abroad from there), and a way to start a
    new exchange with each active partner."""
    user = request.user
    matches = (
        PprlMatch.objects.filter(person__in=access.persons_visible_to(user))
        .exclude(partner__country=settings.CORRIDOR_COUNTRY)
        .select_related("partner", "person")
        .order_by("-found_at", "-similarity", "pk")
    )
    page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    persons = [m.person_id for m in page]
    latest_case = {}
    for case in access.cases_visible_to(user).filter(person_id__in=persons).order_by("opened_at"):
        latest_case[case.person_id] = case
    rows = [(m, latest_case.get(m.person_id)) for m in page]
    partners = services.partners_to_send_to().order_by("country")
    last = {
        e.partner_id: e
        for e in PprlExchange.objects.filter(
            partner__in=partners, direction=PprlExchange.Direction.OUTGOING
        ).order_by("started_at", "pk")
    }
    return render(
        request,
        "crossborder/known_elsewhere.html",
        {
            "page": page,
            "rows": rows,
            "partners": [(p, last.get(p.pk)) for p in partners],
            "can_start": pprl_exchange.can_exchange(user),
        },
    )


@coordinators_only
@require_POST
def start_exchange(request, pk):
    partner = Partner.objects.filter(pk=pk).exclude(country=settings.CORRIDOR_COUNTRY).first()
    if partner is None:
        raise Http404("No such record.")
    try:
        pprl_exchange.start_pprl_exchange(partner, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(
            request,
            _(
                "The comparison with {partner} started: matches appear here once the partner "
                "answered."
            ).format(partner=partner.name),
        )
    return redirect("crossborder:known_elsewhere")


# --- administrators: partners --------------------------------------------------------------------


def administrators_only(view):
    """Declare, at the endpoint, that only administrators may call it (others get 403)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.can_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@administrators_only
def partner_list(request):
    partners = Partner.objects.annotate(
        pending=Count("outbox", filter=Q(outbox__status=OutboxMessage.Status.PENDING)),
        failed=Count("outbox", filter=Q(outbox__status=OutboxMessage.Status.FAILED)),
    ).order_by("country", "-created_at")
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    try:
        own = instance_signing_key()
    except ImproperlyConfigured:  # no key yet: the page says how to make one
        own = None
    return render(request, "crossborder/partner_list.html", {"page": page, "own_key": own})


@administrators_only
@require_http_methods(["GET", "POST"])
def partner_create(request):
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.register_partner(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Partner {name} registered.").format(name=partner.name))
            return redirect("crossborder:partner_detail", partner.pk)
    return render(request, "crossborder/partner_form.html", {"form": form})


@administrators_only
def partner_detail(request, pk):
    partner = access.get_partner_for_admin(request.user, pk)
    outbox = partner.outbox.exclude(status=OutboxMessage.Status.DELIVERED).select_related(
        "referral"
    )
    return render(
        request,
        "crossborder/partner_detail.html",
        {
            "partner": partner,
            "outbox": outbox.order_by("created_at", "pk")[:PAGE_SIZE],
            "delivered": partner.outbox.filter(status=OutboxMessage.Status.DELIVERED).count(),
            "received": partner.received_messages.count(),
            "reason_form": OptionalReasonForm(),
            "secret_form": PprlSecretForm(),
        },
    )


@administrators_only
@require_POST
def partner_secret(request, pk):
    partner = access.get_partner_for_admin(request.user, pk)
    form = PprlSecretForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("crossborder:partner_detail", partner.pk)
    try:
        services.set_pprl_secret(
            partner, actor=request.user, secret=form.cleaned_data["secret"], request=request
        )
    except ValidationError as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(
            request,
            _("Linkage secret set.") if partner.pprl_secret else _("Linkage secret cleared."),
        )
    return redirect("crossborder:partner_detail", partner.pk)


PARTNER_ACTIONS = {
    "suspend": (services.suspend_partner, gettext_lazy("Partner {name} suspended.")),
    "reactivate": (services.reactivate_partner, gettext_lazy("Partner {name} is active again.")),
    "revoke": (services.revoke_partner, gettext_lazy("Partner {name} revoked.")),
}


@administrators_only
@require_POST
def partner_action(request, pk, action):
    partner = access.get_partner_for_admin(request.user, pk)
    try:
        if action == "retry":
            count = services.retry_failed_messages(partner, actor=request.user, request=request)
            text = _("{count} message(s) back in the queue.").format(count=count)
        else:
            perform, template = PARTNER_ACTIONS[action]
            perform(
                partner, actor=request.user, reason=request.POST.get("reason", ""), request=request
            )
            text = str(template).format(name=partner.name)
    except ValidationError as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, text)
    return redirect("crossborder:partner_detail", partner.pk)
