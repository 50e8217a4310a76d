"""Pages of the protection case file. Thin: look the case up in scope, parse, call a service.

A case outside the user's need-to-know is a 404, like one that does not exist; a case she
may read but not change this way is a 403 (`services.may` / `case_roles` decide).
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import access
from corridor.cases import forms, services
from corridor.cases.models import ProtectionCase
from corridor.consent import services as consent_services
from corridor.consent.models import Consent
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.forms import errors_text, perform_on_form
from corridor.core.paging import CappedPaginator
from corridor.people import search
from corridor.people.services import redact_persons, view_person_list
from corridor.referrals.models import Referral
from corridor.referrals.views import case_referrals_context

GET_POST = require_http_methods(["GET", "POST"])


@login_required
def case_list(request):
    cases = access.cases_visible_to(request.user).select_related("person", "owner_agency")
    status = request.GET.get("status")
    if status in ProtectionCase.Status.values:
        cases = cases.filter(status=status)
    query = request.GET.get("q", "").strip()
    found = None
    if query:  # the cases of the persons found, the most alike first
        found = search.search_persons(
            query,
            actor=request.user,
            within=access.persons_visible_to(request.user),
            request=request,
        )
        rank = {person.pk: i for i, person in enumerate(found.persons)}
        matching = cases.filter(person_id__in=rank).order_by("-opened_at")
        if case_references := [r for r in found.references if r.startswith("C-")]:
            matching = matching.filter(reference__in=case_references)
        page = Paginator(sorted(matching, key=lambda c: rank[c.person_id]), 500).get_page(1)
    else:
        page = CappedPaginator(cases.order_by("-opened_at"), 50).get_page(request.GET.get("page"))
    view_person_list([case.person for case in page], actor=request.user, request=request)
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "query": query,
            "found": found,
            "keep": [("status", status)] if status else [],
            "statuses": ProtectionCase.Status.choices,
            "status": status,
        },
    )


@login_required
def case_detail(request, reference):
    user = request.user
    case = access.get_case_for_user(user, reference)
    services.view_case(case, actor=user, request=request)
    # Her name where the user may read it, on a copy: the forms below need the whole record.
    (shown_person,) = redact_persons([copy.copy(case.person)], viewer=user)
    allowed = services.permissions_for(user, case)
    transitions = [
        (value, label)
        for value, label in ProtectionCase.Status.choices
        if value in allowed["transitions"]
    ]
    # An agency that sees the case only through referrals sees what they share.
    categories = access.visible_categories(user, case.person)
    sees = {name: categories is None or name in categories for name in ("case", "health", "story")}
    context = {
        "case": case,
        "shown_person": shown_person,
        "allowed": allowed,
        "sees": sees,
        "transitions": transitions,
        "closing_allowed": ProtectionCase.Status.CLOSED in allowed["transitions"],
        "closure_reasons": ProtectionCase.ClosureReason.choices,
        "clock": case.reflection_clock(),
        "events": case.events.select_related("actor") if sees["case"] else (),
        "extensions": case.reflection_extensions.select_related("extended_by"),
        "consents": case.person.consents.select_related(
            "recorded_by", "revoked_by"
        ).prefetch_related("recipient_agencies"),
        "needs": case.needs_assessments.select_related("assessor") if sees["health"] else (),
        "reviews": case.reviews.select_related("done_by") if sees["case"] else (),
        "offences": case.compelled_offences.all(),
    }
    context.update(case_referrals_context(user, case))  # `referrals`, `referral_form`
    for name in ("referrals", "consents", "reviews"):
        context[name] = list(context[name])
    context["at_a_glance"] = {
        "open_referrals": [r for r in context["referrals"] if r.status in Referral.OPEN],
        "consent_active": any(consent.is_active for consent in context["consents"]),
        "next_review": next((r for r in context["reviews"] if not r.is_done), None),
    }
    return render(request, "cases/detail.html", context)


@login_required
@require_POST
def case_open(request, person_reference):
    person = access.get_person_for_user(request.user, person_reference, for_change=True)
    case = services.open_case(person, actor=request.user, request=request)
    messages.success(
        request, _("Protection case {reference} opened.").format(reference=case.reference)
    )
    return redirect("cases:detail", case.reference)


@login_required
@require_POST
def case_status(request, reference):
    case = access.get_case_for_user(request.user, reference)
    if not services.case_roles(request.user, case):
        raise PermissionDenied(_("You may read this case but not change it."))
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("cases:detail", case.reference)
    data = form.cleaned_data
    try:
        services.change_case_status(
            case,
            actor=request.user,
            request=request,
            status=data["status"],
            expected_version=data["version"],
            note=data["note"],
            closure_reason=data["closure_reason"],
        )
    except ConcurrentEdit as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Stage changed to {status}.").format(status=case.get_status_display())
        )
    return redirect("cases:detail", case.reference)


def _case_for(request, reference: str, action: str) -> ProtectionCase:
    """The case in the user's scope (else 404), if she may make `action` on it (else 403)."""
    case = access.get_case_for_user(request.user, reference)
    if not services.may(request.user, case, action):
        raise PermissionDenied(_("You may read this case but not change it this way."))
    return case


def _form_page(request, case, form, perform, *, title, success, intro="", notice=""):
    """Show `form`; on a valid POST call `perform(cleaned_data)` and go back to the case.

    A stale version or a rule broken shows on the form and writes nothing.
    """
    if request.method == "POST" and form.is_valid():
        if perform_on_form(
            form,
            lambda: perform(form.cleaned_data),
        ):
            messages.success(request, success)
            return redirect("cases:detail", case.reference)
    return render(
        request,
        "cases/form.html",
        {"case": case, "form": form, "title": title, "intro": intro, "notice": notice},
    )


def _bound(request):
    return request.POST if request.method == "POST" else None


@login_required
@GET_POST
def case_propose(request, reference):
    case = _case_for(request, reference, "propose_presumed_victim")
    form = forms.ProposalForm(_bound(request))
    return _form_page(
        request,
        case,
        form,
        lambda d: services.propose_presumed_victim(
            case, actor=request.user, request=request, note=d["note"]
        ),
        title=_("Propose presumed-victim status"),
        intro=_("An NRM coordinator confirms presumed-victim status; the coordinators are told."),
        success=_("Proposal sent to the NRM coordinators."),
    )


@login_required
@GET_POST
def case_risk(request, reference):
    case = _case_for(request, reference, "change_risk")
    form = forms.RiskForm(
        _bound(request), initial={"version": case.version, "risk_level": case.risk_level}
    )
    return _form_page(
        request,
        case,
        form,
        lambda d: services.change_risk_level(
            case,
            actor=request.user,
            request=request,
            expected_version=d["version"],
            risk_level=d["risk_level"],
            reason=d["reason"],
        ),
        title=_("Change the risk level"),
        success=_("Risk level changed."),
    )


@login_required
@GET_POST
def case_coordinator(request, reference):
    case = _case_for(request, reference, "assign_coordinator")
    form = forms.CoordinatorForm(
        _bound(request),
        case=case,
        initial={"version": case.version, "coordinator": case.coordinator_id},
    )
    return _form_page(
        request,
        case,
        form,
        lambda d: services.assign_coordinator(
            case,
            actor=request.user,
            request=request,
            expected_version=d["version"],
            coordinator=d["coordinator"],
            note=d["note"],
        ),
        title=_("Assign a coordinator"),
        intro=_("The coordinator you choose is notified."),
        success=_("Coordinator assigned."),
    )


@login_required
@GET_POST
def case_reflection_start(request, reference):
    case = _case_for(request, reference, "start_reflection")
    form = forms.ReflectionStartForm(_bound(request), initial={"version": case.version})
    return _form_page(
        request,
        case,
        form,
        lambda d: services.start_reflection_period(
            case,
            actor=request.user,
            request=request,
            expected_version=d["version"],
            starts_on=d["starts_on"],
            days=d["days"],
        ),
        title=_("Start the reflection period"),
        intro=_(
            "Time for the person to recover and decide, free of removal, whether to "
            "cooperate with the authorities."
        ),
        success=_("Reflection period started."),
    )


@login_required
@GET_POST
def case_reflection_extend(request, reference):
    case = _case_for(request, reference, "extend_reflection")
    form = forms.ReflectionExtendForm(_bound(request), initial={"version": case.version})
    return _form_page(
        request,
        case,
        form,
        lambda d: services.extend_reflection_period(
            case,
            actor=request.user,
            request=request,
            expected_version=d["version"],
            new_end=d["new_end"],
            reason=d["reason"],
        ),
        title=_("Extend the reflection period"),
        success=_("Reflection period extended."),
    )


@login_required
@GET_POST
def case_principles(request, reference):
    case = _case_for(request, reference, "record_principles")
    form = forms.PrinciplesForm(
        _bound(request),
        initial={
            "version": case.version,
            "assistance_unconditional": case.assistance_unconditional,
            "cooperation_status": case.cooperation_status,
        },
    )
    return _form_page(
        request,
        case,
        form,
        lambda d: services.record_principles(
            case,
            actor=request.user,
            request=request,
            expected_version=d["version"],
            assistance_unconditional=d["assistance_unconditional"],
            cooperation_status=d["cooperation_status"],
            note=d["note"],
        ),
        title=_("Non-conditionality and cooperation"),
        intro=_("Assistance never depends on cooperating with the police or prosecution."),
        success=_("Saved."),
    )


@login_required
@GET_POST
def offence_new(request, reference):
    case = _case_for(request, reference, "record_offence")
    form = forms.OffenceForm(_bound(request))
    return _form_page(
        request,
        case,
        form,
        lambda d: services.record_compelled_offence(case, actor=request.user, request=request, **d),
        title=_("Record an offence the person was compelled to commit"),
        intro=_("Non-punishment principle: victims are not penalised for such offences."),
        success=_("Offence recorded."),
    )


@login_required
@GET_POST
def offence_decision(request, reference, pk):
    case = _case_for(request, reference, "record_offence")
    record = get_object_or_404(case.compelled_offences.all(), pk=pk)
    form = forms.DecisionForm(
        _bound(request),
        initial={
            "version": record.version,
            "decision": record.decision,
            "authority": record.authority,
            "decided_on": record.decided_on,
            "notes": record.notes,
        },
    )
    return _form_page(
        request,
        case,
        form,
        lambda d: services.record_non_punishment_decision(
            record,
            actor=request.user,
            request=request,
            expected_version=d["version"],
            decision=d["decision"],
            authority=d["authority"],
            decided_on=d["decided_on"],
            notes=d["notes"],
        ),
        title=_("Non-punishment decision"),
        intro=record.offence,
        success=_("Decision recorded."),
    )


@login_required
@GET_POST
def needs_new(request, reference):
    case = _case_for(request, reference, "assess_needs")
    form = forms.NeedsForm(_bound(request))
    return _form_page(
        request,
        case,
        form,
        lambda d: services.record_needs_assessment(case, actor=request.user, request=request, **d),
        title=_("Assess needs"),
        intro=_("A new assessment is added; earlier ones stay as they were."),
        success=_("Needs assessment recorded."),
    )


@login_required
@GET_POST
def review_new(request, reference):
    case = _case_for(request, reference, "schedule_review")
    form = forms.ReviewForm(_bound(request))
    return _form_page(
        request,
        case,
        form,
        lambda d: services.schedule_review(case, actor=request.user, request=request, **d),
        title=_("Schedule a review"),
        success=_("Review scheduled."),
    )


@login_required
@GET_POST
def review_complete(request, reference, pk):
    case = _case_for(request, reference, "complete_review")
    review = get_object_or_404(case.reviews.all(), pk=pk)
    form = forms.ReviewCompleteForm(_bound(request))
    return _form_page(
        request,
        case,
        form,
        lambda d: services.complete_review(review, actor=request.user, request=request, **d),
        title=_("Complete a review"),
        intro=review.topic,
        success=_("Review completed."),
    )


def _case_for_consent(request, reference: str) -> ProtectionCase:
    case = access.get_case_for_user(request.user, reference)
    if not access.can_change_person(request.user, case.person):
        raise PermissionDenied(_("You may not record or revoke consent for this person."))
    return case


@login_required
@GET_POST
def consent_new(request, reference):
    case = _case_for_consent(request, reference)
    notice, initial = "", {}
    if case.person.presumed_minor:
        notice = _("This person is treated as a child: consent is given by the guardian.")
        initial["method"] = Consent.Method.GUARDIAN
    form = forms.ConsentForm(_bound(request), initial=initial)
    return _form_page(
        request,
        case,
        form,
        lambda d: consent_services.record_consent(
            case.person,
            actor=request.user,
            request=request,
            case=case,
            purposes=d["purposes"],
            data_categories=d["data_categories"],
            method=d["method"],
            recipient_agencies=list(d["recipient_agencies"]),
            recipient_sectors=d["recipient_sectors"],
            recipient_countries=d["recipient_countries"],
            interpreter_language=d["interpreter_language"],
        ),
        title=_("Record consent"),
        intro=_("What the person agrees may be shared, with whom and why. It can be revoked."),
        notice=notice,
        success=_("Consent recorded."),
    )


@login_required
@GET_POST
def consent_revoke(request, reference, pk):
    case = _case_for_consent(request, reference)
    consent = get_object_or_404(case.person.consents.all(), pk=pk)
    form = forms.RevokeConsentForm(_bound(request))
    return _form_page(
        request,
        case,
        form,
        lambda d: consent_services.revoke_consent(
            consent, actor=request.user, request=request, reason=d["reason"]
        ),
        title=_("Revoke consent"),
        intro=_("From now on this consent covers nothing: referrals relying on it lose access."),
        success=_("Consent revoked."),
    )
