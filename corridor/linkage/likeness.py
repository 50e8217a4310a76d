"""How alike two person records are, and why: the check made as each record is registered.

A Fellegi–Sunter score, as Splink computes it for a full run: each field adds the log₂ of
how much likelier its agreement (or disagreement) is between two records of one person than
between two records of different persons. Name weights come from how many records share the
name's key in the blind index (a term-frequency adjustment: agreeing on "Mohamed" says less
than agreeing on "Oghenekaro"), so common names do not merge different people, and a birth
year that disagrees weighs heavily against. The score reads only what the server may decrypt
and never stores a value: a reason is a field, a level and a weight.

Candidates are found through the blind index (a shared name skeleton, phone or document),
so the check costs a few indexed lookups, whatever the number of persons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.people.models import Person, PersonSearchKey
from corridor.people.names import document_key, skeleton, words
from corridor.people.search import digest, identifier_keys, phones_of
from corridor.vocabularies import Sex

CANDIDATES = 40  # records scored per check, those sharing the most keys first
SHOWN = 5
THRESHOLD = 0.3  # shown at registration: the user decides, so a weaker likeness shows too
M_NAME = 0.9  # a name agrees between two records of one person this often
ALIKE_PENALTY = 1.5  # spelt differently, alike in skeleton: a little less telling
# About one record in five or ten is a person registered before (the field's experience and
# the seeded data): the prior odds that a new record is a given earlier one.
DUPLICATES = 0.2
DISAGREE = math.log2((1 - M_NAME) / 0.99)  # a name that agrees with nothing of the other's

FIELDS = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "birth": _("Birth"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "phone": _("Phone"),
    "document": _("Document"),
}
LEVELS = {
    "same": _("the same"),
    "alike": _("spelt alike"),
    "swapped": _("given and family names swapped"),
    "close": _("close"),
    "different": _("different"),
}


def reason_label(field_name: str, level: str) -> str:
    """ "Family name: spelt alike", in the user's language (a stored reason may name a field
    or level of a later model: it is shown as it is)."""
    return f"{FIELDS.get(field_name, field_name)}: {LEVELS.get(level, level)}"


@dataclass(frozen=True)
class Reason:
    field: str
    level: str
    weight: float

    @property
    def label(self) -> str:
        return reason_label(self.field, self.level)

    def as_json(self) -> dict:
        return {"field": self.field, "level": self.level, "weight": round(self.weight, 2)}


@dataclass
class Likeness:
    person: Person
    probability: float
    reasons: list[Reason] = field(default_factory=list)

    @property
    def agreeing(self) -> list[Reason]:
        return [r for r in self.reasons if r.weight > 0]


def _name_words(person: Person) -> tuple[list[str], list[str]]:
    given, family = words(person.given_name or ""), words(person.family_name or "")
    if not family and len(given) > 1 and (person.given_name or "").split()[0].isupper():
        family, given = given[:1], given[1:]  # "DIALLO Fatoumata" typed in one field
    return given, family


def _population() -> int:
    """How many persons there are, cached: the denominator of every name's frequency."""
    count = cache.get("linkage:population")
    if count is None:
        count = Person.objects.count()
        cache.set("linkage:population", count, 600)
    return max(count, 2)


def _frequencies(keys: set[str]) -> dict[str, int]:
    digests = {digest(k): k for k in keys}
    rows = (
        PersonSearchKey.objects.filter(digest__in=digests)
        .values("digest")
        .annotate(n=Count("id"))
        .values_list("digest", "n")
    )
    return {digests[d]: n for d, n in rows}


class Scorer:
    """Scores records against one record (the one being registered, saved or not)."""

    def __init__(self, person: Person):
        self.person = person
        self.given, self.family = _name_words(person)
        self.population = _population()
        keys = {f"n:{w}" for w in self.given + self.family}
        keys |= {f"s:{s}" for w in self.given + self.family if (s := skeleton(w))}
        self.frequency = _frequencies(keys)
        self.phones = phones_of(person)
        self.document = document_key(person.document_number or "")

    def _agreement(self, key: str) -> float:
        u = max(self.frequency.get(key, 0), 1) / self.population
        return max(math.log2(M_NAME / min(u, M_NAME)), 0.5)

    def _word(self, word: str, theirs: str) -> tuple[str, float] | None:
        if word == theirs:
            return "same", self._agreement(f"n:{word}")
        shape, other = skeleton(word), skeleton(theirs)
        if shape and _alike(shape, other):
            return "alike", max(self._agreement(f"s:{shape}") - ALIKE_PENALTY, 0.5)
        return None

    def _names(self, other: Person) -> list[Reason]:
        """Each word of this record's names against the other's, whichever field it is in
        (names are swapped, or typed in one field); a field none of whose words agree with
        any of the other's weighs against."""
        given, family = _name_words(other)
        theirs = [(w, "given_name") for w in given] + [(w, "family_name") for w in family]
        if not theirs:
            return []
        both = bool(self.family and family and self.given and given)
        reasons, used, agreed = [], set(), set()
        mine = [(w, "given_name") for w in self.given] + [(w, "family_name") for w in self.family]
        for word, field_name in mine:
            best = None
            for i, (other_word, other_field) in enumerate(theirs):
                if i not in used and (found := self._word(word, other_word)):
                    if best is None or found[1] > best[2]:
                        best = (i, found[0], found[1], other_field)
            if best is None:
                continue
            i, level, weight, other_field = best
            used.add(i)
            label = field_name if self.family else other_field
            if both and other_field != field_name:
                level = "swapped"
            agreed.add(field_name)
            reasons.append(Reason(label, level, weight))
        for field_name, words_ in (("given_name", self.given), ("family_name", self.family)):
            if (
                words_
                and field_name not in agreed
                and (given if field_name == "given_name" else family)
            ):
                reasons.append(Reason(field_name, "different", DISAGREE))
        return sorted(reasons, key=lambda r: -r.weight)[:4]

    def score(self, other: Person) -> Likeness:
        reasons = self._names(other)
        reasons += [r for r in (_birth(self.person, other), _sex(self.person, other)) if r]
        if self.person.nationality and other.nationality:
            same = self.person.nationality == other.nationality
            reasons.append(Reason("nationality", *(("same", 1.5) if same else ("different", -2.0))))
        if self.phones and (theirs := phones_of(other)):
            same = bool(self.phones & theirs)
            reasons.append(Reason("phone", *(("same", 10.0) if same else ("different", -2.0))))
        if self.document and (theirs := document_key(other.document_number or "")):
            same = self.document == theirs
            reasons.append(Reason("document", *(("same", 12.0) if same else ("different", -2.0))))
        prior = math.log2(DUPLICATES / self.population)
        total = prior + sum(r.weight for r in reasons)
        probability = 1 / (1 + 2 ** (-total))
        reasons.sort(key=lambda r: -abs(r.weight))
        return Likeness(other, probability, reasons)


def _alike(shape: str, other: str) -> bool:
    """Skeletons of one name: the same, or but for a final t, the tā' marbūṭa that Arabic
    script ends Fatima and Amina with and West African spellings sound (Fatimata, Aminata)."""
    if shape == other:
        return True
    short, long = sorted((shape, other), key=len)
    return len(short) >= 2 and long == short + "t"


def _birth_years(person: Person, today: date) -> tuple[int, int] | None:
    if person.date_of_birth:
        return person.date_of_birth.year, person.date_of_birth.year
    lo, hi = person.age_estimate_min, person.age_estimate_max
    if lo is None and hi is None:
        return None
    lo, hi = (lo if lo is not None else hi), (hi if hi is not None else lo)
    return today.year - hi - 1, today.year - lo


def _birth(mine: Person, other: Person) -> Reason | None:
    a, b = mine.date_of_birth, other.date_of_birth
    if a and b and a == b and (a.month, a.day) != (1, 1):
        return Reason("birth", "same", 8.0)
    today = timezone.localdate()
    ours, theirs = _birth_years(mine, today), _birth_years(other, today)
    if ours is None or theirs is None:
        return None
    exact = a and b
    if exact and a.year == b.year:
        return Reason("birth", "same", 4.0)
    gap = max(ours[0] - theirs[1], theirs[0] - ours[1], 0)
    if gap == 0:
        return Reason("birth", "close", 1.0 if not exact else 3.0)
    if gap <= 2:
        return Reason("birth", "close", 0.5)
    return Reason("birth", "different", -5.0 if gap <= 5 else -9.0)


def _sex(mine: Person, other: Person) -> Reason | None:
    known = {Sex.UNKNOWN, "", None}
    if mine.sex in known or other.sex in known:
        return None
    return Reason("sex", "same", 0.9) if mine.sex == other.sex else Reason("sex", "different", -4.0)


def candidate_keys(person: Person) -> set[str]:
    """What a record's look-alikes are found by: name skeletons, phones, the document."""
    given, family = _name_words(person)
    keys = {f"s:{s}" for w in given + family if (s := skeleton(w))}
    return keys | identifier_keys(person)


def likely_same(
    person: Person,
    within: QuerySet[Person],
    *,
    threshold: float = THRESHOLD,
    limit: int = SHOWN,
) -> list[Likeness]:
    """The records of `within` most likely to be the same person as `person`, most alike
    first, each with its reasons."""
    keys = candidate_keys(person)
    if not keys:
        return []
    shared = (
        PersonSearchKey.objects.filter(digest__in=[digest(k) for k in keys])
        .filter(person_id__in=within.values("pk"))
        .values("person_id")
        .annotate(n=Count("id"))
        .order_by("-n", "-person_id")
        .values_list("person_id", flat=True)
    )
    if person.pk:
        shared = shared.exclude(person_id=person.pk)
    ids = list(shared[:CANDIDATES])
    if not ids:
        return []
    scorer = Scorer(person)
    scored = [
        scorer.score(other) for other in within.filter(pk__in=ids).select_related("owner_agency")
    ]
    alike = sorted((s for s in scored if s.probability >= threshold), key=lambda s: -s.probability)
    return alike[:limit]
