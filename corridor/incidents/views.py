"""Incident pages: thin views over `services` (writes, scope) and `counting` (statistics)."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import access
from corridor.consent.models import Consent
from corridor.core.forms import apply_validation_error, perform_on_form
from corridor.core.paging import CappedPaginator
from corridor.incidents import counting, services
from corridor.incidents.forms import (
    EventForm,
    IncidentFilterForm,
    IncidentForm,
    PlaceForm,
    RouteLegForm,
    SuspectForm,
    VictimForm,
)
from corridor.incidents.models import Incident, IncidentVictim, RouteLeg
from corridor.people.services import view_person_list
from corridor.vocabularies import Exploitation, Sex

PAGE_SIZE = 50
Role = IncidentVictim.Role


def _shown(n: counting.Cell):
    """A count as the page shows it: a hidden one says so, in the reader's language."""
    return _("hidden") if n == counting.HIDDEN else n


def _labelled(cells: dict, choices) -> list[tuple[str, object]]:
    labels = dict(choices)
    return [(str(labels.get(code, code)), _shown(n)) for code, n in cells.items()]


def counts_context(counts: counting.Counts) -> dict:
    """The counts with their codes turned into labels, for `incidents/_counts.html`."""
    from corridor.vocabularies import country_choices

    countries = dict(country_choices())
    return {
        "counts": counts,
        "by_sex": _labelled(counts.by_sex, Sex.choices),
        "by_age_group": _labelled(counts.by_age_group, counting.AgeGroup.choices),
        "by_nationality": _labelled(
            counts.by_nationality, [*countries.items(), (counting.UNKNOWN, _("Unknown"))]
        ),
        "by_exploitation": _labelled(counts.by_exploitation, Exploitation.choices),
        "by_route": [
            (route.label or _("Route not recorded"), _shown(route.incidents), route.victims)
            for route in counts.by_route
        ],
    }


def _identity_visible(user, persons) -> set[int]:
    """The persons whose names the user may read.

    An agency that sees a person only through a referral sees the data categories that
    referral shares; without "identity" it gets the reference and not the name.
    (`visible_categories_many` arrives with consent-limited sharing in accounts.access;
    until it does, seeing a person means seeing their name.)
    """
    persons = list(persons)
    categories_of = getattr(access, "visible_categories_many", None)
    if categories_of is None:
        return {p.pk for p in persons}
    return {
        pk
        for pk, categories in categories_of(user, persons).items()
        if categories is None or Consent.DataCategory.IDENTITY in categories
    }


@login_required
def incident_list(request):
    user = request.user
    if not counting.may_count(user):
        raise PermissionDenied
    filter_form = IncidentFilterForm(request.GET or None)
    filters = filter_form.filters()
    counts = counting.count_for(user, **filters)
    operational = user.has_role(*access.OPERATIONAL_ROLES)
    page = None
    if operational:
        incidents = (
            services.filter_incidents(access.incidents_visible_to(user), **filters)
            .select_related("owner_agency")
            .annotate(
                n_victims=Count("victim_links", filter=Q(victim_links__role=Role.VICTIM)),
                n_migrants=Count(
                    "victim_links", filter=Q(victim_links__role=Role.SMUGGLED_MIGRANT)
                ),
            )
            .prefetch_related(Prefetch("route_legs", queryset=RouteLeg.objects.order_by("order")))
            .order_by("-created_at", "-pk")
        )
        page = CappedPaginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
        for incident in page.object_list:
            incident.route = " → ".join(services.route_countries(incident.route_legs.all()))
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "can_record": access.can_record_incident(user),
            **counts_context(counts),
            "search_notice": _search_notice(counts),
        },
    )


def _search_notice(counts: counting.Counts) -> str:
    if not counts.search_limited:
        return ""
    return _(
        "The words were looked for in the {limit} most recent incidents that match the other "
        "filters, not further back: choose dates or a country to look at older incidents."
    ).format(limit=number_format(services.SEARCH_SCAN_LIMIT, force_grouping=True))


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request):
    if not access.can_record_incident(request.user):
        raise PermissionDenied
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.record_incident(
                actor=request.user, request=request, **form.changes()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Incident {reference} recorded.").format(reference=incident.reference)
            )
            return redirect("incidents:detail", incident.reference)
    return render(request, "incidents/form.html", {"form": form, "incident": None})


@login_required
def incident_detail(request, reference):
    user = request.user
    incident = access.get_incident_for_user(user, reference)
    services.view_incident(incident, actor=user, request=request)
    links = list(incident.victim_links.all())
    # Only the persons this user may see anyway are loaded at all; the others are counted.
    persons = {
        p.pk: p
        for p in access.persons_visible_to(user).filter(pk__in=[link.person_id for link in links])
    }
    named = _identity_visible(user, persons.values())
    shown = []
    for link in links:
        if link.person_id in persons:
            link.visible_person = persons[link.person_id]
            link.show_name = link.person_id in named
            shown.append(link)
    hidden = Counter(link.role for link in links if link.person_id not in persons)
    not_in_records = [
        (
            Role(role).label,
            ngettext(
                "{count} person (not in your records)",
                "{count} persons (not in your records)",
                n,
            ).format(count=n),
        )
        for role, n in sorted(hidden.items())
    ]
    view_person_list([link.visible_person for link in shown], actor=user, request=request)
    legs = list(incident.route_legs.order_by("order"))
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "victims": shown,
            "not_in_records": not_in_records,
            "suspects": incident.suspect_links.select_related("suspect"),
            "legs": legs,
            "stops": services.route_stops(legs),
            "places": incident.places.all(),
            "events": incident.events.select_related("place"),
            "can_change": access.can_change_incident(user, incident),
            **counts_context(counting.count(Incident.objects.filter(pk=incident.pk))),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request, reference):
    incident = access.get_incident_for_user(request.user, reference, for_change=True)
    if request.method == "POST":
        form = IncidentForm(request.POST)  # the service compares against the stored record
        if form.is_valid():
            if perform_on_form(
                form,
                lambda: services.update_incident(
                    incident,
                    actor=request.user,
                    request=request,
                    expected_version=form.cleaned_data.get("version") or 0,
                    **form.changes(),
                ),
            ):
                messages.success(request, _("Changes saved."))
                return redirect("incidents:detail", incident.reference)
    else:
        services.view_incident(incident, actor=request.user, request=request)
        form = IncidentForm(instance=incident, initial={"version": incident.version})
    return render(request, "incidents/form.html", {"form": form, "incident": incident})


# --- adding victims, suspects, route legs, places and events --------------------------------

ADDITIONS = {
    "victim": (
        VictimForm,
        services.add_victim,
        gettext_lazy("Add a victim or smuggled migrant"),
        gettext_lazy("Person added to the incident."),
    ),
    "suspect": (
        SuspectForm,
        services.add_suspect,
        gettext_lazy("Add a suspect"),
        gettext_lazy("Suspect added."),
    ),
    "route_leg": (
        RouteLegForm,
        services.add_route_leg,
        gettext_lazy("Add a leg to the route"),
        gettext_lazy("Route leg added."),
    ),
    "place": (
        PlaceForm,
        services.add_place,
        gettext_lazy("Add a place"),
        gettext_lazy("Place added."),
    ),
    "event": (
        EventForm,
        services.add_event,
        gettext_lazy("Add an event"),
        gettext_lazy("Event added."),
    ),
}


def _addition(kind: str):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, reference):
        incident = access.get_incident_for_user(request.user, reference, for_change=True)
        form_class, service, title, done = ADDITIONS[kind]
        extra = {"incident": incident} if form_class is EventForm else {}
        form = form_class(request.POST or None, **extra)
        if request.method == "POST" and form.is_valid():
            try:
                service(incident, actor=request.user, request=request, **form.service_kwargs())
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, str(done))
                return redirect("incidents:detail", incident.reference)
        return render(
            request, "incidents/add.html", {"form": form, "incident": incident, "title": title}
        )

    view.__name__ = f"add_{kind}"
    return view


add_victim = _addition("victim")
add_suspect = _addition("suspect")
add_route_leg = _addition("route_leg")
add_place = _addition("place")
add_event = _addition("event")


@login_required
@require_POST
def remove_victim(request, reference, person_reference):
    incident = access.get_incident_for_user(request.user, reference, for_change=True)
    try:
        services.remove_victim(
            incident, actor=request.user, request=request, person=person_reference
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("{reference} removed from the incident.").format(reference=person_reference),
        )
    return redirect("incidents:detail", incident.reference)
