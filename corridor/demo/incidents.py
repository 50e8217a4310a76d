"""The incidents of the synthetic data set: who is found together, and the incident they
make — places, route legs, events and suspects, described by `corridor.demo.incident_groups`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from corridor.demo.incident_groups import (
    ALIASES,
    BIG_RAID,
    BIG_TITLE,
    KINDS,
    LOCAL_NAMES,
    SMUGGLING_HUBS,
    STOP_COUNTRY,
    SUMMARIES,
    TITLES,
    IncidentEventRecord,
    IncidentRecord,
    Kind,
    LegRecord,
    PlaceRecord,
    SuspectLink,
    SuspectRecord,
    coordinates,
    locality,
    mode_between,
    month_year,
    spread_dates,
)
from corridor.demo.people_data import NATIONALITIES, Nationality, pick_group
from corridor.demo.records import Subject, VictimRecord
from corridor.demo.sampling import DAY, HOUR

GROUP_START = 0.055  # chance that a victim starts a new incident (the next ones join it)


@dataclass
class Group:
    """An incident being filled: the next victims share its route, place and dates."""

    reference: str
    kind: Kind
    form: str
    size: int
    nationality: str
    origin: str
    route: list[str]
    place: str
    finder: str
    owner: str
    found_at: datetime
    big: bool = False
    members: int = 0
    forms: set = field(default_factory=set)
    means: set = field(default_factory=set)
    nationalities: list[str] = field(default_factory=list)
    leader_pending: bool = True


class IncidentGenerator:
    """The part of `SyntheticGenerator` that groups victims into incidents. It draws on the
    state `SyntheticGenerator.__init__` sets up."""

    def _maybe_start_group(self, *, big: bool, landing: bool = False) -> None:
        """Perhaps start an incident: the large raid first, then last week's boat landing
        (the demo responder's arrivals), then now and then one of any kind."""
        rng = self.rng
        recent = landing and not big
        if recent:
            self.landed = True
            nat = NATIONALITIES[self.nationalities.pick(rng)]
            form = "smuggled"
        elif big:
            nat = NATIONALITIES[self.nationalities.pick(rng)]
            for _ in range(30):
                if nat.profiles.weight_of("forced_labour") >= 20:
                    break
                nat = NATIONALITIES[self.nationalities.pick(rng)]
            form = "forced_labour"
        elif rng.random() < GROUP_START:
            nat = NATIONALITIES[self.nationalities.pick(rng)]
            form = nat.profiles.pick(rng)
            if form not in KINDS:
                return
        else:
            return
        kind = KINDS[form]
        size = BIG_RAID if big else 24 if recent else rng.randint(*kind.sizes)
        finder = rng.choice(kind.finders)
        if big and "labour_inspection" in self.identifiers:
            finder = "labour_inspection"
        name_group = pick_group(rng, nat)
        place, route = self._route(nat, name_group, form, finder)
        if kind.name == "boat":
            place = route[-1]
        days = rng.randint(150, 400) if big else rng.randint(1, 5) if recent else None
        if days is None:
            days = self._case_age_days()
        found_at = self.as_of - timedelta(seconds=days * DAY + rng.randint(0, DAY - 1))
        self.group = Group(
            reference=self.refs.new("I"),
            kind=kind,
            form=form,
            size=size,
            nationality=nat.code,
            origin=route[0],
            route=route,
            place=place,
            finder=finder,
            owner=(self.responder if recent and self.responder else None)
            or self._identifier(finder, "police", "immigration"),
            found_at=found_at,
            big=big,
        )
        if big:
            # Some of the workers had landed together months before: the same persons in two
            # incidents, first smuggled on a boat, then exploited on the farms.
            landed = found_at - timedelta(days=rng.randint(90, 300))
            self.boat = Group(
                reference=self.refs.new("I"),
                kind=KINDS["smuggled"],
                form="smuggled",
                size=BIG_RAID // 7,
                nationality=nat.code,
                origin=route[0],
                route=route,
                place=route[-1],
                finder="immigration",
                owner=self._identifier("immigration", "police"),
                found_at=landed,
            )

    def _member(self, group: Group) -> tuple[Nationality, str]:
        rng = self.rng
        if group.leader_pending:
            group.leader_pending = False
            return NATIONALITIES[group.nationality], group.form
        nat = NATIONALITIES[group.nationality]
        if rng.random() > 0.6:
            nat = NATIONALITIES[self.nationalities.pick(rng)]
        if group.kind.name == "boat":
            form = nat.profiles.pick(rng) if rng.random() < 0.3 else "smuggled"
            if form not in ("smuggled", "sexual", "forced_labour"):
                form = "smuggled"
        else:
            form = group.form
        return nat, form

    def _join(self, group: Group, subject: Subject, victim: VictimRecord) -> None:
        rng = self.rng
        role = "smuggled_migrant" if subject.form == "smuggled" else "victim"
        victim.incident_links.append((group.reference, role))
        group.members += 1
        group.nationalities.append(subject.nationality)
        if subject.form != "smuggled":
            group.forms.add(subject.form)
        for screening in victim.screenings:
            group.means.update(
                m.removeprefix("MethodsOfControl") for m in screening.htcds["vic_MethodsOfControl"]
            )
        if group.kind.name in ("raid", "ring") and rng.random() < 0.2:
            before = group.found_at.date() - timedelta(days=60)
            boats = [reference for reference, landed in self.boats if landed < before]
            if boats:
                # The same person in two incidents: first on a boat, then exploited.
                victim.incident_links.append((rng.choice(boats), "smuggled_migrant"))
        boat = self.boat
        if group.big and boat is not None and subject.nationality != self.country:
            victim.incident_links.append((boat.reference, "smuggled_migrant"))
            boat.members += 1
            boat.nationalities.append(subject.nationality)
            if boat.members >= boat.size:
                self.boat = None
                victim.incidents.append(self._incident(boat))
        if group.members >= group.size:
            self.group = None
            victim.incidents.append(self._incident(group))

    def _incident(self, group: Group) -> IncidentRecord:
        rng = self.rng
        kind = group.kind
        found = group.found_at.date()
        journey = rng.randint(30, 400) if kind.name == "boat" else rng.randint(90, 700)
        start = found - timedelta(days=journey)
        arrival_on = (
            found
            if kind.name == "boat"
            else found - timedelta(days=rng.randint(20, max(journey - 30, 21)))
        )
        stops = group.route
        countries = []
        for i, stop in enumerate(stops):
            if i == 0:
                countries.append(group.nationality)
            elif i == len(stops) - 1:
                countries.append(self.country)
            else:
                countries.append(STOP_COUNTRY.get(locality(stop), self.country))
        places: list[PlaceRecord] = []

        def add_place(country: str, where: str, place_kind: str) -> int:
            lat, lon = coordinates(locality(where))
            places.append(PlaceRecord(country, locality(where), place_kind, lat, lon))
            return len(places) - 1

        recruitment = add_place(countries[0], stops[0], "recruitment")
        hubs = [i for i in range(1, len(stops) - 1) if locality(stops[i]) in SMUGGLING_HUBS]
        transit = None
        for i in (hubs or list(range(1, len(stops) - 1)))[:2]:
            index = add_place(countries[i], stops[i], "transit")
            transit = index if transit is None else transit
        exploitation = None
        if kind.name != "boat":
            exploitation = add_place(self.country, group.place, "exploitation")
        destination = add_place(self.country, stops[-1], "destination") if len(stops) > 1 else None
        legs = []
        if len(stops) > 1:
            dates = spread_dates(rng, start + timedelta(days=3), arrival_on, 2 * (len(stops) - 1))
            while len(dates) < 2 * (len(stops) - 1):
                dates.append(arrival_on)
            for i in range(len(stops) - 1):
                mode = mode_between(stops[i], stops[i + 1], countries[i], countries[i + 1])
                legs.append(
                    LegRecord(
                        i + 1,
                        countries[i],
                        locality(stops[i]),
                        countries[i + 1],
                        locality(stops[i + 1]),
                        mode,
                        dates[2 * i],
                        dates[2 * i + 1],
                        mode == "sea"
                        or locality(stops[i]) in SMUGGLING_HUBS
                        or locality(stops[i + 1]) in SMUGGLING_HUBS,
                    )
                )
        people = group.members if kind.name != "boat" else group.members + rng.randint(10, 60)
        values = {
            "arrival": locality(stops[-1]),
            "spot": group.place,
            "origin": locality(stops[0]),
            "transit": ", ".join(locality(s) for s in stops[1:-1]) or "the border",
            "people": people,
            "n": group.members,
            **month_year(found),
        }
        events = [
            IncidentEventRecord(
                "recruitment", start, recruitment, f"Recruitment in {values['origin']}."
            ),
        ]
        if legs:
            leg = legs[0]
            events.append(
                IncidentEventRecord(
                    "transport",
                    leg.departed_on,
                    transit,
                    f"Departure towards {leg.to_locality} by {leg.mode}.",
                )
            )
        if kind.name == "boat":
            events.append(
                IncidentEventRecord(
                    "transport", found, destination, f"Landing with about {people} people on board."
                )
            )
        else:
            events.append(
                IncidentEventRecord(
                    "exploitation",
                    arrival_on,
                    exploitation,
                    f"Exploitation at {group.place} until found on {found.isoformat()}.",
                )
            )
        means = sorted(group.means | set(rng.sample(kind.means, min(2, len(kind.means)))))
        if kind.name == "boat" and not group.forms:
            means = sorted(group.means)
        title = (BIG_TITLE if group.big else TITLES[kind.name]).format(**values)[:200]
        created = min(self.as_of, group.found_at + timedelta(seconds=rng.randint(HOUR, 5 * DAY)))
        record = IncidentRecord(
            reference=group.reference,
            owner=group.owner,
            title=title,
            summary=SUMMARIES[kind.name].format(**values),
            start_date=start,
            end_date=found,
            forms_of_exploitation=sorted(group.forms),
            means_of_control=means,
            recruiter_relation=rng.choice(kind.relations),
            created_at=created,
            places=places,
            legs=legs,
            events=events,
            suspects=self._suspects(group),
        )
        if kind.name == "boat":
            self.boats.append((group.reference, found))
            del self.boats[:-20]
        return record

    def _suspects(self, group: Group) -> list[SuspectLink]:
        rng = self.rng
        kind = group.kind
        roles = [kind.roles[0]] + rng.sample(kind.roles[1:], rng.randint(0, len(kind.roles) - 1))
        links = []
        for role in roles:
            pool = self.suspect_pool.setdefault(f"{kind.name}:{role}", [])
            if pool and rng.random() < 0.2:
                links.append(
                    SuspectLink(
                        rng.choice(pool).reference, None, "Same person as in an earlier incident."
                    )
                )
                continue
            if role == "organiser" and kind.name == "boat":
                nationality = (
                    STOP_COUNTRY.get(locality(group.route[-2]), group.nationality)
                    if len(group.route) > 2
                    else group.nationality
                )
            elif (
                role in ("exploiter", "organiser")
                and kind.name in ("raid", "servitude")
                and rng.random() < 0.5
            ):
                nationality = self.country
            else:
                nationality = group.nationality
            female = (
                role == "exploiter" and kind.name in ("ring", "servitude") or rng.random() < 0.1
            )
            given, family = self._suspect_name(nationality, group.nationality, female)
            alias = rng.choice(ALIASES[role]).format(given=given, family=family)
            suspect = SuspectRecord(
                reference=self.refs.new("SU"),
                owner=group.owner,
                names=f"{given} {family}",
                aliases=alias,
                sex="female" if female else "male",
                nationality=nationality if len(nationality) == 2 else "",
                network_role=role,
            )
            pool.append(suspect)
            del pool[:-10]
            links.append(SuspectLink(suspect.reference, suspect))
        return links

    def _suspect_name(self, nationality: str, fallback: str, female: bool) -> tuple[str, str]:
        rng = self.rng
        if nationality in NATIONALITIES:
            name_group = pick_group(rng, NATIONALITIES[nationality])
            return rng.choice(name_group.female if female else name_group.male), rng.choice(
                name_group.family
            )
        if nationality in LOCAL_NAMES:
            given, family = LOCAL_NAMES[nationality]
            return rng.choice(given.split()), rng.choice(family.split())
        return (
            self._suspect_name(fallback, "NG", female)
            if fallback != nationality
            else ("Unknown", "")
        )
