"""The ILO / European Commission combination rules (2009), as pure functions.

Nothing here touches the database: the caller passes the indicators of a catalogue version
(code, dimension, strength, text) and the screener's answers, and gets back the result with
an explanation that says, per dimension, which answers made it positive and which rule fired.

A dimension is positive when the indicators present in it are any of:
2 strong; 1 strong + 1 medium or weak; 3 medium; 2 medium + 1 weak.

An adult is a presumed victim when a recruitment dimension (deceptive, coercive or by abuse
of vulnerability) AND exploitative conditions AND a means dimension at destination (coercion
or abuse of vulnerability) are positive. For a child the means are not required: recruitment
and exploitation suffice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Strength(models.TextChoices):
    STRONG = "S", _("Strong")
    MEDIUM = "M", _("Medium")
    WEAK = "W", _("Weak")


# Read on every evaluation: Django rebuilds `Strength.values` on each access.
STRENGTHS = tuple(Strength.values)


class DimensionCode(models.TextChoices):
    """The six dimensions of the ILO/EC lists, in the order a screener goes through them."""

    DECEPTIVE_RECRUITMENT = "deceptive_recruitment", _("Deceptive recruitment")
    COERCIVE_RECRUITMENT = "coercive_recruitment", _("Coercive recruitment")
    ABUSIVE_RECRUITMENT = "abusive_recruitment", _("Recruitment by abuse of vulnerability")
    EXPLOITATION = "exploitation", _("Exploitative conditions")
    COERCION_AT_DESTINATION = "coercion_at_destination", _("Coercion at destination")
    ABUSE_AT_DESTINATION = "abuse_at_destination", _("Abuse of vulnerability at destination")


RECRUITMENT = (
    DimensionCode.DECEPTIVE_RECRUITMENT,
    DimensionCode.COERCIVE_RECRUITMENT,
    DimensionCode.ABUSIVE_RECRUITMENT,
)
MEANS_AT_DESTINATION = (
    DimensionCode.COERCION_AT_DESTINATION,
    DimensionCode.ABUSE_AT_DESTINATION,
)


class Result(models.TextChoices):
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim of trafficking")
    POSSIBLE_VICTIM = "possible_victim", _("Possible victim — further assessment needed")
    SMUGGLED_MIGRANT = "smuggled_migrant", _("Smuggled migrant in need of assistance")
    NO_INDICATORS = "no_indicators", _("No indicators")


class DimensionRule(models.TextChoices):
    """Which combination of present indicators made a dimension positive."""

    TWO_STRONG = "two_strong", _("2 strong indicators")
    STRONG_AND_ANOTHER = "strong_and_another", _("1 strong + 1 medium or weak indicator")
    THREE_MEDIUM = "three_medium", _("3 medium indicators")
    TWO_MEDIUM_ONE_WEAK = "two_medium_one_weak", _("2 medium + 1 weak indicator")


class ResultRule(models.TextChoices):
    """Why the result is what it is."""

    ADULT_COMBINATION = (
        "adult_combination",
        _(
            "Recruitment, exploitation and coercion or abuse of vulnerability at destination "
            "are all met (adult rule)."
        ),
    )
    CHILD_COMBINATION = (
        "child_combination",
        _("Recruitment and exploitation are both met (child rule: no means element needed)."),
    )
    POSITIVE_DIMENSION = (
        "positive_dimension",
        _("At least one dimension is met, but not the whole combination."),
    )
    STRONG_INDICATOR = (
        "strong_indicator",
        _("A strong indicator is present, but no dimension is met."),
    )
    SMUGGLING = (
        "smuggling",
        _("No trafficking indicators combine, but the person was smuggled and needs assistance."),
    )
    NOTHING = "nothing", _("No dimension is met and no strong indicator is present.")


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of a catalogue version; `text` is whatever the caller shows (str or
    a {language: text} mapping)."""

    code: str
    dimension: str
    strength: str
    text: Any = ""


@dataclass(frozen=True)
class DimensionOutcome:
    code: str
    positive: bool
    rule: str | None
    present: tuple[IndicatorSpec, ...]
    unknown: tuple[str, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(i.strength for i in self.present)
        return {s: found[s] for s in STRENGTHS}

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "positive": self.positive,
            "rule": self.rule,
            "counts": self.counts,
            "present": [
                {"code": i.code, "strength": i.strength, "text": i.text} for i in self.present
            ],
            "unknown": list(self.unknown),
        }


@dataclass(frozen=True)
class Evaluation:
    result: str
    rule: str
    child: bool
    smuggling: bool
    dimensions: tuple[DimensionOutcome, ...]
    combination: dict[str, bool | None] = field(default_factory=dict)

    def dimension(self, code: str) -> DimensionOutcome:
        return next(d for d in self.dimensions if d.code == code)

    @property
    def positive_dimensions(self) -> list[str]:
        return [d.code for d in self.dimensions if d.positive]

    @property
    def present(self) -> list[IndicatorSpec]:
        return [i for d in self.dimensions for i in d.present]

    def as_dict(self) -> dict:
        return {
            "result": self.result,
            "rule": self.rule,
            "child": self.child,
            "smuggling": self.smuggling,
            "combination": dict(self.combination),
            "dimensions": [d.as_dict() for d in self.dimensions],
        }


def dimension_rule(strong: int, medium: int, weak: int) -> DimensionRule | None:
    """The rule a dimension with these numbers of present indicators meets, or None."""
    if strong >= 2:
        return DimensionRule.TWO_STRONG
    if strong >= 1 and medium + weak >= 1:
        return DimensionRule.STRONG_AND_ANOTHER
    if medium >= 3:
        return DimensionRule.THREE_MEDIUM
    if medium >= 2 and weak >= 1:
        return DimensionRule.TWO_MEDIUM_ONE_WEAK
    return None


def evaluate_dimension(
    code: str, indicators: Iterable[IndicatorSpec], answers: Mapping[str, bool | None]
) -> DimensionOutcome:
    mine = [i for i in indicators if i.dimension == code]
    present = tuple(i for i in mine if answers.get(i.code) is True)
    unknown = tuple(i.code for i in mine if answers.get(i.code) is None)
    counts = {s: sum(1 for i in present if i.strength == s) for s in STRENGTHS}
    rule = dimension_rule(counts["S"], counts["M"], counts["W"])
    return DimensionOutcome(
        code=str(code),
        positive=rule is not None,
        rule=rule.value if rule else None,
        present=present,
        unknown=unknown,
    )


def evaluate(
    indicators: Iterable[IndicatorSpec],
    answers: Mapping[str, bool | None],
    *,
    child: bool,
    smuggling: bool = False,
) -> Evaluation:
    """Combine the answers (True present, False absent, None unknown) into a result.

    `smuggling` is the screener's record of a smuggling situation (paid a smuggler or crossed
    irregularly) with vulnerability or needs; it decides only when no trafficking indicator
    points anywhere.
    """
    indicators = list(indicators)
    dimensions = tuple(evaluate_dimension(code, indicators, answers) for code in DimensionCode)
    positive = {d.code for d in dimensions if d.positive}
    recruitment = any(code in positive for code in RECRUITMENT)
    exploitation = DimensionCode.EXPLOITATION in positive
    means = any(code in positive for code in MEANS_AT_DESTINATION)
    combination: dict[str, bool | None] = {
        "recruitment": recruitment,
        "exploitation": exploitation,
        "means": None if child else means,
    }
    strong_present = any(i.strength == Strength.STRONG for d in dimensions for i in d.present)

    if child and recruitment and exploitation:
        result, rule = Result.PRESUMED_VICTIM, ResultRule.CHILD_COMBINATION
    elif not child and recruitment and exploitation and means:
        result, rule = Result.PRESUMED_VICTIM, ResultRule.ADULT_COMBINATION
    elif positive:
        result, rule = Result.POSSIBLE_VICTIM, ResultRule.POSITIVE_DIMENSION
    elif strong_present:
        result, rule = Result.POSSIBLE_VICTIM, ResultRule.STRONG_INDICATOR
    elif smuggling:
        result, rule = Result.SMUGGLED_MIGRANT, ResultRule.SMUGGLING
    else:
        result, rule = Result.NO_INDICATORS, ResultRule.NOTHING
    return Evaluation(
        result=result.value,
        rule=rule.value,
        child=child,
        smuggling=smuggling,
        dimensions=dimensions,
        combination=combination,
    )
