"""Lists that count no further than anyone reads.

An exact `COUNT(*)` of every visible row ran on each request of every list page and queue: at
national scale (a million persons, bench/load.py) it cost more than the page itself. A
worker reads the first pages and finds the rest by search or filter, so a list counts up to
`CORRIDOR_COUNT_LIMIT` rows and says "more than N" past that; the figures pages give exact
totals.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# The largest offset or limit every database takes in SQL (SQLite's and PostgreSQL's integers).
MAX_ROWS = 2**31 - 1


def count_upto(rows, limit: int) -> int:
    """How many rows there are, counting no further than `limit + 1`.

    A queryset is counted without its ordering (the database need not sort what it only
    counts) over `LIMIT limit + 1`; anything else that can count itself is asked to.
    """
    if isinstance(rows, QuerySet):
        return rows.order_by()[: limit + 1].count()
    if hasattr(rows, "count_upto"):
        return rows.count_upto(limit)
    return len(rows)


def capped(rows, limit: int) -> tuple[int, bool]:
    """(how many, at most `limit`; whether there are more)."""
    counted = count_upto(rows, limit)
    return min(counted, limit), counted > limit


class CappedPaginator(Paginator):
    """A paginator whose count stops at the limit: `more` says there are further rows,
    beyond the last page it offers."""

    def __init__(self, object_list, per_page, *, limit: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = limit if limit is not None else settings.CORRIDOR_COUNT_LIMIT

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        return capped(self.object_list, self.limit)

    @property
    def count(self) -> int:
        return self._capped[0]

    @property
    def more(self) -> bool:
        return self._capped[1]

    def page(self, number):
        """As Django's, except that the last page counted is not cut short at the limit
        when there is more."""
        if not self.more:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
