"""Screening answers for the synthetic data set, scored by the real combination rules.

The generator decides what a screening should find (a presumed victim, a possible victim,
a smuggled migrant, nothing); `answers_for` picks indicator answers that make exactly that
combination of dimensions positive, and `score` runs them through
`corridor.screening.rules.evaluate` — the result, rule and explanation stored are the rules'
own, never made up. The HTCDS coding, the forms of exploitation and the next step come from
the same functions `corridor.screening.services.screen_person` uses.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from types import SimpleNamespace

from corridor.screening import rules
from corridor.screening import services as screening_services
from corridor.screening.rules import DimensionCode, Result

PRESUMED = Result.PRESUMED_VICTIM.value
POSSIBLE = Result.POSSIBLE_VICTIM.value
SMUGGLED = Result.SMUGGLED_MIGRANT.value
NOTHING = Result.NO_INDICATORS.value

RECRUITMENT = [str(c) for c in rules.RECRUITMENT]
MEANS = [str(c) for c in rules.MEANS_AT_DESTINATION]
EXPLOITATION = str(DimensionCode.EXPLOITATION)

# Indicators a screener meets most often in each form of exploitation: drawn more often.
TYPICAL = {
    "sexual": {
        "dr_nature_of_job",
        "dr_conditions_of_prostitution",
        "cr_debt_bondage",
        "cr_threat_violence",
        "cd_debt_bondage",
        "cd_forced_clients",
        "cd_documents",
        "cd_violence",
        "cd_threat_violence",
        "cd_withholding_wages",
        "ex_excessive_hours",
        "ex_low_or_no_pay",
        "ar_beliefs",
        "ar_irregular_status",
        "ad_unknown_area",
        "ad_legal_status",
    },
    "forced_labour": {
        "dr_wages",
        "dr_conditions_of_work",
        "dr_nature_of_job",
        "cr_debt_bondage",
        "cr_documents",
        "cd_documents",
        "cd_debt_bondage",
        "cd_withholding_wages",
        "ex_excessive_hours",
        "ex_low_or_no_pay",
        "ex_living_conditions",
        "ex_hazardous_work",
        "ar_economic_reasons",
        "ar_irregular_status",
        "ad_economic_reasons",
        "ad_legal_status",
    },
    "domestic_servitude": {
        "dr_nature_of_job",
        "dr_education",
        "cd_isolation",
        "cd_documents",
        "ex_excessive_hours",
        "ex_low_or_no_pay",
        "ex_no_education",
        "ad_dependency",
    },
    "forced_begging": {
        "dr_education",
        "ar_family_difficulty",
        "cd_violence",
        "cd_withholding_wages",
        "ex_excessive_hours",
        "ex_no_education",
        "ex_living_conditions",
        "ad_no_guardian",
    },
    "forced_criminality": {
        "cd_illicit_activities",
        "cd_debt_bondage",
        "cd_threat_violence",
        "cr_debt_bondage",
        "ex_low_or_no_pay",
    },
    "forced_marriage": {"dr_marriage_adoption", "cr_abduction_sale", "cd_isolation"},
    "smuggled": {"ar_irregular_status", "ar_travel_difficulty", "ad_unknown_area"},
}


@dataclass(frozen=True)
class CatalogueSpec:
    """One indicator list as the generator needs it (from the database or the shipped file)."""

    list_kind: str
    indicators: tuple[rules.IndicatorSpec, ...]
    methods: dict[str, list[str]] = field(hash=False, compare=False)
    forms: dict[str, list[str]] = field(hash=False, compare=False)

    @property
    def is_child(self) -> bool:
        return self.list_kind.startswith("child_")

    @property
    def exploitation(self) -> str:
        return self.list_kind.split("_", 1)[1]

    @functools.cached_property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    @functools.cached_property
    def by_dimension(self) -> dict[str, list[rules.IndicatorSpec]]:
        groups: dict[str, list[rules.IndicatorSpec]] = {str(c): [] for c in DimensionCode}
        for indicator in self.indicators:
            groups.setdefault(indicator.dimension, []).append(indicator)
        return groups

    @functools.cached_property
    def recruitment(self) -> list[str]:
        return [c for c in RECRUITMENT if feasible(self, c)]

    @functools.cached_property
    def means(self) -> list[str]:
        return [c for c in MEANS if feasible(self, c)]

    @functools.cached_property
    def strong(self) -> list[rules.IndicatorSpec]:
        return [i for i in self.indicators if i.strength == "S"]

    @functools.cached_property
    def coding(self) -> dict[str, SimpleNamespace]:
        """code -> what `screening.services` reads of an Indicator (HTCDS methods, forms)."""
        return {
            code: SimpleNamespace(
                methods_of_control=self.methods.get(code, []),
                exploitation=self.forms.get(code, []),
            )
            for code in self.codes
        }


def catalogue_from_document(data: dict) -> CatalogueSpec:
    indicators, methods, forms = [], {}, {}
    for dimension in sorted(data["dimensions"], key=lambda d: d.get("order", 0)):
        for item in dimension["indicators"]:
            indicators.append(
                rules.IndicatorSpec(item["code"], dimension["code"], item["strength"], item["text"])
            )
            methods[item["code"]] = list(item.get("methods_of_control", []))
            forms[item["code"]] = list(item.get("exploitation", []))
    return CatalogueSpec(data["list_kind"], tuple(indicators), methods, forms)


@functools.cache
def shipped_catalogues() -> dict[str, CatalogueSpec]:
    """The ILO/EC lists shipped with Corridor, by list kind (read from the files, no database)."""
    from corridor.screening import loader

    return {d["list_kind"]: catalogue_from_document(d) for d in loader.shipped_documents()}


def list_for(form: str) -> str:
    """The pair of lists a screener picks for this form: sexual, or labour for the rest."""
    return "sexual" if form in ("sexual", "forced_marriage") else "labour"


# --- choosing answers ---------------------------------------------------------------------


def _pick(rng: random.Random, pool: list[rules.IndicatorSpec], n: int, typical: set[str]):
    """n distinct indicators of `pool`, the typical ones of the form drawn first more often."""
    if n <= 0:
        return []
    ranked = sorted(pool, key=lambda i: rng.random() * (0.3 if i.code in typical else 1.0))
    return ranked[:n]


def _positive(rng: random.Random, pool: list[rules.IndicatorSpec], typical: set[str]):
    """Indicators that make a dimension positive, by one of the four rules it can meet."""
    strong = [i for i in pool if i.strength == "S"]
    medium = [i for i in pool if i.strength == "M"]
    weak = [i for i in pool if i.strength == "W"]
    options = []
    if len(strong) >= 2:
        options.append((2, 0, 0))
    if strong and (medium or weak):
        options.append((1, 1, 0) if medium else (1, 0, 1))
    if len(medium) >= 3:
        options.append((0, 3, 0))
    if len(medium) >= 2 and weak:
        options.append((0, 2, 1))
    s, m, w = rng.choice(options)
    picked = _pick(rng, strong, s, typical) + _pick(rng, medium, m, typical)
    return picked + _pick(rng, weak, w, typical)


def feasible(catalogue: CatalogueSpec, code: str) -> bool:
    """Whether the dimension has the indicators to meet one of the four rules at all."""
    pool = catalogue.by_dimension.get(code, [])
    s = sum(i.strength == "S" for i in pool)
    m = sum(i.strength == "M" for i in pool)
    w = sum(i.strength == "W" for i in pool)
    return s >= 2 or (s >= 1 and m + w >= 1) or m >= 3 or (m >= 2 and w >= 1)


def answers_for(
    rng: random.Random, catalogue: CatalogueSpec, target: str, *, child: bool, form: str
) -> dict[str, bool | None]:
    """Answers to every indicator of `catalogue` whose combination gives `target`."""
    typical = TYPICAL.get(form, set())
    by_dimension = catalogue.by_dimension
    recruitment, means = catalogue.recruitment, catalogue.means
    positive: list[str] = []
    single_strong = None
    if target == PRESUMED:
        positive = [rng.choice(recruitment), EXPLOITATION]
        if not child:
            positive.append(rng.choice(means))
    elif target == POSSIBLE:
        shapes = ["exploitation", "recruitment", "strong"] + ([] if child else ["no_means"] * 2)
        shape = rng.choice(shapes)
        if shape == "exploitation":
            positive = [EXPLOITATION]
        elif shape == "recruitment":
            positive = [rng.choice(recruitment)]
        elif shape == "no_means":
            positive = [rng.choice(recruitment), EXPLOITATION]
        else:
            single_strong = _pick(rng, catalogue.strong, 1, typical)[0]
    present = {i.code for code in positive for i in _positive(rng, by_dimension[code], typical)}
    if single_strong is not None:
        present.add(single_strong.code)
    busy = set(positive) | ({single_strong.dimension} if single_strong else set())
    for code, pool in by_dimension.items():
        # A lone medium or weak indicator in a dimension that is not met changes nothing.
        if code not in busy and rng.random() < 0.3:
            lone = [i for i in pool if i.strength != "S"]
            if lone:
                present.add(rng.choice(lone).code)
    draw = rng.random
    return {
        code: True if code in present else (None if draw() < 0.08 else False)
        for code in catalogue.codes
    }


@dataclass
class Scored:
    result: str
    rule: str
    explanation: dict
    next_step: str
    suggested_service: str
    htcds: dict
    forms: list[str]
    means: list[str]


def score(
    catalogue: CatalogueSpec,
    answers: dict[str, bool | None],
    *,
    child: bool,
    smuggling: bool,
    agency,
) -> Scored:
    """What `screen_person` stores for these answers; `agency` has `.sector` and `.kind`."""
    evaluation = rules.evaluate(catalogue.indicators, answers, child=child, smuggling=smuggling)
    present = [i.code for i in evaluation.present]
    forms = screening_services.forms_of_exploitation(catalogue, catalogue.coding, present)
    next_step, service = screening_services.next_step(evaluation.result, child)
    htcds = screening_services.htcds_coding(
        evaluation.result, SimpleNamespace(agency=agency), catalogue.coding, present, forms
    )
    return Scored(
        result=evaluation.result,
        rule=evaluation.rule,
        explanation=evaluation.as_dict(),
        next_step=str(next_step),
        suggested_service=str(service),
        htcds=htcds,
        forms=forms,
        means=[m.removeprefix("MethodsOfControl") for m in htcds["vic_MethodsOfControl"]],
    )
