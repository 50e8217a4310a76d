"""The persons of the synthetic data set: who each victim is, where they came from and how
they were found, and the age assessments of those whose age is unknown or disputed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from corridor.demo.cases_data import CASE_AGE, CASE_AGE_BOUNDS, CASE_STATUSES, STAGE_BY_AGE
from corridor.demo.exploitation_data import (
    CONTROL,
    EXPLOITATION_VERB,
    IDENTIFIED,
    PROFILES,
    ROUTE_EVENTS,
    Profile,
)
from corridor.demo.people_data import (
    ARABIC,
    GEEZ,
    MAIL_DOMAINS,
    NATIONALITIES,
    PHONE_LOCAL,
    VARIANTS,
    WORK_NAMES,
    NameGroup,
    Nationality,
    pick_group,
)
from corridor.demo.records import AgeAssessmentRecord, Subject, VictimRecord, years_between
from corridor.demo.routes_data import ROUTES, capital
from corridor.demo.sampling import DAY, HOUR, HOUR_S, pattern, weighted

ASSESSMENT_METHOD = weighted("multidisciplinary:40 interview:30 medical:15 document:15")
ASSESSMENT_NOTES = [
    "Holistic assessment with a social worker and an interpreter.",
    "Birth certificate obtained through the embassy.",
    "",
]

NATIONAL_ID = "national_id"


class PersonGenerator:
    """The part of `SyntheticGenerator` that makes a victim: the person, then (through the
    other parts) the cases, screenings, referrals and incidents. It draws on the state
    `SyntheticGenerator.__init__` sets up."""

    def victim(self) -> VictimRecord:
        rng = self.rng
        index, self.count = self.count, self.count + 1
        covering = index < len(CASE_STATUSES)
        if self.group is None and not covering:
            self._maybe_start_group(big=index == len(CASE_STATUSES), landing=not self.landed)
        group = self.group
        if group is not None:
            nat, form = self._member(group)
        else:
            nat = NATIONALITIES[self.nationalities.pick(rng)]
            form = nat.profiles.pick(rng)
        profile = PROFILES[form]
        name_group = pick_group(rng, nat)

        female = rng.random() < profile.female
        sex = "female" if female else "male"
        roll = rng.random()
        if roll < 0.01:
            sex = "unknown"
        elif roll < 0.013:
            sex = "other"
        minor = rng.random() < profile.minor
        if minor:
            age = rng.randint(*profile.child_ages)
        else:
            low, high, mode = profile.adult_ages
            age = int(rng.triangular(low, high + 1, mode))

        # The first victims of every run cover every stage, so small data sets show them all.
        if group is not None:
            jitter = rng.randint(0, 48 * HOUR)
            opened_at = min(group.found_at + timedelta(seconds=jitter), self.as_of - HOUR_S)
            case_days = (self.as_of - opened_at).days
            status = self._stage(case_days)
        else:
            case_days = self._case_age_days()
            status = CASE_STATUSES[index] if covering else self._stage(case_days)
            arrival = covering and status in ("identified", "presumed_victim")
            if arrival:  # recent arrivals the demo responder screened: her work of the week
                case_days = rng.randint(0, 9)
                if status == "presumed_victim":
                    # Screened almost a reflection period ago: it ends this week, for the
                    # coordinator to act on (the demo shows every state of the clock).
                    case_days = max(self.reflection_days - 2, 0)
            elif covering:
                case_days = max(case_days, 120 + rng.randint(0, 400))
            opened_at = self.as_of - timedelta(seconds=case_days * DAY + rng.randint(0, DAY - 1))

        given, family, aliases, latin = self._names(nat, name_group, female, form)
        dob, est_min, est_max, disputed = self._age_record(age, minor, opened_at)
        doc_type, doc_number = self._document(nat, minor)

        if group is not None:
            finder = group.finder
            origin = rng.choice(name_group.cities)
            place = group.place
            route = [origin] + [stop for stop in group.route[1:] if stop != origin]
            if nat.code == self.country:
                route = [origin, group.route[-1]] if group.route[-1] != origin else [origin]
            owner = group.owner
        else:
            finder = profile.finders.pick(rng)
            place, route = self._route(nat, name_group, form, finder)
            owner = self._owner(nat, finder, route[0])
            if covering and status in ("identified", "presumed_victim") and self.responder:
                owner = self.responder
        narrative = self._narrative(nat, name_group, profile, form, route, finder, place)
        languages = self._languages(name_group)

        victim = VictimRecord(
            reference=self.refs.new("P"),
            owner=owner,
            given_name=given,
            family_name=family,
            aliases=aliases,
            sex=sex,
            date_of_birth=dob,
            age_estimate_min=est_min,
            age_estimate_max=est_max,
            age_disputed=disputed,
            nationality=nat.code,
            languages=languages,
            phone=self._phone(nat),
            email=self._email(given, family),
            address=self._address(place),
            document_type=doc_type,
            document_number=doc_number,
            narrative=narrative,
            created_at=opened_at,
        )
        subject = Subject(
            victim=victim,
            nationality=nat.code,
            form=form,
            age=age,
            place=place,
            owner=owner,
            languages=[code.strip() for code in languages.split(",")],
            before=(dob, est_min, disputed),
            after=(dob, est_min, disputed),
            assessed_at=None,
        )
        self._age_assessment(subject, opened_at, minor)
        kind = "smuggling" if form == "smuggled" else "trafficking"
        earliest = opened_at
        if rng.random() < 0.02 and 60 < case_days < 900:
            # Re-trafficked: an earlier case, closed before this one opened.
            earlier_days = rng.randint(case_days + 150, 1094)
            earliest = self.as_of - timedelta(seconds=earlier_days * DAY)
            self._case(subject, kind, "closed", earliest, until=opened_at, force=False)
        self._case(subject, kind, status, opened_at, until=self.as_of, force=covering)
        first = min(s.screened_at for s in victim.screenings) if victim.screenings else earliest
        victim.created_at = min(first, earliest) - timedelta(seconds=rng.randint(60, 6 * HOUR))
        if group is not None:
            self._join(group, subject, victim)
        victim.duplicates = self._duplicates(victim, nat, latin, age, opened_at, route)
        return victim

    def _case_age_days(self) -> int:
        low, high = CASE_AGE_BOUNDS[CASE_AGE.pick(self.rng)]
        return self.rng.randint(low, high - 1)

    def _stage(self, days: int) -> str:
        for limit, weights in STAGE_BY_AGE:
            if days < limit:
                return weights.pick(self.rng)
        return "closed"

    def _names(self, nat: Nationality, group: NameGroup, female: bool, form: str):
        """Given name, family name and aliases as recorded, and the (given, family) names in
        Latin letters that other agencies spell their own way."""
        rng = self.rng
        given = (group.pick_female if female else group.pick_male).pick(rng)
        family = group.pick_family.pick(rng)
        latin = (given, family)
        aliases = []
        if given in VARIANTS and rng.random() < 0.35:
            aliases.append(f"{rng.choice(VARIANTS[given])} {family}")
        if form == "sexual" and female and rng.random() < 0.4:
            aliases.append(rng.choice(WORK_NAMES))
        if given in GEEZ and rng.random() < 0.3:
            aliases.append(GEEZ[given])
        if rng.random() < 0.05:  # order of names swapped on a document
            aliases.append(f"{family} {given}")
        if rng.random() < nat.arabic_script and given in ARABIC and family in ARABIC:
            aliases.insert(0, f"{given} {family}")
            given, family = ARABIC[given], ARABIC[family]
        elif given in ARABIC and rng.random() < 0.1:
            aliases.append(f"{ARABIC[given]} {ARABIC.get(family, family)}")
        return given, family, "; ".join(aliases), latin

    def _age_record(self, age: int, minor: bool, when: datetime):
        rng = self.rng
        roll = rng.random()
        born = when.date() - timedelta(days=age * 365 + rng.randint(0, 364))
        if minor and roll < 0.08:  # claims to be a child, looks older: age disputed
            return None, max(age - 1, 14), age + 3, True
        if not minor and roll < 0.03:  # documents say adult, the person looks younger
            return born, max(age - 3, 13), age, True
        if 0.08 <= roll < 0.14:
            return None, None, None, False  # unknown: presumed a child until established
        if roll < 0.55:
            return born, None, None, False
        width = rng.randint(1, 4)
        low = max(age - rng.randint(0, width), 5)
        return None, low, low + width, False

    def _age_assessment(self, subject: Subject, opened_at: datetime, minor: bool) -> None:
        """Some persons of unknown or disputed age have their age assessed; the record then
        carries the assessed range, as `record_age_assessment` leaves it."""
        rng = self.rng
        victim = subject.victim
        dob, est_min, disputed = subject.before
        if not (disputed or (dob is None and est_min is None)):
            return
        room = (self.as_of - opened_at).total_seconds()
        if room < 7 * DAY or rng.random() > 0.55:
            return
        assessed_at = opened_at + timedelta(
            seconds=int(rng.uniform(2 * DAY, min(45 * DAY, room * 0.8)))
        )
        age = subject.age
        if minor:
            low = max(age - 1, 10)
            high = age + rng.choice([0, 1, 1, 2])
        else:
            low = max(age - 2, 18) if rng.random() < 0.85 else 17
            high = age + 2
        conclusion = (
            "child" if high < 18 else "adult" if low >= 18 else "undetermined"
        )  # AgeAssessment.conclude
        if dob is not None and conclusion != "undetermined":
            if (years_between(dob, assessed_at.date()) < 18) != (conclusion == "child"):
                return  # record_age_assessment refuses what the date of birth contradicts
        method = ASSESSMENT_METHOD.pick(rng)
        victim.age_assessments.append(
            AgeAssessmentRecord(
                method=method,
                assessed_age_min=low,
                assessed_age_max=high,
                conclusion=conclusion,
                agency=self.coordination if rng.random() < 0.5 else subject.owner,
                assessed_at=assessed_at,
                notes=rng.choice(ASSESSMENT_NOTES),
            )
        )
        victim.age_estimate_min, victim.age_estimate_max = low, high
        if conclusion != "undetermined":
            victim.age_disputed = False
        subject.after = (dob, low, victim.age_disputed)
        subject.assessed_at = assessed_at

    def _document(self, nat: Nationality, minor: bool) -> tuple[str, str]:
        rng = self.rng
        roll = rng.random()
        if minor and roll < 0.15:
            return "birth_certificate", pattern(rng, "####/##/######")
        if roll < 0.35:
            return "passport", pattern(rng, nat.passport)
        if roll < 0.47:
            return NATIONAL_ID, pattern(rng, nat.national_id)
        if roll < 0.50:
            return "residence_permit", pattern(rng, "I########")
        if roll < 0.52:
            return "travel_document", pattern(rng, "TD#######")
        return "", ""

    def _phone(self, nat: Nationality) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return ""
        if roll < 0.5 and self.country in PHONE_LOCAL:
            dial, prefixes, digits = PHONE_LOCAL[self.country]
        else:
            dial, prefixes, digits = nat.dial, nat.mobile, nat.digits
        return dial + rng.choice(prefixes) + "".join(str(rng.randint(0, 9)) for _ in range(digits))

    def _email(self, given: str, family: str) -> str:
        rng = self.rng
        if rng.random() > 0.12 or not given.isascii() or not family.isascii():
            return ""
        local = f"{given}.{family}".lower().replace("'", "").replace(" ", "")
        return f"{local}{rng.randint(1, 999)}@{rng.choice(MAIL_DOMAINS)}"

    def _languages(self, group: NameGroup) -> str:
        rng = self.rng
        langs = [group.languages[0]]
        for extra in group.languages[1:]:
            if rng.random() < 0.5:
                langs.append(extra)
        if self.local_language and self.local_language not in langs and rng.random() < 0.15:
            langs.append(self.local_language)
        return ", ".join(langs)

    def _address(self, place: str) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            return ""
        addresses = self.places.get("address")
        return rng.choice(addresses) if addresses else f"Reception centre, {place}"

    def _owner(self, nat: Nationality, finder: str, origin: str) -> str:
        if self.rng.random() < 0.05:  # recorded by a partner agency along the route
            foreign = self._foreign(nat.code, origin, "anti_trafficking", "police", "immigration")
            if foreign and nat.code != self.country:
                return foreign
        return self._identifier(finder, "police", "immigration", "anti_trafficking")

    def _route(self, nat, group, form, finder) -> tuple[str, list[str]]:
        rng = self.rng
        origin = rng.choice(group.cities)
        if finder == "immigration" or form == "smuggled":
            where = self.places.get("arrival") or [capital(self.agencies, self.country)]
        else:
            where = (
                self.places.get(form)
                or self.places.get("arrival")
                or [capital(self.agencies, self.country)]
            )
        place = rng.choice(where)
        paths = ROUTES[self.region].get(nat.region) or [[]]
        transit = [leg for leg in rng.choice(paths) if leg != origin]
        if nat.code == self.country:
            transit = []
        arrival = rng.choice(self.places.get("arrival") or [place])
        legs = [origin, *transit]
        if arrival not in legs:
            legs.append(arrival)
        return place, legs

    def _narrative(self, nat, group, profile: Profile, form, route, finder, place) -> str:
        rng = self.rng
        values = {
            "debt": f"{rng.randrange(3000, 60001, 500):,}",
            "city": route[0],
            "ransom": f"{rng.randrange(500, 8001, 250):,}",
            "weeks": rng.randint(1, 12),
            "days": rng.randint(4, 14),
            "people": rng.randrange(40, 231, 10),
        }
        sentences = [
            f"Approached in {route[0]} by {rng.choice(profile.recruiters)} who "
            f"promised {rng.choice(profile.promises)}."
        ]
        if len(route) > 1:
            sentences.append("Route: " + " → ".join(route) + ".")
            for leg in route[1:]:
                if leg in ROUTE_EVENTS and rng.random() < 0.5:
                    sentences.append(ROUTE_EVENTS[leg].format(**values))
        sentences.append(rng.choice(CONTROL[form]).format(**values))
        if form != "smuggled":
            where = self.places.get(form)
            if where:
                spot = place if place in where else rng.choice(where)
                sentences.append(f"Exploited: {EXPLOITATION_VERB[form]}, {spot}.")
        sentences.append(IDENTIFIED.get(finder, IDENTIFIED["police"]).format(place=place))
        return " ".join(sentences)
