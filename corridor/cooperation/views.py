"""Pages of legal cooperation requests. Thin: look the request up in scope, parse, call a
service; a request outside the user's office is a 404 like one that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import access
from corridor.cooperation import services
from corridor.cooperation.forms import AnswerForm, RequestForm, StatusForm
from corridor.cooperation.models import CooperationRequest
from corridor.core.forms import errors_text, perform_on_form, perform_with_message
from corridor.core.paging import CappedPaginator

PAGE_SIZE = 50


def _criminal_cases(user) -> list:
    return list(access.criminal_cases_visible_to(user).order_by("-pk")[:200])


@login_required
def request_list(request):
    if not services.may_work_on_requests(request.user):
        raise PermissionDenied
    rows = services.requests_visible_to(request.user)
    status = request.GET.get("status")
    if status == "overdue":
        rows = rows.filter(status__in=CooperationRequest.OPEN, due_on__lt=timezone.localdate())
    elif status in CooperationRequest.Status.values:
        rows = rows.filter(status=status)
    page = CappedPaginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cooperation/list.html",
        {
            "page": page,
            "statuses": CooperationRequest.Status.choices,
            "status": status,
            "keep": [("status", status)] if status else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    if not services.may_work_on_requests(request.user):
        raise PermissionDenied
    cases = _criminal_cases(request.user)
    initial = {"criminal_case": request.GET.get("criminal_case", "")}
    form = RequestForm(request.POST or None, criminal_cases=cases, initial=initial)
    created = []
    if request.method == "POST" and form.is_valid():
        if perform_on_form(
            form,
            lambda: created.append(
                services.open_request(
                    actor=request.user, request=request, **form.service_arguments()
                )
            ),
        ):
            messages.success(
                request,
                _("Request {reference} recorded.").format(reference=created[0].reference),
            )
            return redirect("cooperation:detail", created[0].reference)
    return render(request, "cooperation/form.html", {"form": form})


@login_required
def request_detail(request, reference):
    req = services.get_request_for_user(request.user, reference)
    services.view_request(req, actor=request.user, request=request)
    next_statuses = [
        (value, CooperationRequest.Status(value).label)
        for value in services.TRANSITIONS.get(req.status, ())
    ]
    return render(
        request,
        "cooperation/detail.html",
        {
            "req": req,
            "events": req.events.select_related("actor"),
            "next_statuses": next_statuses,
            "answer_form": AnswerForm(initial={"version": req.version})
            if req.status in services.ANSWERABLE
            else None,
            "overdue": req.is_overdue(),
        },
    )


@login_required
@require_POST
def request_status(request, reference):
    req = services.get_request_for_user(request.user, reference)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what happened to the request."))
        return redirect("cooperation:detail", req.reference)
    data = form.cleaned_data
    if perform_with_message(
        request,
        lambda: services.change_status(
            req,
            actor=request.user,
            status=data["status"],
            expected_version=data["version"],
            on=data["on"],
            note=data["note"],
            request=request,
        ),
    ):
        messages.success(
            request,
            _("Request {reference} is now: {status}.").format(
                reference=req.reference, status=req.get_status_display().lower()
            ),
        )
    return redirect("cooperation:detail", req.reference)


@login_required
@require_POST
def request_answer(request, reference):
    req = services.get_request_for_user(request.user, reference)
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if perform_on_form(
            form,
            lambda: services.record_answer(
                req,
                actor=request.user,
                outcome=data["outcome"],
                answered_on=data["answered_on"],
                notes=data["notes"],
                expected_version=data["version"],
                request=request,
            ),
        ):
            messages.success(request, _("The answer is recorded."))
            return redirect("cooperation:detail", req.reference)
    messages.error(request, errors_text(form))
    return redirect("cooperation:detail", req.reference)


@login_required
def country_pairs(request):
    if not services.may_see_durations(request.user):
        raise PermissionDenied
    kind = request.GET.get("kind")
    kind = kind if kind in CooperationRequest.Kind.values else None
    return render(
        request,
        "cooperation/country_pairs.html",
        {
            "pairs": services.durations_by_country_pair(request.user, kind=kind),
            "kinds": CooperationRequest.Kind.choices,
            "kind": kind,
        },
    )
