from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts import access
from corridor.core.forms import apply_validation_error, perform_on_form
from corridor.core.paging import CappedPaginator
from corridor.people import search, services
from corridor.people.forms import BreakGlassForm, PersonForm

PAGE_SIZE = 50


@login_required
def person_list(request):
    persons = access.persons_visible_to(request.user).select_related("owner_agency")
    query = request.GET.get("q", "").strip()
    found = None
    if query:
        found = search.search_persons(query, actor=request.user, within=persons, request=request)
        page = Paginator(found.persons, search.SEARCH_LIMIT).get_page(1)
    else:
        page = CappedPaginator(persons.order_by("-created_at"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    services.view_person_list(page.object_list, actor=request.user, request=request)
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "query": query,
            "found": found,
            "can_register": request.user.has_role(*access.OWNER_ROLES),
            "can_break_glass": access.can_break_glass(request.user),
        },
    )


@login_required
def person_detail(request, reference):
    person = access.get_person_for_user(request.user, reference)
    services.view_person(person, actor=request.user, request=request)
    cases = access.cases_visible_to(request.user).filter(person=person).order_by("-opened_at")
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "cases": cases,
            "can_change": access.can_change_person(request.user, person),
            "can_see_retention": access.can_see_retention(request.user, person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_register(request):
    if not request.user.has_role(*access.OWNER_ROLES):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    alikes = []
    if request.method == "POST" and form.is_valid():
        fields = form.changes()
        if not request.POST.get("register_anyway"):
            alikes = services.look_alikes(fields, actor=request.user, request=request)
        if not alikes:
            try:
                person = services.register_person(actor=request.user, request=request, **fields)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request, _("Person {reference} registered.").format(reference=person.reference)
                )
                return redirect("people:detail", person.reference)
    return render(request, "people/form.html", {"form": form, "person": None, "alikes": alikes})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, reference):
    person = access.get_person_for_user(request.user, reference, for_change=True)
    if request.method == "POST":
        form = PersonForm(request.POST)  # the service compares against the stored record
        if form.is_valid():
            expected = form.cleaned_data.get("version") or 0
            if perform_on_form(
                form,
                lambda: services.update_person(
                    person,
                    actor=request.user,
                    request=request,
                    expected_version=expected,
                    **form.changes(),
                ),
            ):
                messages.success(request, _("Changes saved."))
                return redirect("people:detail", person.reference)
    else:
        services.view_person(person, actor=request.user, request=request, purpose="edit")
        form = PersonForm(instance=person, initial={"version": person.version})
    return render(request, "people/form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request):
    if not access.can_break_glass(request.user):
        raise PermissionDenied
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.warning(
                request,
                _("Emergency access granted until {time}. It is audited.").format(
                    time=grant.expires_at.strftime("%Y-%m-%d %H:%M")
                ),
            )
            return redirect("people:detail", grant.person.reference)
    return render(request, "people/break_glass.html", {"form": form})


@login_required
def person_export(request, reference):
    """Download one record in HTCDS field names, e.g. for a case conference; audited."""
    person = access.get_person_for_user(request.user, reference)
    record = services.export_person_htcds(person, actor=request.user, request=request)
    response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{person.reference}.json"'
    return response
