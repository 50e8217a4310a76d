"""Which seeded person records are one person, for benchmarks and tests of duplicate
detection: the truth `corridor seed` kept in `SeededIdentity`.

A linkage benchmark compares the pairs it proposes with `true_pairs()`: precision is the
share of its pairs that are in it, recall the share of it that it found. Persons entered by
hand have no seeded identity and are in no true pair.
"""

from __future__ import annotations

from itertools import combinations, groupby

from django.db.models import Count, QuerySet

from corridor.demo.models import SeededIdentity
from corridor.people.models import Person


def true_groups(persons_qs: QuerySet[Person] | None = None) -> list[tuple[int, ...]]:
    """The person ids of each person recorded more than once (among `persons_qs`, default
    every person), smallest id first, groups in the order of their identity. Two queries,
    and only the records of persons with duplicates come back: cheap on a million."""
    rows = SeededIdentity.objects.all()
    if persons_qs is not None:
        rows = rows.filter(person_id__in=persons_qs.values("pk"))
    shared = (
        rows.values("identity").annotate(records=Count("person_id")).filter(records__gt=1)
    ).values("identity")
    members = (
        rows.filter(identity__in=shared)
        .order_by("identity", "person_id")
        .values_list("identity", "person_id")
    )
    return [tuple(pid for _, pid in group) for _, group in groupby(members, key=lambda r: r[0])]


def true_pairs(persons_qs: QuerySet[Person] | None = None) -> set[tuple[int, int]]:
    """Every pair of person ids that are one person, smaller id first."""
    return {pair for group in true_groups(persons_qs) for pair in combinations(group, 2)}
