"""The ILO/EC combination rules, table by table: when a dimension is met, when the whole
combination is met for an adult and for a child, and what the screener is told."""

import itertools

import pytest

from corridor.screening.rules import (
    DimensionCode,
    DimensionRule,
    IndicatorSpec,
    Result,
    ResultRule,
    dimension_rule,
    evaluate,
    evaluate_dimension,
)

D = DimensionCode
RULE = DimensionRule

# Every dimension gets 3 strong, 4 medium and 3 weak indicators, e.g. exploitation_S1.
SPECS = [
    IndicatorSpec(f"{dim}_{strength}{n}", dim.value, strength, {"en": f"{dim} {strength}{n}"})
    for dim in DimensionCode
    for strength, count in (("S", 3), ("M", 4), ("W", 3))
    for n in range(1, count + 1)
]


def present(dimension: str, strong: int = 0, medium: int = 0, weak: int = 0) -> dict:
    """Answers saying yes to that many strong, medium and weak indicators of a dimension."""
    answers = {}
    for strength, count in (("S", strong), ("M", medium), ("W", weak)):
        for n in range(1, count + 1):
            answers[f"{dimension}_{strength}{n}"] = True
    return answers


def met(*dimensions: str) -> dict:
    """Answers that make exactly these dimensions positive (2 strong each)."""
    answers = {}
    for dimension in dimensions:
        answers |= present(dimension, strong=2)
    return answers


# --- one dimension --------------------------------------------------------------------------

DIMENSION_TABLE = [
    # strong, medium, weak -> the rule that fires (None: the dimension is not met)
    (0, 0, 0, None),
    (1, 0, 0, None),  # 1 strong alone is not enough
    (0, 1, 0, None),
    (0, 0, 1, None),
    (0, 2, 0, None),  # 2 medium alone are not enough
    (0, 1, 1, None),
    (0, 1, 2, None),  # 1 medium + 2 weak are not enough
    (0, 0, 3, None),  # weak indicators alone never are
    (2, 0, 0, RULE.TWO_STRONG),
    (3, 0, 0, RULE.TWO_STRONG),
    (2, 1, 1, RULE.TWO_STRONG),
    (1, 1, 0, RULE.STRONG_AND_ANOTHER),  # 1 strong + 1 medium
    (1, 0, 1, RULE.STRONG_AND_ANOTHER),  # 1 strong + 1 weak
    (1, 2, 0, RULE.STRONG_AND_ANOTHER),
    (1, 0, 3, RULE.STRONG_AND_ANOTHER),
    (0, 3, 0, RULE.THREE_MEDIUM),  # 3 medium
    (0, 4, 0, RULE.THREE_MEDIUM),
    (0, 3, 2, RULE.THREE_MEDIUM),
    (0, 2, 1, RULE.TWO_MEDIUM_ONE_WEAK),  # 2 medium + 1 weak
    (0, 2, 3, RULE.TWO_MEDIUM_ONE_WEAK),
]


@pytest.mark.parametrize(("strong", "medium", "weak", "rule"), DIMENSION_TABLE)
def test_when_a_dimension_is_met(strong, medium, weak, rule):
    assert dimension_rule(strong, medium, weak) == rule
    outcome = evaluate_dimension(
        D.EXPLOITATION, SPECS, present(D.EXPLOITATION, strong, medium, weak)
    )
    assert outcome.positive is (rule is not None)
    assert outcome.rule == (rule.value if rule else None)
    assert outcome.counts == {"S": strong, "M": medium, "W": weak}


@pytest.mark.parametrize(
    ("strong", "medium", "weak"), list(itertools.product(range(4), range(5), range(4)))
)
def test_every_combination_follows_the_published_rule(strong, medium, weak):
    """2 strong; 1 strong + 1 medium or weak; 3 medium; 2 medium + 1 weak — nothing else."""
    expected = (
        strong >= 2
        or (strong >= 1 and medium + weak >= 1)
        or medium >= 3
        or (medium >= 2 and weak >= 1)
    )
    assert (dimension_rule(strong, medium, weak) is not None) is expected


def test_no_and_unknown_answers_do_not_count_and_unknown_ones_are_listed():
    answers = {
        "exploitation_S1": True,
        "exploitation_S2": False,
        "exploitation_M1": None,
        "exploitation_M2": False,
    }
    outcome = evaluate_dimension(D.EXPLOITATION, SPECS, answers)
    assert not outcome.positive
    assert [i.code for i in outcome.present] == ["exploitation_S1"]
    # Not answered at all is unknown too.
    assert "exploitation_M1" in outcome.unknown and "exploitation_W3" in outcome.unknown
    assert "exploitation_S2" not in outcome.unknown


def test_indicators_of_another_dimension_do_not_help():
    answers = present(D.EXPLOITATION, strong=1) | present(D.COERCION_AT_DESTINATION, medium=1)
    assert not evaluate_dimension(D.EXPLOITATION, SPECS, answers).positive


# --- the combination, adult and child --------------------------------------------------------

COMBINATION_TABLE = [
    # dimensions met -> result for an adult, result for a child
    ((D.DECEPTIVE_RECRUITMENT, D.EXPLOITATION, D.COERCION_AT_DESTINATION), "presumed", "presumed"),
    ((D.COERCIVE_RECRUITMENT, D.EXPLOITATION, D.ABUSE_AT_DESTINATION), "presumed", "presumed"),
    ((D.ABUSIVE_RECRUITMENT, D.EXPLOITATION, D.COERCION_AT_DESTINATION), "presumed", "presumed"),
    (tuple(DimensionCode), "presumed", "presumed"),
    # No means element: enough for a child, not for an adult.
    ((D.DECEPTIVE_RECRUITMENT, D.EXPLOITATION), "possible", "presumed"),
    ((D.ABUSIVE_RECRUITMENT, D.EXPLOITATION), "possible", "presumed"),
    # No recruitment, or no exploitation: never presumed.
    ((D.EXPLOITATION, D.COERCION_AT_DESTINATION, D.ABUSE_AT_DESTINATION), "possible", "possible"),
    (
        (D.DECEPTIVE_RECRUITMENT, D.COERCIVE_RECRUITMENT, D.COERCION_AT_DESTINATION),
        "possible",
        "possible",
    ),
    ((D.EXPLOITATION,), "possible", "possible"),
    ((D.ABUSE_AT_DESTINATION,), "possible", "possible"),
]
RESULT = {"presumed": Result.PRESUMED_VICTIM, "possible": Result.POSSIBLE_VICTIM}


@pytest.mark.parametrize(("dimensions", "adult", "child"), COMBINATION_TABLE)
def test_the_combination_for_adults_and_children(dimensions, adult, child):
    answers = met(*dimensions)
    assert evaluate(SPECS, answers, child=False).result == RESULT[adult]
    assert evaluate(SPECS, answers, child=True).result == RESULT[child]


def test_the_rule_that_decided_is_named():
    full = met(D.DECEPTIVE_RECRUITMENT, D.EXPLOITATION, D.COERCION_AT_DESTINATION)
    assert evaluate(SPECS, full, child=False).rule == ResultRule.ADULT_COMBINATION
    child_rule = evaluate(SPECS, met(D.DECEPTIVE_RECRUITMENT, D.EXPLOITATION), child=True)
    assert child_rule.rule == ResultRule.CHILD_COMBINATION
    assert child_rule.combination == {"recruitment": True, "exploitation": True, "means": None}
    partial = evaluate(SPECS, met(D.EXPLOITATION), child=False)
    assert partial.rule == ResultRule.POSITIVE_DIMENSION
    assert partial.combination == {"recruitment": False, "exploitation": True, "means": False}


# --- the result mapping ---------------------------------------------------------------------

RESULT_TABLE = [
    # answers, smuggling -> result, rule
    (
        met(D.DECEPTIVE_RECRUITMENT, D.EXPLOITATION, D.COERCION_AT_DESTINATION),
        False,
        Result.PRESUMED_VICTIM,
        ResultRule.ADULT_COMBINATION,
    ),
    # Presumed trafficking wins over smuggling.
    (
        met(D.DECEPTIVE_RECRUITMENT, D.EXPLOITATION, D.COERCION_AT_DESTINATION),
        True,
        Result.PRESUMED_VICTIM,
        ResultRule.ADULT_COMBINATION,
    ),
    (met(D.COERCION_AT_DESTINATION), False, Result.POSSIBLE_VICTIM, ResultRule.POSITIVE_DIMENSION),
    # A possible victim stays a possible victim of trafficking even when smuggled.
    (met(D.COERCION_AT_DESTINATION), True, Result.POSSIBLE_VICTIM, ResultRule.POSITIVE_DIMENSION),
    # One strong indicator alone meets no dimension but calls for a further assessment.
    (
        present(D.COERCIVE_RECRUITMENT, strong=1),
        False,
        Result.POSSIBLE_VICTIM,
        ResultRule.STRONG_INDICATOR,
    ),
    (
        present(D.COERCIVE_RECRUITMENT, strong=1),
        True,
        Result.POSSIBLE_VICTIM,
        ResultRule.STRONG_INDICATOR,
    ),
    # Medium and weak indicators that meet nothing: smuggling decides.
    (
        present(D.EXPLOITATION, medium=2) | present(D.ABUSE_AT_DESTINATION, weak=2),
        True,
        Result.SMUGGLED_MIGRANT,
        ResultRule.SMUGGLING,
    ),
    (
        present(D.EXPLOITATION, medium=2) | present(D.ABUSE_AT_DESTINATION, weak=2),
        False,
        Result.NO_INDICATORS,
        ResultRule.NOTHING,
    ),
    ({}, True, Result.SMUGGLED_MIGRANT, ResultRule.SMUGGLING),
    ({}, False, Result.NO_INDICATORS, ResultRule.NOTHING),
]


@pytest.mark.parametrize(("answers", "smuggling", "result", "rule"), RESULT_TABLE)
def test_the_result_mapping(answers, smuggling, result, rule):
    evaluation = evaluate(SPECS, answers, child=False, smuggling=smuggling)
    assert (evaluation.result, evaluation.rule) == (result, rule)
    # The same for a child, who needs no means element for the full combination.
    if rule == ResultRule.ADULT_COMBINATION:
        rule = ResultRule.CHILD_COMBINATION
    evaluation = evaluate(SPECS, answers, child=True, smuggling=smuggling)
    assert (evaluation.result, evaluation.rule) == (result, rule)


def test_the_results_read_as_the_frontline_says_them():
    assert Result.PRESUMED_VICTIM.label == "Presumed victim of trafficking"
    assert Result.POSSIBLE_VICTIM.label == "Possible victim — further assessment needed"
    assert Result.SMUGGLED_MIGRANT.label == "Smuggled migrant in need of assistance"
    assert Result.NO_INDICATORS.label == "No indicators"


# --- the explanation ------------------------------------------------------------------------


def test_the_explanation_says_which_answers_met_each_dimension():
    answers = (
        present(D.DECEPTIVE_RECRUITMENT, strong=1, weak=1)
        | present(D.EXPLOITATION, medium=3)
        | present(D.COERCION_AT_DESTINATION, medium=2, weak=1)
        | present(D.ABUSE_AT_DESTINATION, medium=1)
    )
    explanation = evaluate(SPECS, answers, child=False).as_dict()
    assert explanation["result"] == "presumed_victim"
    assert explanation["rule"] == "adult_combination"
    by_code = {d["code"]: d for d in explanation["dimensions"]}
    assert list(by_code) == list(DimensionCode.values)
    deceptive = by_code["deceptive_recruitment"]
    assert deceptive["positive"] and deceptive["rule"] == "strong_and_another"
    assert deceptive["present"] == [
        {
            "code": "deceptive_recruitment_S1",
            "strength": "S",
            "text": {"en": "deceptive_recruitment S1"},
        },
        {
            "code": "deceptive_recruitment_W1",
            "strength": "W",
            "text": {"en": "deceptive_recruitment W1"},
        },
    ]
    assert by_code["exploitation"]["rule"] == "three_medium"
    assert by_code["coercion_at_destination"]["rule"] == "two_medium_one_weak"
    abuse = by_code["abuse_at_destination"]
    assert not abuse["positive"] and abuse["rule"] is None
    assert [p["code"] for p in abuse["present"]] == ["abuse_at_destination_M1"]
    assert abuse["counts"] == {"S": 0, "M": 1, "W": 0}
