"""Counting rules: what "how many victims" means in Corridor, so every agency counts alike.

Agencies along the routes used to count differently: one incident with 70 victims was logged
as "one case". These rules keep persons, incidents and cases apart. They are pure functions
over a queryset of incidents (the caller decides which incidents: scoped, filtered); each
returns plain numbers or dataclasses, and `count_for` applies a user's scope and, for
analysts, the suppression of small counts.

1. **Incidents count as incidents.** One incident is 1, whatever the number of persons in it.
2. **Victims are distinct persons.** A person recorded as a victim of trafficking in any of
   the counted incidents is one victim, however many incidents they went through: one
   incident with 70 victims is 70 victims and 1 incident; the same person in two incidents
   is 1 victim and 2 incidents.
3. **Smuggled migrants are not victims.** Persons recorded only as smuggled migrants are
   counted apart (`smuggled_migrants`), as distinct persons too. A person recorded as a
   victim in one counted incident and as a smuggled migrant in another counts as a victim
   only, so victims + smuggled migrants = distinct persons involved.
4. **Cases are protection cases**, one per person and NRM path: `cases` counts the
   protection cases of every person involved in the counted incidents (victims and smuggled
   migrants). A person with no case yet adds a victim and no case.
5. **Breakdowns describe the victims** (rule 2), each victim once:
   - *sex*: as recorded on the person (female, male, other, unknown);
   - *age group*: child (under 18), adult, or unknown, at the start of the earliest counted
     incident the victim went through, or today where no incident has a start date. A date
     of birth gives the age; an estimated age range counts only when the whole range is on
     one side of 18 (it was estimated when the person was registered and is moved back by
     the years between then and the incident). A disputed age is unknown. **The
     presumption of minority is a protection rule, not a statistic: an unknown age stays
     unknown here and is never counted as a child**;
   - *nationality*: ISO 3166-1 alpha-2, or "unknown";
   - *form of exploitation*: the forms recorded on the incidents the victim went through. A
     victim counts **once per form** (twice in two incidents of sexual exploitation is
     once), but a victim exploited in several forms counts under each of them, **so the
     total of the forms may exceed the number of victims**. An incident with no form
     recorded counts its victims under "unknown".
6. **Routes** come from the incidents' route legs, as the ordered countries they pass
   through (NE → LY → IT):
   - *by route*: each incident under its one route ("" when no leg is recorded), so the
     incidents of the routes add up to the incidents counted; its victims are the distinct
     victims of those incidents (a victim of two incidents on two routes counts in both);
   - *by country*: each country with the incidents that pass through it and their distinct
     victims; an incident through three countries counts in three rows.
7. **Small counts are suppressed for analysts.** Analysts and administrators see national
   aggregates only, and every count from 1 to 9 is shown as "<10" (0 is shown). Where a
   breakdown adds up to a total that is shown (sex, age group, nationality, route) and only
   one of its cells was suppressed, the next smallest cell is hidden too, so that the
   suppressed one cannot be worked out by subtraction; that cell is marked "hidden", never
   "<10", since it is not small.
8. **A person registered more than once is one person.** Records that a coordinator
   confirmed to be one person (`corridor.linkage`) count as one victim or smuggled migrant,
   wherever each record appears: once per form, route and country too. The person is
   described (sex, nationality, age) by the identity's first record, the one linkage names
   it after; the age is taken at the earliest counted incident of any of the records.
   Protection cases stay cases (rule 4): each record's case counts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.expressions import Col
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts import access
from corridor.cases.models import ProtectionCase
from corridor.incidents import services
from corridor.incidents.models import FiguresSnapshot, Incident, IncidentVictim, RouteLeg
from corridor.linkage.models import PersonLink
from corridor.people.models import ADULT_AGE, Person
from corridor.vocabularies import Exploitation, Sex

THRESHOLD = 10
SUPPRESSED = "<10"
# A count of 10 or more hidden so that a small one cannot be worked out from the total: it is
# not under 10, and must never be labelled so.
HIDDEN = "hidden"
UNKNOWN = "unknown"
FILTERS = ("q", "date_from", "date_to", "country", "exploitation", "means_of_control")

Cell = int | str  # a count, SUPPRESSED or HIDDEN
EXPLOITATION_CODES = frozenset(Exploitation.values)


class AgeGroup(TextChoices):
    CHILD = "child", gettext_lazy("Child")
    ADULT = "adult", gettext_lazy("Adult")
    UNKNOWN = "unknown", gettext_lazy("Age unknown")


@dataclass(frozen=True)
class CountryCount:
    country: str
    incidents: Cell
    victims: Cell


@dataclass(frozen=True)
class RouteCount:
    countries: tuple[str, ...]
    incidents: Cell
    victims: Cell

    @property
    def label(self) -> str:
        return " → ".join(self.countries)


@dataclass(frozen=True)
class Counts:
    incidents: Cell
    victims: Cell
    smuggled_migrants: Cell
    cases: Cell
    by_sex: dict[str, Cell] = field(default_factory=dict)
    by_age_group: dict[str, Cell] = field(default_factory=dict)
    by_nationality: dict[str, Cell] = field(default_factory=dict)
    by_exploitation: dict[str, Cell] = field(default_factory=dict)
    by_route: list[RouteCount] = field(default_factory=list)
    by_country: list[CountryCount] = field(default_factory=list)
    suppressed: bool = False
    # The words of `q` were looked for in the newest incidents only (services.SEARCH_SCAN_LIMIT).
    search_limited: bool = False
    as_of: datetime | None = None  # when the instance's figures were counted (a snapshot)


# --- how the database counts ----------------------------------------------------------------
#
# Every figure is computed by the database, in a fixed number of grouped queries however many
# victims there are (`count` makes six). Python reads back grouped rows only, one per
# sex × nationality × age group, per form of exploitation, per route and per country, and
# orders them; no query returns a row per victim. The grouped queries read from querysets
# the ORM compiles (the scope, the filters, the victims grouped by person with their age
# group); the SQL around them is the same for SQLite and PostgreSQL but for reading a JSON
# list and joining strings in order. Distinct victims per cell are counted as distinct
# (cell, victim) pairs, which the database can hash, rather than with COUNT(DISTINCT),
# which it must sort. Routes are assembled per incident inside the database (a window over
# its legs, in order) and leave it grouped by route.

VICTIM = IncidentVictim.Role.VICTIM
YEAR = 10000  # see `DayNumber`


def _ids(incidents: QuerySet[Incident]) -> QuerySet:
    return incidents.order_by().values("pk")


def _links(incidents: QuerySet[Incident], role: str | None = None) -> QuerySet[IncidentVictim]:
    links = IncidentVictim.objects.filter(incident__in=_ids(incidents)).order_by()
    return links.filter(role=role) if role else links


def _victim_keys(links: QuerySet[IncidentVictim]) -> QuerySet:
    """Rule 8: who a link is about: the identity of a linked record, else the record."""
    key = Coalesce("person__link__identity", "person_id", output_field=BigIntegerField())
    return links.annotate(victim=key).values("victim")


def _compiled(queryset: QuerySet, using: str) -> tuple[str, tuple]:
    """The SQL of a queryset, to be read from by a grouped query (one that can match nothing
    compiles to an always false condition instead of raising)."""
    sql, params = queryset.query.get_compiler(using=using, elide_empty=False).as_sql()
    return sql, tuple(params)


def _fetch(using: str, sql: str, params: tuple) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class DayNumber(Func):
    """A date as the number YYYYMMDD (SQLite, PostgreSQL). `DayNumber(b) >= DayNumber(a) +
    n * YEAR` exactly when b is at least n whole years after a (for any whole n), as
    `age_group` counts years: the month and day weigh less than one year."""

    arity = 1
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps dates as text, YYYY-MM-DD.
        return super().as_sql(
            compiler, connection, template="CAST(replace(%(expressions)s, '-', '') AS integer)"
        )

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(to_char(%(expressions)s, 'YYYYMMDD') AS integer)"
        )

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"DayNumber does not support {connection.vendor}.")


class _LocalDate(TruncDate):
    """The day of a date and time in the current time zone, as `TruncDate`; on SQLite,
    without a call into Python for each row where no time zone is to be crossed (the stored
    text, YYYY-MM-DD HH:MM:SS in the database's zone, begins with the day)."""

    def as_sqlite(self, compiler, connection, **extra):
        if self.get_tzname() == connection.timezone_name:
            sql, params = compiler.compile(self.lhs)
            return f"substr({sql}, 1, 10)", params
        return super().as_sql(compiler, connection, **extra)


class _OfPerson(ExpressionWrapper):
    """An expression of a person's own columns, in a query grouped by person: grouped by
    those columns rather than by the expression, so that the database need not compute it
    for every row grouped (PostgreSQL then groups by the person's key alone)."""

    def get_group_by_cols(self):
        return [e for e in self.expression.flatten() if isinstance(e, Col)]


def _age_group_expression(on) -> Case:
    """Rule 5, age, exactly as `age_group` decides it, for a victim (a `Person` row) on the
    date `on` (an expression)."""

    def of_person(expression):
        return _OfPerson(expression, output_field=IntegerField())

    on_number = DayNumber(on)
    adult_on = of_person(DayNumber("date_of_birth") + ADULT_AGE * YEAR)
    registered = of_person(DayNumber(_LocalDate("created_at")))  # in the current time zone
    # `age_group`'s shift is the whole years from `on` to the registration: the estimate
    # gives an adult when min - shift >= 18, i.e. shift < min - 17, and a child when
    # max - shift < 18, i.e. shift >= max - 17.
    over = ADULT_AGE - 1
    estimate_min = of_person((Cast("age_estimate_min", IntegerField()) - over) * YEAR)
    estimate_max = of_person((Cast("age_estimate_max", IntegerField()) - over) * YEAR)
    return Case(
        When(age_disputed=True, then=Value(AgeGroup.UNKNOWN.value)),
        When(
            date_of_birth__isnull=False,
            then=Case(
                When(LessThan(on_number, adult_on), then=Value(AgeGroup.CHILD.value)),
                default=Value(AgeGroup.ADULT.value),
            ),
        ),
        When(
            LessThan(registered, on_number + estimate_min),
            then=Value(AgeGroup.ADULT.value),
        ),
        When(
            GreaterThanOrEqual(registered, on_number + estimate_max),
            then=Value(AgeGroup.CHILD.value),
        ),
        default=Value(AgeGroup.UNKNOWN.value),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class _Demography:
    victims: int
    by_sex: dict[str, int]
    by_age_group: dict[str, int]
    by_nationality: dict[str, int]


def _linked_victims(incidents: QuerySet[Incident], today: date) -> QuerySet:
    """Rule 8: one row per identity with a victim record in the incidents, as its first
    record describes it, aged at the earliest counted incident of any of its records."""
    linked = _links(incidents, VICTIM).filter(person__link__isnull=False)
    first_start = (
        linked.filter(person__link__identity=OuterRef("pk"))
        .values("person__link__identity")
        .annotate(first=Min("incident__start_date"))
        .values("first")
    )
    return (
        Person.objects.filter(pk__in=linked.values("person__link__identity"))
        .order_by()
        .annotate(
            victim_age_group=_age_group_expression(
                Coalesce(Subquery(first_start), Value(today), output_field=DateField())
            )
        )
        .values("sex", "nationality", "victim_age_group")
    )


def _demography(incidents: QuerySet[Incident], today: date) -> _Demography:
    """Rules 2 and 5 (sex, age group, nationality) in one query: each victim once, grouped."""
    # One row per victim (grouped by person), with the start of their earliest counted
    # incident; then grouped again by what the breakdowns show.
    first_start = Min("incident_links__incident__start_date")
    victims = (
        Person.objects.filter(
            incident_links__role=VICTIM, incident_links__incident__in=_ids(incidents)
        )
        .filter(link__isnull=True)  # linked records are counted by identity, below
        .order_by()
        .values("pk")
        .annotate(
            victim_age_group=_age_group_expression(
                Coalesce(first_start, Value(today), output_field=DateField())
            )
        )
        .values("sex", "nationality", "victim_age_group")
    )
    inner, params = _compiled(victims, incidents.db)
    linked, linked_params = _compiled(_linked_victims(incidents, today), incidents.db)
    inner, params = f"{inner} UNION ALL {linked}", (*params, *linked_params)
    sex, nationality = (Person._meta.get_field(name).column for name in ("sex", "nationality"))
    quote = connections[incidents.db].ops.quote_name
    columns = f"victim.{quote(sex)}, victim.{quote(nationality)}, victim.victim_age_group"
    sql = f"SELECT {columns}, COUNT(*) FROM ({inner}) AS victim GROUP BY {columns}"  # noqa: S608
    by_sex = dict.fromkeys(Sex.values, 0)
    by_age_group = dict.fromkeys(AgeGroup.values, 0)
    by_nationality: dict[str, int] = defaultdict(int)
    total = 0
    for sex_code, country, group, n in _fetch(incidents.db, sql, params):
        by_sex[sex_code if sex_code in by_sex else Sex.UNKNOWN] += n
        by_age_group[group] += n
        by_nationality[country or UNKNOWN] += n
        total += n
    return _Demography(total, by_sex, by_age_group, _sorted(by_nationality))


def _over_incidents(
    incidents: QuerySet[Incident], body: str, params: tuple, **columns
) -> list[tuple]:
    """The rows of `body` run over the counted incidents, each once (`counted`: a column
    `incident` and the `columns` asked for), with the tables and columns of the route legs
    and the victim links named in it."""
    using = incidents.db
    connection = connections[using]
    if connection.vendor not in _ROUTE_OF:
        raise NotImplementedError(f"Counting is not written for {connection.vendor}.")
    quote = connection.ops.quote_name
    leg, link = RouteLeg._meta, IncidentVictim._meta
    names = {
        "legs": quote(leg.db_table),
        "leg_incident": quote(leg.get_field("incident").column),
        "order": quote(leg.get_field("order").column),
        "origin": quote(leg.get_field("from_country").column),
        "destination": quote(leg.get_field("to_country").column),
        "links": quote(link.db_table),
        "link_incident": quote(link.get_field("incident").column),
        "person": quote(link.get_field("person").column),
        "role": quote(link.get_field("role").column),
        "person_links": quote(PersonLink._meta.db_table),
        "linked_person": quote(PersonLink._meta.get_field("person").column),
        "identity": quote(PersonLink._meta.get_field("identity").column),
        "route_of": _ROUTE_OF[connection.vendor],
        "each_form": _EACH_FORM[connection.vendor],
    }
    counted = (
        Incident.objects.filter(pk__in=_ids(incidents))
        .order_by()
        .values(incident=F("pk"), **columns)
    )
    sql, counted_params = _compiled(counted, using)
    # The templates below name only tables and columns of the models, quoted by Django.
    body = body.format(**names)
    return _fetch(using, f"WITH counted AS ({sql}), {body}", (*counted_params, *params))


# Each counted incident's forms, one row per form (`form.value`), "unknown" where none is
# recorded. PostgreSQL plans for 100 elements per list: with `jit` on (its default), that
# estimate can cost a JIT compilation of some 0.4 s on a middle-sized instance, more than
# the query itself; `jit = off` for the statistics is a deployment choice.
_EACH_FORM = {
    "sqlite": (
        "json_each(CASE WHEN COALESCE(json_type(counted.forms), '') <> 'array'"
        " OR json_array_length(counted.forms) = 0 THEN %s ELSE counted.forms END) AS form"
    ),
    "postgresql": (
        "LATERAL jsonb_array_elements_text(CASE WHEN COALESCE(jsonb_typeof(counted.forms), '')"
        " <> 'array' OR counted.forms = '[]'::jsonb THEN %s::jsonb ELSE counted.forms END)"
        " AS form(value)"
    ),
}

_FORMS = """
pairs AS (
    SELECT DISTINCT form.value AS form, COALESCE(one.{identity}, link.{person}) AS victim
    FROM counted CROSS JOIN {each_form}
    JOIN {links} AS link ON link.{link_incident} = counted.incident AND link.{role} = %s
    LEFT JOIN {person_links} AS one ON one.{linked_person} = link.{person}
)
SELECT form, COUNT(*) FROM pairs GROUP BY form
"""


def _forms(incidents: QuerySet[Incident]) -> dict[str, int]:
    """Rule 5, forms: the distinct victims of each form recorded, in one grouped query (the
    lists of forms are read once per incident, not once per victim)."""
    rows = _over_incidents(
        incidents, _FORMS, (json.dumps([UNKNOWN]), VICTIM.value), forms=F("forms_of_exploitation")
    )
    counts: dict[str, int] = defaultdict(int)
    for form, n in rows:
        # As many "other" as codes outside the list (each code is a form of its own).
        counts[form if form in EXPLOITATION_CODES else Exploitation.OTHER] += n
    return _sorted(counts)


# Incidents and distinct victims per cell (a route, a country), from `cells` (one row per
# incident and cell, each once): the victims as distinct (cell, victim) pairs first, which
# the database can hash, rather than COUNT(DISTINCT), which it must sort.
_PER_CELL = """
cell_victims AS (
    SELECT DISTINCT cells.cell, COALESCE(one.{identity}, link.{person}) AS victim FROM cells
    JOIN {links} AS link ON link.{link_incident} = cells.incident AND link.{role} = %s
    LEFT JOIN {person_links} AS one ON one.{linked_person} = link.{person}
),
totals AS (
    SELECT cell, COUNT(*) AS incidents, 0 AS victims FROM cells GROUP BY cell
    UNION ALL
    SELECT cell, 0, COUNT(*) FROM cell_victims GROUP BY cell
)
SELECT cell, MAX(incidents), MAX(victims) FROM totals GROUP BY cell
"""

_ROUTES = """
ordered_legs AS (
    SELECT leg.{leg_incident} AS incident, leg.{order} AS step,
        leg.{origin} AS origin, leg.{destination} AS destination,
        LAG(leg.{destination}) OVER (
            PARTITION BY leg.{leg_incident} ORDER BY leg.{order}
        ) AS prior_code
    FROM {legs} AS leg WHERE leg.{leg_incident} IN (SELECT incident FROM counted)
),
pieces AS (
    -- What each leg adds to the route: its origin unless the last leg ended there, its
    -- destination unless it stays in the country it started from.
    SELECT incident, step,
        CASE WHEN prior_code IS NULL OR prior_code <> origin THEN ',' || origin ELSE '' END
        || CASE WHEN destination <> origin THEN ',' || destination ELSE '' END AS piece
    FROM ordered_legs
),
cells AS (
    {route_of}
    UNION ALL
    SELECT incident, '' FROM counted
    WHERE NOT EXISTS (SELECT 1 FROM {legs} AS leg WHERE leg.{leg_incident} = counted.incident)
),
"""

# Each incident's pieces joined in the order of its legs (without the leading comma).
_ROUTE_OF = {
    "postgresql": (
        "SELECT incident, substr(string_agg(piece, '' ORDER BY step), 2) AS cell"
        " FROM pieces GROUP BY incident"
    ),
    # (an aggregate takes ORDER BY only from SQLite 3.44: a window keeps the order)
    "sqlite": (
        "SELECT DISTINCT incident, substr(group_concat(piece, '') OVER (PARTITION BY incident"
        " ORDER BY step ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), 2) AS cell"
        " FROM pieces"
    ),
}

_COUNTRIES = """
cells AS (
    SELECT leg.{leg_incident} AS incident, leg.{origin} AS cell
    FROM {legs} AS leg WHERE leg.{leg_incident} IN (SELECT incident FROM counted)
    UNION
    SELECT leg.{leg_incident}, leg.{destination}
    FROM {legs} AS leg WHERE leg.{leg_incident} IN (SELECT incident FROM counted)
),
"""


def _by_route(incidents: QuerySet[Incident]) -> list[RouteCount]:
    """Rule 6, by route, in one grouped query. Each incident's route is its legs' countries
    in order, a country repeated by the next leg written once (NE→LY, LY→LY, LY→IT is
    NE → LY → IT); it is assembled in the database, one string per incident, and leaves it
    grouped by route: at most as many rows as there are distinct routes."""
    rows = _over_incidents(incidents, _ROUTES + _PER_CELL, (VICTIM.value,))
    routes = [
        RouteCount(tuple(route.split(",")) if route else (), incidents=int(n), victims=int(v))
        for route, n, v in rows
    ]
    routes.sort(key=lambda r: (not r.countries, -r.incidents, r.countries))
    return routes


def _by_country(incidents: QuerySet[Incident]) -> list[CountryCount]:
    """Rule 6, by country, in one grouped query: the incidents through each country."""
    rows = _over_incidents(incidents, _COUNTRIES + _PER_CELL, (VICTIM.value,))
    countries = [CountryCount(code, incidents=int(n), victims=int(v)) for code, n, v in rows]
    countries.sort(key=lambda c: (-c.incidents, c.country))
    return countries


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    """Largest first, "unknown" last, ties by code: a stable order for pages and tests."""
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == UNKNOWN, -kv[1], kv[0])))


# --- the rules ------------------------------------------------------------------------------


def count_incidents(incidents: QuerySet[Incident]) -> int:
    """Rule 1: an incident is one incident, whatever the number of persons in it."""
    return Incident.objects.filter(pk__in=_ids(incidents)).count()


def count_victims(incidents: QuerySet[Incident]) -> int:
    """Rules 2 and 8: distinct persons recorded as victims in any of the incidents."""
    return _victim_keys(_links(incidents, VICTIM)).distinct().count()


def count_smuggled_migrants(incidents: QuerySet[Incident]) -> int:
    """Rules 3 and 8: distinct persons recorded as smuggled migrants and never as victims
    here."""
    victims = _victim_keys(_links(incidents, VICTIM))
    migrants = _victim_keys(_links(incidents, IncidentVictim.Role.SMUGGLED_MIGRANT))
    return migrants.exclude(victim__in=victims).distinct().count()


def count_cases(incidents: QuerySet[Incident]) -> int:
    """Rule 4: the protection cases of the persons involved in the incidents."""
    return ProtectionCase.objects.filter(
        person_id__in=_links(incidents).values("person_id")
    ).count()


def age_group(
    *,
    on: date,
    date_of_birth: date | None,
    age_estimate_min: int | None,
    age_estimate_max: int | None,
    age_disputed: bool,
    registered_on: date,
) -> str:
    """Rule 5, age: child, adult or unknown on `on` — never a presumption.

    The counts decide it in SQL (`_age_group_expression`), in the same way."""
    if age_disputed:
        return AgeGroup.UNKNOWN
    if date_of_birth is not None:
        age = (
            on.year
            - date_of_birth.year
            - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
        )
        return AgeGroup.CHILD if age < ADULT_AGE else AgeGroup.ADULT
    # Whole years between the day the age was estimated and `on` (negative if `on` is later).
    shift = (
        registered_on.year
        - on.year
        - ((registered_on.month, registered_on.day) < (on.month, on.day))
    )
    if age_estimate_min is not None and age_estimate_min - shift >= ADULT_AGE:
        return AgeGroup.ADULT
    if age_estimate_max is not None and age_estimate_max - shift < ADULT_AGE:
        return AgeGroup.CHILD
    return AgeGroup.UNKNOWN


def victims_by_sex(incidents: QuerySet[Incident]) -> dict[str, int]:
    return _demography(incidents, timezone.localdate()).by_sex


def victims_by_age_group(
    incidents: QuerySet[Incident], *, today: date | None = None
) -> dict[str, int]:
    return _demography(incidents, today or timezone.localdate()).by_age_group


def victims_by_nationality(incidents: QuerySet[Incident]) -> dict[str, int]:
    return _demography(incidents, timezone.localdate()).by_nationality


def victims_by_exploitation(incidents: QuerySet[Incident]) -> dict[str, int]:
    """Rule 5, forms: once per victim and form; the total may exceed the victims."""
    return _forms(incidents)


def incidents_by_route(incidents: QuerySet[Incident]) -> list[RouteCount]:
    return _by_route(incidents)


def incidents_by_country(incidents: QuerySet[Incident]) -> list[CountryCount]:
    return _by_country(incidents)


def count(incidents: QuerySet[Incident], *, today: date | None = None) -> Counts:
    """Every rule at once over these incidents, unsuppressed, in six grouped queries."""
    victims = _demography(incidents, today or timezone.localdate())
    by_route = _by_route(incidents)
    return Counts(
        # every incident is under exactly one route (rule 6)
        incidents=sum(r.incidents for r in by_route),
        victims=victims.victims,
        smuggled_migrants=count_smuggled_migrants(incidents),
        cases=count_cases(incidents),
        by_sex=victims.by_sex,
        by_age_group=victims.by_age_group,
        by_nationality=victims.by_nationality,
        by_exploitation=_forms(incidents),
        by_route=by_route,
        by_country=_by_country(incidents),
    )


# --- suppression ----------------------------------------------------------------------------


def _cell(n: Cell) -> Cell:
    return SUPPRESSED if isinstance(n, int) and 0 < n < THRESHOLD else n


def _partition(cells: list[Cell], total: Cell) -> list[Cell]:
    """Suppress small cells; if exactly one is hidden while the total shows, hide another
    (the smallest shown), marked `HIDDEN`, not "<10": it is not small."""
    out = [_cell(n) for n in cells]
    hidden = [i for i, n in enumerate(out) if n == SUPPRESSED]
    if total != SUPPRESSED and len(hidden) == 1:
        shown = [i for i, n in enumerate(out) if isinstance(n, int) and n > 0]
        if shown:
            out[min(shown, key=lambda i: out[i])] = HIDDEN
    return out


def _partition_dict(cells: dict[str, Cell], total: Cell) -> dict[str, Cell]:
    return dict(zip(cells, _partition(list(cells.values()), total), strict=True))


def suppress(counts: Counts) -> Counts:
    """Rule 7: the same counts as an analyst may see them."""
    incidents, victims = _cell(counts.incidents), _cell(counts.victims)
    route_incidents = _partition([r.incidents for r in counts.by_route], incidents)
    return replace(
        counts,
        incidents=incidents,
        victims=victims,
        smuggled_migrants=_cell(counts.smuggled_migrants),
        cases=_cell(counts.cases),
        by_sex=_partition_dict(counts.by_sex, victims),
        by_age_group=_partition_dict(counts.by_age_group, victims),
        by_nationality=_partition_dict(counts.by_nationality, victims),
        by_exploitation={k: _cell(v) for k, v in counts.by_exploitation.items()},
        by_route=[
            replace(r, incidents=n, victims=_cell(r.victims))
            for r, n in zip(counts.by_route, route_incidents, strict=True)
        ],
        by_country=[
            replace(c, incidents=_cell(c.incidents), victims=_cell(c.victims))
            for c in counts.by_country
        ],
        suppressed=True,
    )


# --- scoped ---------------------------------------------------------------------------------


def may_count(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.has_role(*access.OPERATIONAL_ROLES) or access.can_see_statistics(user))
    )


def count_for(user, *, today: date | None = None, **filters) -> Counts:
    """The counts a user may see, over the incidents matching `filters` (see
    `services.filter_incidents`).

    Operational roles count the incidents they may see, exactly. Analysts and administrators
    count every incident of the instance, aggregated and suppressed (rule 7). Anyone else
    may not count.
    """
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValidationError({name: _("Unknown filter.") for name in sorted(unknown)})
    if user and user.is_authenticated and user.has_role(*access.OPERATIONAL_ROLES):
        found = services.filter_and_search(access.incidents_visible_to(user), **filters)
        return replace(count(found.incidents, today=today), search_limited=found.limited)
    if access.can_see_statistics(user):
        return instance_counts(filters, today=today or timezone.localdate())
    raise PermissionDenied(_("Your role does not see incident statistics."))


# --- the instance's figures, kept ------------------------------------------------------------


def _live_instance_counts(filters: dict, today: date) -> Counts:
    found = services.filter_and_search(Incident.objects.all(), **filters)
    return suppress(replace(count(found.incidents, today=today), search_limited=found.limited))


def _snapshot_key(filters: dict, today: date) -> str:
    text = json.dumps({"filters": filters, "today": today}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored(counts: Counts) -> dict:
    return dataclasses.asdict(replace(counts, as_of=None))


def _restored(data: dict, as_of: datetime) -> Counts:
    return Counts(
        **{
            **data,
            "by_route": [
                RouteCount(**{**r, "countries": tuple(r["countries"])}) for r in data["by_route"]
            ],
            "by_country": [CountryCount(**c) for c in data["by_country"]],
            "as_of": as_of,
        }
    )


def instance_counts(filters: dict, *, today: date, fresh: bool = False) -> Counts:
    """Every incident of the instance, suppressed: what analysts read.

    Served from a `FiguresSnapshot` younger than CORRIDOR_FIGURES_MAX_AGE_SECONDS (its
    `as_of` says when it was counted), else counted now and kept. Any change to what is
    counted throws the snapshots away (`forget_figures`), so the age bounds only what was
    written without signals (a seed, a restore). A search (`q`) is always counted live and
    never kept: its words stay out of the database.
    """
    max_age = settings.CORRIDOR_FIGURES_MAX_AGE_SECONDS
    if not max_age or filters.get("q"):
        return _live_instance_counts(filters, today)
    key, now = _snapshot_key(filters, today), timezone.now()
    snapshot = FiguresSnapshot.objects.filter(key=key).first()
    if snapshot and not fresh and now - snapshot.computed_at <= timedelta(seconds=max_age):
        if now - snapshot.used_at > timedelta(minutes=1):
            FiguresSnapshot.objects.filter(pk=snapshot.pk).update(used_at=now)
        return _restored(snapshot.counts, snapshot.computed_at)
    started = time.monotonic()
    counts = _live_instance_counts(filters, today)
    FiguresSnapshot.objects.update_or_create(
        key=key,
        defaults={
            "filters": json.loads(json.dumps(filters, default=str)),
            "counts": _stored(counts),
            "computed_at": now,
            "used_at": now if snapshot is None else snapshot.used_at,
            "seconds": time.monotonic() - started,
        },
    )
    return replace(counts, as_of=now)


def refresh_figures(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Count again the figures analysts read in the last day, and the unfiltered ones
    always; forget the others. Periodic work, so an analyst seldom waits for a count."""
    today = timezone.localdate()
    since = timezone.now() - timedelta(days=1)
    FiguresSnapshot.objects.filter(used_at__lt=since).delete()
    wanted = [{}] + [
        s.filters for s in FiguresSnapshot.objects.filter(used_at__gte=since) if s.filters
    ]
    for done, filters in enumerate(wanted, 1):
        instance_counts(_read_filters(filters), today=today, fresh=True)
        if progress:
            progress(done, len(wanted))
    return len(wanted)


def _read_filters(stored: dict) -> dict:
    """Filters as kept in a snapshot (JSON) back as `filter_incidents` takes them."""
    return {
        name: date.fromisoformat(value) if name in ("date_from", "date_to") else value
        for name, value in stored.items()
    }


def forget_figures(sender=None, **kwargs) -> None:
    """A change to what the figures count: once it is committed, the kept figures are out of
    date (connected in IncidentsConfig.ready to the save and delete of every counted model)."""
    if kwargs.get("raw"):
        return
    transaction.on_commit(figures_out_of_date)


def figures_out_of_date(sender=None, **kwargs) -> None:
    """Throw the kept figures away now: for a change already committed (linkage's
    `identities_changed` is sent on commit). A write when nothing is kept costs one read."""
    if FiguresSnapshot.objects.exists():
        FiguresSnapshot.objects.all().delete()
