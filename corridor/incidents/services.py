"""Business rules for incidents: who sees them, and every write (atomic, audited, checked).

Need-to-know for incidents (kept here, next to the incidents, rather than in
`corridor.accounts.access`; it follows the same conventions):

- members of the owning agency with an operational role see the incident;
- NRM coordinators see every incident owned by an agency of their own country;
- investigators and prosecutors see every incident owned by an agency of their own country,
  because they investigate networks, not single victims;
- analysts and administrators see no incident at all, only counts
  (`corridor.incidents.counting.count_for`).

An incident outside this scope answers 404, exactly like one that does not exist. Members
of the owning agency who record incidents, and coordinators of its country, may change it;
everyone else who sees it gets 403 on a change.

Seeing an incident does not open its victims' records: names are shown only for the persons
the user may see anyway (`access.persons_visible_to`), the others are counted.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Exists, F, Func, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.audit.services import Action, record_event
from corridor.core.concurrency import save_versioned
from corridor.incidents.models import (
    Incident,
    IncidentEvent,
    IncidentSuspect,
    IncidentVictim,
    MeansOfControl,
    Place,
    RouteLeg,
    Suspect,
)
from corridor.people.models import Person
from corridor.vocabularies import Exploitation

EDITABLE_FIELDS = (
    "title",
    "summary",
    "start_date",
    "end_date",
    "forms_of_exploitation",
    "means_of_control",
    "recruiter_relation",
)
# Fields whose values never go into the audit trail: only the fact they changed. Free text
# (the title too: "Fatou's flat in Turin") is encrypted at rest and has no place there.
SENSITIVE_FIELDS = frozenset({"title", "summary"})
CODED_LISTS = {"forms_of_exploitation": Exploitation, "means_of_control": MeansOfControl}
SUSPECT_FIELDS = ("names", "aliases", "sex", "nationality", "network_role")


def _require_change(actor, incident: Incident) -> None:
    if not access.can_change_incident(actor, incident):
        raise PermissionDenied(_("You may read this incident but not change it."))


# --- filters shared by the pages, the API and the statistics --------------------------------


class ListHas(Func):
    """True where a JSON list of codes holds `code` as one whole item (SQLite, PostgreSQL)."""

    output_field = BooleanField()

    def __init__(self, field: str, code: str):
        super().__init__(F(field))
        self.code = str(code)

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        # `column` is Django's own quoted column name; the code is a query parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({column}) AS item WHERE item.value = %s)"  # noqa: S608
        return sql, (*params, self.code)

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"({column} @> %s::jsonb)", (*params, json.dumps([self.code]))

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"ListHas does not support {connection.vendor}.")


# Titles and localities are encrypted at rest: SQL cannot look into them. The words of a
# search are looked for in Python, in the newest incidents that pass every other filter, and
# no further back than this many of them (the caller can tell the user, `Filtered.limited`).
SEARCH_SCAN_LIMIT = 2000
IN_CHUNK = 900  # parameters per `IN (...)` lookup, under SQLite's historical limit of 999


@dataclass(frozen=True)
class Filtered:
    incidents: QuerySet[Incident]
    # True when the words were looked for in the newest SEARCH_SCAN_LIMIT incidents only.
    limited: bool = False


def filter_incidents(incidents: QuerySet[Incident], **filters) -> QuerySet[Incident]:
    """Narrow a queryset of incidents; every filter left out keeps everything (see
    `filter_and_search`, which also says whether the words were looked for everywhere)."""
    return filter_and_search(incidents, **filters).incidents


def filter_and_search(
    incidents: QuerySet[Incident],
    *,
    q: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    country: str | None = None,
    exploitation: str | None = None,
    means_of_control: str | None = None,
) -> Filtered:
    """Narrow a queryset of incidents; every filter left out keeps everything.

    - `q`: the incident's reference, exactly (in SQL, over all `incidents`), or words that all
      appear in its title or the localities of its places and route, in any case and with or
      without accents (in Python, see `SEARCH_SCAN_LIMIT`);
    - `date_from`/`date_to`: incidents whose known dates overlap the period (an incident with
      only a start or only an end date is taken to last that one day; one with no date at all
      is left out as soon as a period is asked for);
    - `country`: the route or a place of the incident is in this country (ISO alpha-2);
    - `exploitation`, `means_of_control`: the incident records this code.
    """
    if date_from or date_to:
        incidents = incidents.annotate(
            _first=Coalesce("start_date", "end_date"), _last=Coalesce("end_date", "start_date")
        ).filter(_first__isnull=False)
        if date_from:
            incidents = incidents.filter(_last__gte=date_from)
        if date_to:
            incidents = incidents.filter(_first__lte=date_to)
    if country:
        code = country.strip().upper()
        incidents = incidents.filter(
            Exists(
                RouteLeg.objects.filter(incident=OuterRef("pk")).filter(
                    Q(from_country=code) | Q(to_country=code)
                )
            )
            | Exists(Place.objects.filter(incident=OuterRef("pk"), country=code))
        )
    if exploitation:
        incidents = incidents.filter(ListHas("forms_of_exploitation", exploitation))
    if means_of_control:
        incidents = incidents.filter(ListHas("means_of_control", means_of_control))
    q = (q or "").strip()
    if not q:
        return Filtered(incidents)
    # Last, so that the words are looked for only in what the other filters left.
    matched, limited = _matching_words(incidents, q)
    return Filtered(incidents.filter(Q(reference__iexact=q) | Q(pk__in=matched)), limited)


def _fold(text: str) -> str:
    """Lower case without accents, for comparing words: "Bénin" and "BENIN" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _matching_words(incidents: QuerySet[Incident], q: str) -> tuple[list[int], bool]:
    """The incidents (newest first, at most SEARCH_SCAN_LIMIT looked at) whose title and
    localities hold every word of `q`, and whether there were more incidents to look at."""
    words = _fold(q).split()
    rows = list(
        incidents.order_by("-created_at", "-pk").values_list("pk", "title")[: SEARCH_SCAN_LIMIT + 1]
    )
    limited = len(rows) > SEARCH_SCAN_LIMIT
    texts = {pk: [title] for pk, title in rows[:SEARCH_SCAN_LIMIT]}
    ids = list(texts)
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        for pk, locality in Place.objects.filter(incident_id__in=chunk).values_list(
            "incident_id", "locality"
        ):
            texts[pk].append(locality)
        for pk, origin, destination in RouteLeg.objects.filter(incident_id__in=chunk).values_list(
            "incident_id", "from_locality", "to_locality"
        ):
            texts[pk] += [origin, destination]
    matched = []
    for pk, parts in texts.items():
        text = _fold(" ".join(parts))
        if all(word in text for word in words):
            matched.append(pk)
    return matched, limited


# --- validation -----------------------------------------------------------------------------


def _coded_list(name: str, value, choices) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError({name: _("Give a list of codes.")})
    codes = list(dict.fromkeys(str(v) for v in value))
    bad = [c for c in codes if c not in choices.values]
    if bad:
        raise ValidationError(
            {name: _("Unknown code: {codes}.").format(codes=", ".join(sorted(bad)))}
        )
    return codes


def _validated(incident: Incident) -> None:
    for name, choices in CODED_LISTS.items():
        setattr(incident, name, _coded_list(name, getattr(incident, name), choices))
    incident.title = (incident.title or "").strip()
    incident.full_clean(exclude=["owner_agency", "created_by"])
    if incident.start_date and incident.end_date and incident.end_date < incident.start_date:
        raise ValidationError({"end_date": _("The end date must not be before the start date.")})


def _unknown_fields(fields: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})


# --- incidents ------------------------------------------------------------------------------


def record_incident(*, actor, request: HttpRequest | None = None, **fields) -> Incident:
    """Create an incident owned by the actor's agency."""
    if not access.can_record_incident(actor):
        raise PermissionDenied(_("Your role does not record incidents."))
    _unknown_fields(fields, EDITABLE_FIELDS)
    incident = Incident(owner_agency_id=actor.agency_id, created_by=actor, **fields)
    _validated(incident)
    with transaction.atomic():
        incident.save()
        record_event(
            Action.CREATE,
            actor=actor,
            obj=incident,
            request=request,
            details={"fields": sorted(k for k, v in fields.items() if v not in ("", None, []))},
        )
    return incident


def update_incident(
    incident: Incident,
    *,
    actor,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes,
) -> Incident:
    """Apply changes unless someone else saved the incident since `expected_version`."""
    _require_change(actor, incident)
    _unknown_fields(changes, EDITABLE_FIELDS)
    for name, choices in CODED_LISTS.items():
        if name in changes:
            changes[name] = _coded_list(name, changes[name], choices)
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
    changed = [name for name, value in changes.items() if getattr(incident, name) != value]
    for name in changed:
        setattr(incident, name, changes[name])
    _validated(incident)
    if not changed:
        return incident
    with transaction.atomic():
        save_versioned(incident, expected_version, changed)
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=incident,
            request=request,
            details={
                "fields": changed,
                "values": {
                    n: _audit_value(changes[n]) for n in changed if n not in SENSITIVE_FIELDS
                },
            },
        )
    return incident


def _audit_value(value):
    return value if isinstance(value, list) else str(value)


def view_incident(incident: Incident, *, actor, request: HttpRequest | None = None) -> None:
    record_event(Action.VIEW, actor=actor, obj=incident, request=request)


def _changed(incident: Incident, *, actor, request, **details) -> None:
    record_event(Action.CHANGE, actor=actor, obj=incident, request=request, details=details)


# --- victims --------------------------------------------------------------------------------


def _visible_person(actor, person: Person | str) -> Person:
    reference = person.reference if isinstance(person, Person) else (person or "").strip().upper()
    found = (
        access.persons_visible_to(actor).filter(reference=reference).first() if reference else None
    )
    if found is None:
        # The same answer for a person who does not exist and one outside need-to-know.
        raise ValidationError(
            {
                "person": _("No person with the reference {reference} is in your records.").format(
                    reference=reference or "—"
                )
            }
        )
    return found


def add_victim(
    incident: Incident,
    *,
    actor,
    person: Person | str,
    role: str = IncidentVictim.Role.VICTIM,
    notes: str = "",
    request: HttpRequest | None = None,
) -> IncidentVictim:
    """Record that a person the actor may see went through this incident."""
    _require_change(actor, incident)
    person = _visible_person(actor, person)
    if role not in IncidentVictim.Role.values:
        raise ValidationError({"role": _("Choose a victim or a smuggled migrant.")})
    already = ValidationError(
        {
            "person": _("{reference} is already recorded in this incident.").format(
                reference=person.reference
            )
        }
    )
    with transaction.atomic():
        if IncidentVictim.objects.filter(incident=incident, person=person).exists():
            raise already
        try:
            with transaction.atomic():  # someone else may add the same person at this moment
                link = IncidentVictim.objects.create(
                    incident=incident, person=person, role=role, notes=notes or ""
                )
        except IntegrityError:
            raise already from None
        _changed(
            incident,
            actor=actor,
            request=request,
            added="victim",
            person=person.reference,
            role=role,
        )
    return link


def remove_victim(
    incident: Incident, *, actor, person: Person | str, request: HttpRequest | None = None
) -> None:
    _require_change(actor, incident)
    person = _visible_person(actor, person)
    with transaction.atomic():
        deleted, _counts = IncidentVictim.objects.filter(incident=incident, person=person).delete()
        if not deleted:
            raise ValidationError(
                {
                    "person": _("{reference} is not recorded in this incident.").format(
                        reference=person.reference
                    )
                }
            )
        _changed(incident, actor=actor, request=request, removed="victim", person=person.reference)


# --- suspects -------------------------------------------------------------------------------


def add_suspect(
    incident: Incident,
    *,
    actor,
    suspect: Suspect | str | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
    **fields,
) -> IncidentSuspect:
    """Link a suspect to the incident: one already known (`suspect`, a reference the actor
    may see, e.g. from another incident of the same network) or a new one from `fields`."""
    _require_change(actor, incident)
    _unknown_fields(fields, SUSPECT_FIELDS)
    with transaction.atomic():
        if suspect:
            if fields:
                raise ValidationError(
                    {"suspect": _("Give either a known suspect or a new one's details, not both.")}
                )
            reference = suspect.reference if isinstance(suspect, Suspect) else suspect
            found = (
                access.suspects_visible_to(actor)
                .filter(reference=reference.strip().upper())
                .first()
            )
            if found is None:
                raise ValidationError(
                    {
                        "suspect": _(
                            "No suspect with the reference {reference} is in your records."
                        ).format(reference=reference)
                    }
                )
            suspect = found
            if IncidentSuspect.objects.filter(incident=incident, suspect=suspect).exists():
                raise ValidationError(
                    {
                        "suspect": _("{reference} is already linked to this incident.").format(
                            reference=suspect.reference
                        )
                    }
                )
        else:
            if "nationality" in fields and fields["nationality"]:
                fields["nationality"] = str(fields["nationality"]).strip().upper()
            suspect = Suspect(owner_agency_id=actor.agency_id, **fields)
            suspect.full_clean(exclude=["owner_agency"])
            suspect.save()
            record_event(
                Action.CREATE,
                actor=actor,
                obj=suspect,
                request=request,
                details={"incident": incident.reference, "network_role": suspect.network_role},
            )
        link = IncidentSuspect.objects.create(incident=incident, suspect=suspect, notes=notes or "")
        _changed(incident, actor=actor, request=request, added="suspect", suspect=suspect.reference)
    return link


# --- places, route and events ---------------------------------------------------------------


def _upper(fields: dict, *names: str) -> None:
    for name in names:
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip().upper()


def add_route_leg(
    incident: Incident,
    *,
    actor,
    from_country: str,
    to_country: str,
    mode: str,
    from_locality: str = "",
    to_locality: str = "",
    departed_on: date | None = None,
    arrived_on: date | None = None,
    smuggler_involved: bool = False,
    request: HttpRequest | None = None,
) -> RouteLeg:
    """Append a leg to the end of the incident's route."""
    _require_change(actor, incident)
    fields = {"from_country": from_country, "to_country": to_country}
    _upper(fields, "from_country", "to_country")
    leg = RouteLeg(
        incident=incident,
        order=1,
        mode=mode,
        from_locality=(from_locality or "").strip(),
        to_locality=(to_locality or "").strip(),
        departed_on=departed_on,
        arrived_on=arrived_on,
        smuggler_involved=bool(smuggler_involved),
        **fields,
    )
    leg.full_clean(exclude=["incident", "order"])
    if departed_on and arrived_on and arrived_on < departed_on:
        raise ValidationError({"arrived_on": _("The arrival must not be before the departure.")})
    with transaction.atomic():
        # Lock the incident so that two legs appended at once get consecutive numbers.
        Incident.objects.select_for_update().filter(pk=incident.pk).first()
        last = incident.route_legs.aggregate(last=Max("order"))["last"] or 0
        leg.order = last + 1
        leg.save()
        _changed(
            incident,
            actor=actor,
            request=request,
            added="route_leg",
            order=leg.order,
            route=f"{leg.from_country}→{leg.to_country}",
            mode=leg.mode,
        )
    return leg


def _coordinate(name: str, value, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        raise ValidationError(
            {name: _("Give a number between -{limit} and {limit}.").format(limit=limit)}
        )
    return number.quantize(Decimal("0.00001"))


def add_place(
    incident: Incident,
    *,
    actor,
    country: str,
    kind: str,
    locality: str = "",
    latitude=None,
    longitude=None,
    request: HttpRequest | None = None,
) -> Place:
    _require_change(actor, incident)
    place = Place(
        incident=incident,
        country=(country or "").strip().upper(),
        kind=kind,
        locality=(locality or "").strip(),
        latitude=_coordinate("latitude", latitude, 90),
        longitude=_coordinate("longitude", longitude, 180),
    )
    place.full_clean(exclude=["incident"])
    with transaction.atomic():
        place.save()
        _changed(
            incident,
            actor=actor,
            request=request,
            added="place",
            country=place.country,
            kind=place.kind,
        )
    return place


def add_event(
    incident: Incident,
    *,
    actor,
    kind: str,
    date: date | None = None,
    place: Place | int | None = None,
    description: str = "",
    request: HttpRequest | None = None,
) -> IncidentEvent:
    """Add a recruitment, transport or exploitation step to the incident's timeline."""
    _require_change(actor, incident)
    if place not in (None, ""):
        place_id = place.pk if isinstance(place, Place) else place
        place = incident.places.filter(pk=place_id).first()
        if place is None:
            raise ValidationError({"place": _("Choose one of this incident's places.")})
    else:
        place = None
    event = IncidentEvent(
        incident=incident, kind=kind, date=date, place=place, description=description or ""
    )
    event.full_clean(exclude=["incident", "place"])
    with transaction.atomic():
        event.save()
        _changed(
            incident,
            actor=actor,
            request=request,
            added="event",
            kind=event.kind,
            date=event.date.isoformat() if event.date else None,
        )
    return event


# --- reading --------------------------------------------------------------------------------


def route_stops(legs: Iterable[RouteLeg]) -> list[str]:
    """The route as its stops in order: "Agadez (NE)", "Sebha (LY)", "Tripoli (LY)"...

    Where a leg does not start where the previous one ended, both ends are kept, with "…"
    between them: a gap in what is known is shown, never papered over.
    """
    stops: list[str] = []
    previous: RouteLeg | None = None
    for leg in legs:
        if previous is None:
            stops.append(leg.origin)
        elif (leg.from_country, leg.from_locality) != (previous.to_country, previous.to_locality):
            stops += ["…", leg.origin]
        stops.append(leg.destination)
        previous = leg
    return stops


def route_countries(legs: Iterable[RouteLeg]) -> list[str]:
    """The countries of the route in order, each repeated stretch counted once (NE, LY, IT)."""
    countries: list[str] = []
    for leg in legs:
        for code in (leg.from_country, leg.to_country):
            if not countries or countries[-1] != code:
                countries.append(code)
    return countries
