"""The screening wizard (start, one page per dimension, result), past screenings, age
assessments, and the administration of indicator catalogues.

The wizard keeps only codes in the session between pages (the person's reference, the
catalogue's id and the answers), never names; the screening is written in one service call
at the end. Every page works without JavaScript.
"""

from __future__ import annotations

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import access
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.forms import apply_validation_error
from corridor.people.models import Person
from corridor.people.services import look_alikes, register_person
from corridor.screening import services
from corridor.screening.forms import AgeAssessmentForm, DimensionForm, IndicatorForm, StartForm
from corridor.screening.models import (
    CaseEffect,
    Dimension,
    Indicator,
    IndicatorCatalogue,
    ListKind,
    NextStep,
    list_kind_for,
    localized,
)
from corridor.screening.rules import DimensionCode, DimensionRule, Result, ResultRule, Strength
from corridor.vocabularies import ServiceType

SESSION_KEY = "screening_wizards"
# At most this many unfinished screenings are kept per session (oldest dropped first).
MAX_WIZARDS = 5


def screeners_only(view):
    """Declare at the endpoint: first responders, coordinators and investigators screen."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_role(*access.OWNER_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def administrators_only(view):
    """Declare at the endpoint: only administrators manage indicator catalogues."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.can_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- the wizard ---------------------------------------------------------------------------


def _wizards(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _save_wizard(request, token: str, state: dict | None) -> None:
    wizards = dict(_wizards(request))
    if state is None:
        wizards.pop(token, None)
    else:
        wizards[token] = state
        while len(wizards) > MAX_WIZARDS:
            wizards.pop(next(iter(wizards)))
    request.session[SESSION_KEY] = wizards


def _wizard(request, token: str) -> dict:
    state = _wizards(request).get(token)
    if state is None:
        raise Http404("No such screening in progress.")
    return state


@screeners_only
@require_http_methods(["GET", "POST"])
def start(request):
    fixed = None
    reference = request.GET.get("person") or request.POST.get("fixed_person")
    if reference:
        fixed = access.get_person_for_user(request.user, reference.strip().upper(), for_change=True)
    form = StartForm(request.POST or None, fixed_person=fixed)
    alikes = []
    if request.method == "POST" and form.is_valid():
        if _registers_someone(form) and not request.POST.get("register_anyway"):
            alikes = look_alikes(form.new_person_fields(), actor=request.user, request=request)
        if not alikes:
            try:
                token = _begin(request, form)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return redirect("screening:step", token=token, step=1)
    return render(
        request,
        "screening/start.html",
        {
            "form": form,
            "fixed_person": fixed,
            "alikes": alikes,
            "use_url": reverse("screening:start") + "?person=",
        },
    )


def _registers_someone(form: StartForm) -> bool:
    return form.fixed_person is None and not form.cleaned_data.get("person")


def _begin(request, form: StartForm) -> str:
    """Find or register the person, choose the list, and open a wizard in the session."""
    data = form.cleaned_data
    if form.fixed_person is not None:
        person = form.fixed_person
    elif data["person"]:
        try:
            person = access.get_person_for_user(request.user, data["person"], for_change=True)
        except (Http404, PermissionDenied):
            raise ValidationError(
                {"person": _("No person with this reference is yours to screen.")}
            ) from None
    else:
        person = None
    with transaction.atomic():
        if person is None:
            fields = form.new_person_fields()
            child = Person(**fields).presumed_minor
            catalogue = services.active_catalogue(
                list_kind_for(child=child, exploitation=data["exploitation"])
            )
            person = register_person(actor=request.user, request=request, **fields)
        else:
            catalogue = services.catalogue_for(person, data["exploitation"])
    token = secrets.token_urlsafe(9)
    _save_wizard(
        request,
        token,
        {
            "person": person.reference,
            "catalogue": catalogue.pk,
            "answers": {},
            "smuggling": bool(data.get("smuggled") and data.get("in_need")),
            "location": (data.get("location") or "").strip(),
        },
    )
    return token


def _dimensions(catalogue: IndicatorCatalogue) -> list[Dimension]:
    return list(
        catalogue.dimensions.order_by("order", "pk").prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk"))
        )
    )


@screeners_only
@require_http_methods(["GET", "POST"])
def step(request, token: str, step: int):
    state = _wizard(request, token)
    person = access.get_person_for_user(request.user, state["person"], for_change=True)
    catalogue = get_object_or_404(IndicatorCatalogue, pk=state["catalogue"])
    dimensions = _dimensions(catalogue)
    if not 1 <= step <= len(dimensions):
        raise Http404("No such step.")
    dimension = dimensions[step - 1]
    last = step == len(dimensions)
    answers = state["answers"]
    form = DimensionForm(
        request.POST or None,
        indicators=dimension.indicators.all(),
        answers=answers,
        last=last,
    )
    if request.method == "POST" and form.is_valid():
        answers = {**answers, **form.answers()}
        state = {**state, "answers": answers}
        _save_wizard(request, token, state)
        if request.POST.get("direction") == "back":
            if step == 1:
                return redirect(reverse("screening:start") + f"?person={person.reference}")
            return redirect("screening:step", token=token, step=step - 1)
        if not last:
            return redirect("screening:step", token=token, step=step + 1)
        try:
            screening = services.screen_person(
                person,
                actor=request.user,
                catalogue=catalogue,
                answers=answers,
                smuggling=state["smuggling"],
                location=state["location"],
                notes=form.cleaned_data.get("notes", ""),
                request=request,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            _save_wizard(request, token, None)
            messages.success(
                request,
                _("Screening {reference} recorded.").format(reference=screening.reference),
            )
            return redirect("screening:detail", reference=screening.reference)
    return render(
        request,
        "screening/step.html",
        {
            "form": form,
            "person": person,
            "catalogue": catalogue,
            "dimension": dimension,
            "step": step,
            "steps": len(dimensions),
            "last": last,
            "token": token,
        },
    )


# --- past screenings ----------------------------------------------------------------------


def _explained_dimensions(screening) -> list[dict]:
    labels = {d.code: d.display_label for d in screening.catalogue.dimensions.all()}
    rows = []
    for item in screening.explanation.get("dimensions", []):
        rule = item.get("rule")
        rows.append(
            {
                "code": item["code"],
                "label": labels.get(item["code"]) or DimensionCode(item["code"]).label,
                "positive": item["positive"],
                "rule": DimensionRule(rule).label if rule in DimensionRule.values else "",
                "present": [
                    {
                        "code": p["code"],
                        "strength": p["strength"],
                        "strength_label": Strength(p["strength"]).label,
                        "text": localized(p["text"]),
                    }
                    for p in item.get("present", [])
                ],
                "unknown": len(item.get("unknown", [])),
            }
        )
    return rows


@login_required
def detail(request, reference: str):
    screening = services.get_screening_for_user(request.user, reference)
    services.view_screening(screening, actor=request.user, request=request)
    case = None
    if screening.case_id:
        case = access.cases_visible_to(request.user).filter(pk=screening.case_id).first()
    return render(
        request,
        "screening/detail.html",
        {
            "screening": screening,
            "person": screening.person,
            "result_label": Result(screening.result).label,
            "rule_label": ResultRule(screening.rule).label
            if screening.rule in ResultRule.values
            else "",
            "dimensions": _explained_dimensions(screening),
            "combination": screening.explanation.get("combination", {}),
            "next_step_label": NextStep(screening.next_step).label,
            "service_label": ServiceType(screening.suggested_service).label
            if screening.suggested_service in ServiceType.values
            else "",
            "case": case,
            "case_effect_label": CaseEffect(screening.case_effect).label,
            "can_change_person": access.can_change_person(request.user, screening.person),
        },
    )


@screeners_only
@require_http_methods(["GET", "POST"])
def age_assessment(request, person_reference: str):
    person = access.get_person_for_user(request.user, person_reference, for_change=True)
    form = AgeAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.record_age_assessment(
                person, actor=request.user, request=request, **form.cleaned_data
            )
        except ConcurrentEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Age assessment recorded: {conclusion}.").format(
                    conclusion=assessment.get_conclusion_display()
                ),
            )
            return redirect("people:detail", person.reference)
    return render(request, "screening/age_assessment.html", {"form": form, "person": person})


# --- catalogue administration -------------------------------------------------------------


@administrators_only
def catalogue_list(request):
    catalogues = IndicatorCatalogue.objects.annotate(
        indicator_count=Count("indicators", distinct=True),
        screening_count=Count("screenings", distinct=True),
    ).order_by("list_kind", "code", "-version")
    groups = []
    for kind, label in ListKind.choices:
        rows = [c for c in catalogues if c.list_kind == kind]
        groups.append({"kind": kind, "label": label, "catalogues": rows})
    return render(request, "screening/catalogue_list.html", {"groups": groups})


@administrators_only
def catalogue_detail(request, pk: int):
    catalogue = get_object_or_404(IndicatorCatalogue.objects.select_related("based_on"), pk=pk)
    return render(
        request,
        "screening/catalogue_detail.html",
        {
            "catalogue": catalogue,
            "dimensions": _dimensions(catalogue),
            "draft": IndicatorCatalogue.objects.filter(
                code=catalogue.code, published=False
            ).first(),
        },
    )


@administrators_only
@require_POST
def catalogue_copy(request, pk: int):
    catalogue = get_object_or_404(IndicatorCatalogue, pk=pk)
    try:
        copy = services.copy_catalogue(catalogue, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("screening:catalogue_detail", pk=catalogue.pk)
    messages.success(request, _("Draft version {version} created.").format(version=copy.version))
    return redirect("screening:catalogue_detail", pk=copy.pk)


@administrators_only
@require_POST
def catalogue_publish(request, pk: int):
    catalogue = get_object_or_404(IndicatorCatalogue, pk=pk)
    try:
        services.publish_catalogue(catalogue, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Version {version} is published and offered for new screenings.").format(
                version=catalogue.version
            ),
        )
    return redirect("screening:catalogue_detail", pk=catalogue.pk)


@administrators_only
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int, indicator_pk: int):
    catalogue = get_object_or_404(IndicatorCatalogue, pk=pk)
    indicator = get_object_or_404(
        Indicator.objects.select_related("dimension", "catalogue"),
        pk=indicator_pk,
        catalogue=catalogue,
    )
    if catalogue.published:
        messages.error(
            request, _("A published version cannot change: make a new draft version first.")
        )
        return redirect("screening:catalogue_detail", pk=catalogue.pk)
    form = IndicatorForm(request.POST or None, initial=IndicatorForm.initial_for(indicator))
    if request.method == "POST" and form.is_valid():
        shown = {code for code in form.texts()} | {
            name.removeprefix("text_") for name in form.fields if name.startswith("text_")
        }
        kept = {lang: t for lang, t in indicator.text.items() if lang not in shown}
        try:
            services.update_indicator(
                indicator,
                actor=request.user,
                request=request,
                strength=form.cleaned_data["strength"],
                text={**kept, **form.texts()},
                methods_of_control=form.cleaned_data["methods_of_control"],
                exploitation=form.cleaned_data["exploitation"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Indicator {code} saved.").format(code=indicator.code))
            return redirect("screening:catalogue_detail", pk=catalogue.pk)
    return render(
        request,
        "screening/indicator_form.html",
        {"form": form, "catalogue": catalogue, "indicator": indicator},
    )
