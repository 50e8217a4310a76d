"""Pages of legal holds and erasure requests: one person's (reached from her record) and the
overview of the holds a coordinator or prosecutor sees. Every lookup goes through
`accounts.access`: a person outside the user's scope answers 404, a role that does not work
on retention 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import access
from corridor.core.forms import apply_validation_error
from corridor.retention import services
from corridor.retention.forms import ErasureRequestForm, LegalHoldForm, LiftHoldForm
from corridor.retention.models import ErasureRequest, LegalHold, describe_ground
from corridor.retention.rules import RULES, grounds_to_keep

LIST_SIZE = 200


@login_required
def overview(request):
    """The active holds and the latest erasure requests on the persons the user sees."""
    if not access.can_see_retention_overview(request.user):
        raise PermissionDenied
    visible = access.persons_visible_to(request.user).values("pk")
    holds = (
        LegalHold.objects.active()
        .filter(person_id__in=visible)
        .select_related("person", "agency")
        .order_by("-placed_at", "-pk")[:LIST_SIZE]
    )
    requests = (
        ErasureRequest.objects.filter(person_id__in=visible)
        .select_related("person", "agency")
        .order_by("-recorded_at", "-pk")[:LIST_SIZE]
    )
    return render(
        request,
        "retention/overview.html",
        {"holds": holds, "requests": requests, "rules": RULES},
    )


def _person_for(request, reference):
    person = access.get_person_for_user(request.user, reference)
    if not access.can_see_retention(request.user, person):
        raise PermissionDenied
    return person


@login_required
def person_retention(request, reference):
    return _person_page(request, _person_for(request, reference))


def _person_page(request, person, *, hold_form=None, erasure_form=None, lift_form=None):
    user = request.user
    holds = list(person.legal_holds.select_related("agency").order_by("-placed_at", "-pk"))
    for hold in holds:
        hold.person = person
    erasure = services.erasure_of(person)
    can_handle = erasure is None and access.can_handle_erasure_request(user, person)
    requests = list(person.erasure_requests.select_related("agency").order_by("-recorded_at"))
    for item in requests:
        item.grounds = item.refusal_messages()
    return render(
        request,
        "retention/person.html",
        {
            "person": person,
            "holds": holds,
            "liftable": {
                h.pk for h in holds if h.is_active and access.can_lift_legal_hold(user, h)
            },
            "requests": requests,
            "erasure": erasure,
            "can_place": erasure is None and access.can_place_legal_hold(user, person),
            "can_handle": can_handle,
            "grounds": [describe_ground(g) for g in grounds_to_keep(person)] if can_handle else [],
            "hold_form": hold_form or LegalHoldForm(),
            "lift_form": lift_form or LiftHoldForm(),
            "erasure_form": erasure_form or ErasureRequestForm(),
            "rules": RULES,
        },
    )


@login_required
@require_POST
def hold_place(request, reference):
    person = _person_for(request, reference)
    form = LegalHoldForm(request.POST)
    if form.is_valid():
        try:
            hold = services.place_legal_hold(
                person, actor=request.user, request=request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Legal hold {reference} placed: nothing about this person is erased until "
                    "it is lifted."
                ).format(reference=hold.reference),
            )
            return redirect("retention:person", person.reference)
    return _person_page(request, person, hold_form=form)


@login_required
@require_POST
def hold_lift(request, reference, hold):
    person = _person_for(request, reference)
    found = LegalHold.objects.filter(person=person, reference=hold).first()
    if found is None:
        raise Http404("No such record.")
    found.person = person
    form = LiftHoldForm(request.POST)
    if form.is_valid():
        try:
            services.lift_legal_hold(
                found, actor=request.user, request=request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Legal hold {reference} lifted.").format(reference=found.reference)
            )
            return redirect("retention:person", person.reference)
    return _person_page(request, person, lift_form=form)


@login_required
@require_POST
def erasure_request(request, reference):
    person = _person_for(request, reference)
    form = ErasureRequestForm(request.POST)
    if form.is_valid():
        try:
            recorded = services.request_erasure(
                person,
                actor=request.user,
                request=request,
                requested_on=form.cleaned_data["requested_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if recorded.refused:
                messages.warning(
                    request,
                    _("Request {reference} refused: the records must be kept.").format(
                        reference=recorded.reference
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Request {reference} carried out: the records of {person} were erased."
                    ).format(reference=recorded.reference, person=person.reference),
                )
            return redirect("retention:person", person.reference)
    return _person_page(request, person, erasure_form=form)
