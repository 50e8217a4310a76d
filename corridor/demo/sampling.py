"""Draws from the synthetic data set's one seeded random stream (weighted choices, document
numbers) and the time units every offset from `as_of` is counted in.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from datetime import timedelta

HOUR = 3600
DAY = 24 * HOUR
HOUR_S = timedelta(hours=1)


class Weighted:
    """A weighted choice drawn with one `rng.random()` call (cumulative weights, bisect)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.items = [item for item, _ in pairs]
        self.cum, total = [], 0.0
        for _, weight in pairs:
            total += weight
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.items[
            min(bisect.bisect_right(self.cum, rng.random() * self.total), len(self.items) - 1)
        ]

    def weights(self) -> list[float]:
        """Each item's own weight (the differences of the cumulative ones)."""
        previous, out = 0.0, []
        for c in self.cum:
            out.append(c - previous)
            previous = c
        return out

    def weight_of(self, item) -> float:
        return dict(zip(self.items, self.weights(), strict=True)).get(item, 0.0)


def weighted(spec: str) -> Weighted:
    """'a:3 b:1' -> Weighted([('a', 3), ('b', 1)])."""
    return Weighted([(k, float(v)) for k, v in (part.split(":") for part in spec.split())])


def pattern(rng: random.Random, template: str) -> str:
    """A document number: @ a letter, # a digit, other characters literal."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return "".join(
        str(rng.randint(0, 9)) if ch == "#" else rng.choice(letters) if ch == "@" else ch
        for ch in template
    )
