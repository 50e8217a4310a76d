"""Finding a person without her name in clear anywhere: a keyed blind index.

Every person has a few `PersonSearchKey` rows: HMAC-SHA256 digests, under their own key
(`CORRIDOR_SEARCH_KEY`), of the keys `corridor.people.names` makes from her names, phone
and document number. A search makes the same keys from what was typed and looks up their
digests: the database never holds, compares or logs a name. Without the search key a digest
cannot be tested against a guess; with it, only exact keys are found (no prefix or fuzzy
search in SQL), which is why the keys are made tolerant of spelling and script.

A search term is one of: a reference (P-… or C-…), a phone number (any format), a year of
birth (1900–2099), an age (0–120: born that many years ago, or an estimate that covers it),
a document number (letters and digits), or a word of a name. Every term must match; words
that match exactly rank above words that match only by their skeleton. The results are the
persons the user may see, the most alike first, at most `SEARCH_LIMIT`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import HttpRequest
from django.utils import timezone

from corridor.audit.models import AuditEvent
from corridor.audit.services import record_event
from corridor.people.models import Person, PersonSearchKey
from corridor.people.names import (
    document_key,
    e164,
    name_keys,
    without_article,
    word_keys,
    words,
)

SEARCH_LIMIT = 200
EXACT, ALIKE = 2, 1  # what a word adds to the rank when it matches as typed / by skeleton
REFERENCE = re.compile(r"^[PC]-[0-9A-Z]{6,12}$")
PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]{5,}\d")
INDEXED_FIELDS = ("given_name", "family_name", "aliases", "phone", "document_number")


def digest(key: str) -> str:
    secret = settings.CORRIDOR_SEARCH_KEY.encode("utf-8")
    return hmac.new(secret, key.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def phones_of(person: Person) -> set[str]:
    """The person's phone in E.164, read as a number of this country and of hers."""
    regions = {settings.CORRIDOR_COUNTRY, person.nationality or ""}
    return {number for region in regions if (number := e164(person.phone or "", region))}


def identifier_keys(person: Person) -> set[str]:
    """The keys of her phone and document number (`p:`, `d:`)."""
    keys = {f"p:{number}" for number in phones_of(person)}
    if len(document := document_key(person.document_number or "")) >= 4:
        keys.add(f"d:{document}")
    return keys


def keys_of(person: Person) -> set[str]:
    """What a person is found by, before hashing."""
    keys = name_keys(person.given_name, person.family_name, *re.split(r"[,;/]", person.aliases))
    return keys | identifier_keys(person)


def search_rows(persons: Iterable[tuple[int, Person]]) -> list[tuple[int, str]]:
    """(person id, digest) for every key of these stored persons: what the index holds. A
    bulk writer passes anything with a person's indexed fields and nationality."""
    return [(pk, digest(key)) for pk, person in persons for key in sorted(keys_of(person))]


def index_persons(persons: Iterable[Person]) -> int:
    """(Re)write the search keys of these persons; returns how many keys were written."""
    persons = [p for p in persons if p.pk]
    rows = [
        PersonSearchKey(person_id=pk, digest=key)
        for pk, key in search_rows((p.pk, p) for p in persons)
    ]
    with transaction.atomic():
        PersonSearchKey.objects.filter(person_id__in=[p.pk for p in persons]).delete()
        PersonSearchKey.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def reindex_persons(
    persons: QuerySet[Person] | None = None,
    *,
    batch: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild the index of these persons (all by default), in batches: after the search key
    changed, after a restore, after records were written without `save()`."""
    persons = (persons if persons is not None else Person.objects.all()).order_by("pk")
    total, done, last, written = persons.count(), 0, 0, 0
    fields = ("pk", "nationality", *INDEXED_FIELDS)
    while chunk := list(persons.filter(pk__gt=last).only(*fields)[:batch]):
        written += index_persons(chunk)
        done, last = done + len(chunk), chunk[-1].pk
        if progress:
            progress(done, total)
    return written


def person_saved(sender, instance: Person, created: bool, update_fields=None, **kwargs) -> None:
    """Keep a saved person's keys current (connected in PeopleConfig.ready)."""
    if kwargs.get("raw"):
        return
    if update_fields is not None and not set(update_fields) & set(INDEXED_FIELDS):
        return
    index_persons([instance])


# --- searching ---------------------------------------------------------------------------------


@dataclass
class Query:
    """What was typed, read as search terms. Only the kinds of term reach the audit trail."""

    terms: list[tuple[str, dict[str, int]]] = field(default_factory=list)  # kind, digest→rank
    references: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        kinds = {kind for kind, _digests in self.terms}
        kinds |= {"reference"} if self.references else set()
        kinds |= {"year_of_birth"} if self.years else set()
        kinds |= {"age"} if self.ages else set()
        return sorted(kinds)

    def __bool__(self) -> bool:
        return bool(self.terms or self.references or self.years or self.ages)


LATIN_ARTICLES = frozenset({"al", "el", "ul"})


def _with_articles(tokens: list[str]) -> list[tuple[str, str | None]]:
    """Each token with the same name without its article, if it has one: الحسن and حسن; and
    "Al Hassan" typed in two words as "alhassan" (how الحسن reads) and "hassan"."""
    out, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if token.lower() in LATIN_ARTICLES and i + 1 < len(tokens):
            out.append((token + tokens[i + 1], tokens[i + 1]))
            i += 2
        else:
            out.append((token, without_article(token)))
            i += 1
    return out


def _phones(tokens: list[str]) -> tuple[list[str], list[str]]:
    """The phone numbers among the tokens (a number may be typed in groups: "320 123 4567"),
    longest first; and the tokens left."""
    phones, rest, i = [], [], 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            typed = " ".join(tokens[i:j])
            if PHONE.fullmatch(typed) and (number := e164(typed, settings.CORRIDOR_COUNTRY)):
                phones.append(number)
                i = j
                break
        else:
            rest.append(tokens[i])
            i += 1
    return phones, rest


def read_query(text: str) -> Query:
    query = Query()
    phones, tokens = _phones((text or "").strip()[:200].split())
    for number in phones:
        query.terms.append(("phone", {digest(f"p:{number}"): EXACT}))
    skeletons: set[str] = set()
    for token, bare in _with_articles(tokens):
        upper = token.upper().strip(".,;")
        if REFERENCE.match(upper):
            query.references.append(upper)
        elif token.isdigit() and len(token) == 4 and 1900 <= int(token) <= 2099:
            query.years.append(int(token))
        elif token.isdigit() and int(token) <= 120:
            query.ages.append(int(token))
        elif any(c.isdigit() for c in token) and len(document_key(token)) >= 4:
            query.terms.append(("document", {digest(f"d:{document_key(token)}"): EXACT}))
        else:
            others = words(bare) if bare else []
            for i, word in enumerate(words(token)):
                other = others[i] if i < len(others) else None
                exact, alike = word_keys(word)
                if alike in skeletons:  # "Mohamed Muhammad": one name, typed twice
                    continue
                ranks = {digest(exact): EXACT}
                if alike:
                    skeletons.add(alike)
                    ranks[digest(alike)] = ALIKE
                if other and other != word:  # الحسن: Hassan will do as well as Al Hassan
                    bare_exact, bare_alike = word_keys(other)
                    ranks.setdefault(digest(bare_exact), EXACT)
                    if bare_alike:
                        ranks.setdefault(digest(bare_alike), ALIKE)
                query.terms.append(("name", ranks))
    return query


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _born(query: Query, today: date) -> Q:
    q = Q()
    for year in query.years:
        q &= Q(date_of_birth__year=year)
    for age in query.ages:
        latest, earliest = _years_before(today, age), _years_before(today, age + 1)
        q &= Q(date_of_birth__gt=earliest, date_of_birth__lte=latest) | Q(
            date_of_birth__isnull=True, age_estimate_min__lte=age, age_estimate_max__gte=age
        )
    return q


def matching_persons(query: Query, within: QuerySet[Person]) -> tuple[list[int], bool]:
    """Ids of the persons of `within` that match every term, most alike first; and whether
    there were more than `SEARCH_LIMIT`."""
    persons = within.filter(_born(query, timezone.localdate()))
    if query.references:
        persons = persons.filter(
            Q(reference__in=query.references) | Q(cases__reference__in=query.references)
        )
    if not query.terms:
        ids = list(
            persons.order_by("-created_at", "-pk")
            .values_list("pk", flat=True)
            .distinct()[: SEARCH_LIMIT + 1]
        )
        return ids[:SEARCH_LIMIT], len(ids) > SEARCH_LIMIT
    term_of = [When(digest=d, then=Value(i)) for i, (_k, ds) in enumerate(query.terms) for d in ds]
    rank_of = [When(digest=d, then=Value(r)) for _k, ds in query.terms for d, r in ds.items()]
    hits = (
        PersonSearchKey.objects.filter(
            digest__in=[d for _k, ds in query.terms for d in ds],
            person_id__in=persons.values("pk"),
        )
        .values("person_id")
        .annotate(
            terms=Count(Case(*term_of, output_field=IntegerField()), distinct=True),
            rank=Sum(Case(*rank_of, output_field=IntegerField())),
        )
        .filter(terms=len(query.terms))
        .order_by("-rank", "-person_id")
        .values_list("person_id", flat=True)
    )
    ids = list(hits[: SEARCH_LIMIT + 1])
    return ids[:SEARCH_LIMIT], len(ids) > SEARCH_LIMIT


@dataclass
class Found:
    persons: list[Person]
    limited: bool
    kinds: list[str]
    references: list[str] = field(default_factory=list)  # the P- and C- references read


def search_persons(
    text: str,
    *,
    actor,
    within: QuerySet[Person],
    request: HttpRequest | None = None,
) -> Found:
    """The persons of `within` (the user's scope) that match `text`, most alike first.

    Audited: who searched, for which kinds of term and how many were found, never the terms.
    """
    query = read_query(text)
    if not query:
        return Found([], False, [])
    ids, limited = matching_persons(query, within)
    by_id = within.filter(pk__in=ids).select_related("owner_agency").in_bulk()
    persons = [by_id[pk] for pk in ids if pk in by_id]
    record_event(
        AuditEvent.Action.SEARCH,
        actor=actor,
        object_type="person",
        request=request,
        details={"looked_for": query.kinds, "found": len(persons), "limited": limited},
    )
    return Found(persons, limited, query.kinds, query.references)
