"""Pages of the criminal case file. Thin: look the case up in scope, parse, call a service.

A criminal case outside the user's scope is a 404, like one that does not exist
(`access.get_criminal_case_for_user`); opening a case is for investigators and prosecutors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import access
from corridor.cases.models import NeedsAssessment, ProtectionCase
from corridor.consent.models import Consent
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.forms import perform_on_form
from corridor.core.paging import CappedPaginator
from corridor.investigations import forms, services
from corridor.investigations.models import (
    CaseSuspect,
    Charge,
    CompensationOrder,
    CriminalCase,
    Stage,
    Witness,
)
from corridor.people.models import Person

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 50


def _bound(request):
    return request.POST if request.method == "POST" else None


@login_required
def case_list(request):
    if not access.can_open_criminal_case(request.user):
        raise PermissionDenied
    cases = access.criminal_cases_visible_to(request.user).select_related(
        "owner_agency", "prosecutor_agency"
    )
    stage = request.GET.get("stage")
    if stage in Stage.values:
        cases = cases.filter(stage=stage)
    page = CappedPaginator(cases.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "investigations/list.html",
        {"page": page, "stages": Stage.choices, "stage": stage},
    )


@login_required
def case_detail(request, reference):
    user = request.user
    criminal_case = access.get_criminal_case_for_user(user, reference)
    services.view_criminal_case(criminal_case, actor=user, request=request)
    charges = Charge.objects.select_related("offence").prefetch_related("verdicts")
    suspects = list(
        criminal_case.suspects.select_related("suspect").prefetch_related(
            Prefetch("charges", queryset=charges)
        )
    )
    transitions = services.transitions_for(user, criminal_case)
    can_manage = access.can_manage_criminal_case(user, criminal_case)
    context = {
        "kcase": criminal_case,
        "can_manage": can_manage,
        "offences": criminal_case.offences.all(),
        "incident_links": criminal_case.incident_links.select_related("incident"),
        "suspects": suspects,
        "charges": [charge for suspect in suspects for charge in suspect.charges.all()],
        "assets": criminal_case.assets.select_related("held_by__suspect"),
        "orders": criminal_case.compensation_orders.select_related("payer__suspect"),
        "events": criminal_case.events.select_related("actor"),
        "stage_form": forms.StageForm(
            initial={"version": criminal_case.version}, stages=transitions
        )
        if transitions
        else None,
        "file_open": criminal_case.stage not in services.CLOSED_STAGES,
        "trial_stage": criminal_case.stage in services.TRIAL_STAGES,
        "witnesses": witness_rows(user, criminal_case, request),
        "legal_bases": criminal_case.legal_bases.select_related("person"),
        "today": timezone.localdate(),
    }
    return render(request, "investigations/detail.html", context)


def _form_page(request, criminal_case, form, perform, *, title, success, intro=""):
    """Show `form`; on a valid POST call `perform(cleaned_data)` and go back to the case.
    A stale version or a rule broken shows on the form, each under its field; nothing is
    written."""
    if request.method == "POST" and form.is_valid():
        if perform_on_form(form, lambda: perform(form.cleaned_data)):
            messages.success(request, success)
            return redirect("investigations:detail", criminal_case.reference)
    return render(
        request,
        "investigations/form.html",
        {"kcase": criminal_case, "form": form, "title": title, "intro": intro},
    )


def _for_change(request, reference) -> CriminalCase:
    return access.get_criminal_case_for_user(request.user, reference, for_change=True)


@login_required
@GET_POST
def case_open(request, incident_reference=None):
    user = request.user
    if not access.can_open_criminal_case(user):
        raise PermissionDenied
    incident = None
    initial = {}
    if incident_reference:
        incident = access.get_incident_for_user(user, incident_reference)
        initial["title"] = incident.title
        if incident.forms_of_exploitation:
            initial["form_of_exploitation"] = incident.forms_of_exploitation[0]
    form = forms.CriminalCaseForm(_bound(request), initial=initial)
    opened = {}

    def perform(data):
        opened["case"] = services.open_criminal_case(
            actor=user,
            request=request,
            incident=incident,
            title=data["title"],
            summary=data["summary"],
            court_reference=data["court_reference"],
            prosecutor_agency=data["prosecutor_agency"],
            offence_kind=data["offence_kind"],
            form_of_exploitation=data["form_of_exploitation"],
        )

    if (
        request.method == "POST"
        and form.is_valid()
        and perform_on_form(form, lambda: perform(form.cleaned_data))
    ):
        kcase = opened["case"]
        messages.success(
            request, _("Criminal case {reference} opened.").format(reference=kcase.reference)
        )
        return redirect("investigations:detail", kcase.reference)
    return render(
        request,
        "investigations/open.html",
        {"form": form, "incident": incident},
    )


@login_required
@GET_POST
def case_stage(request, reference):
    kcase = _for_change(request, reference)
    stages = services.transitions_for(request.user, kcase)
    form = forms.StageForm(_bound(request), initial={"version": kcase.version}, stages=stages)
    return _form_page(
        request,
        kcase,
        form,
        lambda data: services.move_stage(
            kcase,
            actor=request.user,
            request=request,
            stage=data["stage"],
            on=data["on"],
            note=data["note"],
            prosecutor_agency=data["prosecutor_agency"],
            expected_version=data["version"],
        ),
        title=_("Move to another stage"),
        success=_("Stage changed."),
    )


@login_required
@GET_POST
def incident_add(request, reference):
    kcase = _for_change(request, reference)
    return _form_page(
        request,
        kcase,
        forms.IncidentForm(_bound(request)),
        lambda data: services.cover_incident(
            kcase, actor=request.user, request=request, incident=data["incident"]
        ),
        title=_("Add an incident the case covers"),
        success=_("Incident added."),
    )


@login_required
@GET_POST
def offence_add(request, reference):
    kcase = _for_change(request, reference)
    return _form_page(
        request,
        kcase,
        forms.OffenceForm(_bound(request)),
        lambda data: services.add_offence(kcase, actor=request.user, request=request, **data),
        title=_("Add an offence"),
        success=_("Offence added."),
    )


@login_required
@GET_POST
def suspect_add(request, reference):
    kcase = _for_change(request, reference)
    taken = kcase.suspects.values("suspect_id")
    known = list(
        access.suspects_visible_to(request.user)
        .filter(incident_links__incident__criminal_case_links__criminal_case=kcase)
        .exclude(pk__in=taken)
        .distinct()
        .order_by("reference")[:200]
    )
    form = forms.SuspectForm(_bound(request), known=known)
    return _form_page(
        request,
        kcase,
        form,
        lambda data: services.add_suspect(
            kcase, actor=request.user, request=request, **form.service_fields()
        ),
        title=_("Add a suspect"),
        success=_("Suspect added."),
    )


@login_required
@GET_POST
def charge_add(request, reference):
    kcase = _for_change(request, reference)
    form = forms.ChargeForm(_bound(request), criminal_case=kcase)

    def perform(data):
        defendant = get_object_or_404(CaseSuspect, criminal_case=kcase, pk=data["defendant"])
        services.bring_charge(
            defendant,
            actor=request.user,
            request=request,
            offence=data["offence"],
            legal_provision=data["legal_provision"],
            charged_on=data["charged_on"],
        )

    return _form_page(
        request, kcase, form, perform, title=_("Bring a charge"), success=_("Charge brought.")
    )


@login_required
@GET_POST
def verdict_add(request, reference, charge_id):
    kcase = _for_change(request, reference)
    charge = get_object_or_404(
        Charge.objects.select_related("defendant__suspect", "offence"),
        defendant__criminal_case=kcase,
        pk=charge_id,
    )
    return _form_page(
        request,
        kcase,
        forms.VerdictForm(_bound(request)),
        lambda data: services.record_verdict(charge, actor=request.user, request=request, **data),
        title=_("Record a verdict"),
        intro=_("Charge against {suspect}: {offence}").format(
            suspect=charge.defendant.suspect.reference, offence=charge.offence
        ),
        success=_("Verdict recorded."),
    )


@login_required
@GET_POST
def asset_add(request, reference):
    kcase = _for_change(request, reference)
    return _form_page(
        request,
        kcase,
        forms.AssetForm(_bound(request), criminal_case=kcase),
        lambda data: services.record_asset(kcase, actor=request.user, request=request, **data),
        title=_("Record an asset"),
        success=_("Asset recorded."),
    )


@login_required
@GET_POST
def compensation_add(request, reference):
    kcase = _for_change(request, reference)
    return _form_page(
        request,
        kcase,
        forms.CompensationForm(_bound(request), criminal_case=kcase),
        lambda data: services.order_compensation(
            kcase, actor=request.user, request=request, **data
        ),
        title=_("Record a compensation order"),
        success=_("Compensation order recorded."),
    )


@login_required
@GET_POST
def payment_add(request, reference, order_id):
    kcase = _for_change(request, reference)
    order = get_object_or_404(CompensationOrder, criminal_case=kcase, pk=order_id)
    return _form_page(
        request,
        kcase,
        forms.PaymentForm(_bound(request), initial={"version": order.version}),
        lambda data: services.record_compensation_payment(
            order,
            actor=request.user,
            request=request,
            amount=data["amount"],
            paid_on=data["paid_on"],
            expected_version=data["version"],
        ),
        title=_("Record a payment"),
        intro=_("Ordered: {amount} {currency}; paid so far: {paid} {currency}.").format(
            amount=order.amount_ordered, paid=order.amount_paid, currency=order.currency
        ),
        success=_("Payment recorded."),
    )


# --- victims as witnesses -----------------------------------------------------------------


def _witnesses(kcase):
    return kcase.witnesses.select_related("person", "consent", "legal_basis").prefetch_related(
        "measures"
    )


def _witness(kcase, witness_reference) -> Witness:
    return get_object_or_404(_witnesses(kcase), reference=(witness_reference or "").strip().upper())


def witness_rows(user, kcase, request=None) -> list[dict]:
    """Each witness with the window the user has on her (audited, one event a witness)."""
    witnesses = list(_witnesses(kcase))
    windows = services.view_witnesses(kcase, witnesses, actor=user, request=request)
    rows = []
    for witness in witnesses:
        window = windows[witness.pk]
        rows.append(
            {
                "witness": witness,
                "window": window,
                "name": witness.person.display_name if "identity" in window.categories else "",
            }
        )
    return rows


def _opened_data(person, categories) -> list[tuple[str, str, object]]:
    """(category label, field label, value) of the person's data the window opens."""
    rows = []
    for category in Consent.DataCategory.values:
        if category not in categories:
            continue
        label = Consent.DataCategory(category).label
        for name in access.PERSON_FIELDS_BY_CATEGORY.get(category, ()):
            field = Person._meta.get_field(name)
            value = getattr(person, name)
            if field.choices:
                value = getattr(person, f"get_{name}_display")()
            rows.append((label, field.verbose_name, value))
        if category == "health":
            for assessment in NeedsAssessment.objects.filter(case__person=person)[:5]:
                rows.append((label, assessment.assessed_on, ", ".join(assessment.need_labels())))
        if category == "case":
            for case in ProtectionCase.objects.filter(person=person):
                rows.append((label, case.reference, case.get_status_display()))
    return rows


@login_required
def witness_detail(request, reference, witness_reference):
    user = request.user
    kcase = access.get_criminal_case_for_user(user, reference)
    witness = _witness(kcase, witness_reference)
    window = services.view_witnesses(kcase, [witness], actor=user, request=request)[witness.pk]
    can_manage = access.can_manage_criminal_case(user, kcase)
    return render(
        request,
        "investigations/witness.html",
        {
            "kcase": kcase,
            "witness": witness,
            "window": window,
            "opened": _opened_data(witness.person, window.categories) if window else [],
            "measures": witness.measures.all(),
            "can_manage": can_manage,
            "next_statuses": [
                (s, Witness.Status(s).label)
                for s in Witness.Status.values
                if s in services.WITNESS_TRANSITIONS.get(witness.status, set())
            ]
            if can_manage
            else [],
        },
    )


@login_required
@GET_POST
def witness_add(request, reference):
    kcase = _for_change(request, reference)
    bases = kcase.legal_bases.filter(revoked_at__isnull=True, valid_until__gte=timezone.localdate())
    return _form_page(
        request,
        kcase,
        forms.WitnessForm(_bound(request), bases=bases),
        lambda data: services.request_witness(
            kcase,
            actor=request.user,
            request=request,
            person=data["person"],
            legal_basis=data["legal_basis"] or None,
        ),
        title=_("Ask for a victim as witness"),
        intro=_(
            "Only through her consent for criminal proceedings or a recorded legal basis. "
            "Her protection never depends on her testimony."
        ),
        success=_("Witness requested."),
    )


@login_required
@require_POST
def witness_status(request, reference, witness_reference):
    kcase = _for_change(request, reference)
    witness = _witness(kcase, witness_reference)
    form = forms.WitnessStatusForm(request.POST)
    actions = {
        Witness.Status.ACTIVE: services.confirm_witness,
        Witness.Status.DECLINED: services.decline_to_testify,
        Witness.Status.WITHDRAWN: services.withdraw_witness,
    }
    if form.is_valid() and form.cleaned_data["status"] in actions:
        data = form.cleaned_data
        try:
            actions[data["status"]](
                witness,
                actor=request.user,
                request=request,
                expected_version=data["version"],
                note=data["note"],
            )
        except (ValidationError, ConcurrentEdit) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Witness status changed."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("investigations:witness_detail", kcase.reference, witness.reference)


def _witness_form_page(request, kcase, witness, form, perform, *, title, success):
    if request.method == "POST" and form.is_valid():
        if perform_on_form(form, lambda: perform(form.cleaned_data)):
            messages.success(request, success)
            return redirect("investigations:witness_detail", kcase.reference, witness.reference)
    return render(
        request,
        "investigations/form.html",
        {"kcase": kcase, "form": form, "title": title, "intro": witness.reference},
    )


@login_required
@GET_POST
def measure_add(request, reference, witness_reference):
    kcase = _for_change(request, reference)
    witness = _witness(kcase, witness_reference)
    return _witness_form_page(
        request,
        kcase,
        witness,
        forms.MeasureForm(_bound(request)),
        lambda data: services.add_protective_measure(
            witness, actor=request.user, request=request, **data
        ),
        title=_("Add a protective measure"),
        success=_("Protective measure recorded."),
    )


@login_required
@GET_POST
def measure_status(request, reference, witness_reference, measure_id):
    kcase = _for_change(request, reference)
    witness = _witness(kcase, witness_reference)
    measure = get_object_or_404(witness.measures, pk=measure_id)
    return _witness_form_page(
        request,
        kcase,
        witness,
        forms.MeasureStatusForm(_bound(request), initial={"version": measure.version}),
        lambda data: services.change_measure_status(
            measure,
            actor=request.user,
            request=request,
            status=data["status"],
            on=data["on"],
            authority=data["authority"],
            expected_version=data["version"],
        ),
        title=_("Change the status of a protective measure"),
        success=_("Protective measure updated."),
    )


@login_required
@GET_POST
def legal_basis_add(request, reference):
    kcase = _for_change(request, reference)
    return _form_page(
        request,
        kcase,
        forms.LegalBasisForm(_bound(request)),
        lambda data: services.record_legal_basis(
            kcase, actor=request.user, request=request, **data
        ),
        title=_("Record a legal basis"),
        intro=_(
            "A court order or statutory duty opens only the data it names, until its date. "
            "Every read is shown to the protection coordinator."
        ),
        success=_("Legal basis recorded."),
    )


@login_required
@require_POST
def legal_basis_revoke(request, reference, basis_reference):
    kcase = _for_change(request, reference)
    basis = get_object_or_404(kcase.legal_bases, reference=(basis_reference or "").upper())
    try:
        services.revoke_legal_basis(basis, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Legal basis revoked."))
    return redirect("investigations:detail", kcase.reference)
