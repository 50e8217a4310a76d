"""The protection cases of the synthetic data set: how far along a case of each age is, the
stages it went through, how long each took, how it closed, and the words of its history
(reflection extensions, risk, needs, reviews, offences the person was compelled to commit).
"""

from __future__ import annotations

import random

from corridor.demo.sampling import weighted

# A case's stages, in order; the first victims of every run have a case in each.
CASE_STATUSES = (
    "identified",
    "presumed_victim",
    "referred",
    "assisted",
    "long_term_support",
    "return_reintegration",
    "local_integration",
    "closed",
)

# (maximum age of the case in days, status weights): older cases are further along.
STAGE_BY_AGE = [
    (14, weighted("identified:35 presumed_victim:35 referred:25 assisted:5")),
    (
        90,
        weighted(
            "identified:6 presumed_victim:14 referred:30 assisted:35 long_term_support:5 "
            "return_reintegration:5 closed:5"
        ),
    ),
    (
        365,
        weighted(
            "identified:2 presumed_victim:4 referred:8 assisted:30 long_term_support:20 "
            "return_reintegration:12 local_integration:8 closed:16"
        ),
    ),
    (
        10**6,
        weighted(
            "identified:1 presumed_victim:1 referred:3 assisted:10 long_term_support:20 "
            "return_reintegration:12 local_integration:13 closed:40"
        ),
    ),
]
CASE_AGE = weighted("0:8 14:17 90:30 365:45")  # share of cases opened in each window (days ago)
CASE_AGE_BOUNDS = {"0": (0, 14), "14": (14, 90), "90": (90, 365), "365": (365, 1095)}

# (shortest, longest) time in each stage before the next one, in days.
STAGE_GAPS = {
    "presumed_victim": (0.1, 6),
    "referred": (0.1, 10),
    "assisted": (0.5, 14),
    "long_term_support": (20, 120),
    "return_reintegration": (30, 240),
    "local_integration": (30, 240),
    "closed": (10, 200),
}
STAGE_NOTES = {
    "presumed_victim": "Presumed-victim status confirmed after the interview.",
    "referred": "Referred to services.",
    "assisted": "Assistance started.",
    "long_term_support": "Long-term support plan agreed.",
    "return_reintegration": "The person chose to return home; reintegration plan prepared.",
    "local_integration": "Residence permit granted; local integration plan agreed.",
}
CLOSED_FROM = weighted(
    "identified:6 presumed_victim:6 referred:4 assisted:22 long_term_support:12 "
    "return_reintegration:28 local_integration:22"
)
CLOSURE = {
    "identified": weighted("not_a_victim:35 lost_contact:35 declined_assistance:20 transferred:10"),
    "presumed_victim": weighted(
        "not_a_victim:25 lost_contact:40 declined_assistance:25 transferred:10"
    ),
    "referred": weighted("lost_contact:40 declined_assistance:30 transferred:20 other:10"),
    "assisted": weighted(
        "assisted_reintegrated:35 lost_contact:25 declined_assistance:20 transferred:15 "
        "deceased:1 other:4"
    ),
    "long_term_support": weighted(
        "assisted_reintegrated:60 lost_contact:15 declined_assistance:10 transferred:10 other:5"
    ),
    "return_reintegration": weighted("returned:85 lost_contact:10 other:5"),
    "local_integration": weighted("assisted_reintegrated:90 lost_contact:5 other:5"),
}
CLOSURE_OTHER_NOTES = [
    "Moved to another EU country; the file was handed to the NRM there.",
    "Married and settled; no longer wishes contact with services.",
    "Reached adulthood and left the care system.",
]
COOPERATION_AFTER = weighted("cooperating:45 declined:18 unable:10 reflecting:7 not_discussed:20")
EXTENSION_REASONS = [
    "Still recovering from trauma; needs more time to decide.",
    "Medical treatment under way; the person cannot decide yet.",
    "The person asked for more time to talk to a lawyer.",
]
RISK_REASONS = {
    "high": "Threats from the exploiters' network reported.",
    "medium": "The person moved to a protected address.",
    "low": "Stable situation; no contact with the exploiters for months.",
}
NEEDS_NOTES = [
    "Tired and afraid; wants to stay somewhere safe first.",
    "Persistent headaches and sleep problems.",
    "Worried about the debt and the family at home.",
    "Wants to learn the language and work.",
    "",
    "",
]
REVIEW_TOPICS = [
    "Safety plan and housing",
    "End of the reflection period: residence and cooperation",
    "Progress of the support plan",
    "Return and reintegration options",
    "Health and psychosocial support",
]
REVIEW_OUTCOMES = [
    "Safe in the shelter; support plan continues.",
    "Residence permit application filed; next review in three months.",
    "Attends the language course; looking for an apprenticeship.",
    "Wishes to return home; referral to the return programme.",
    "Improving; psychosocial support continues weekly.",
]
OFFENCES = {
    "forced_criminality": [
        ("drugs", "Arrested for selling drugs; the exploiters kept the proceeds."),
        ("property", "Arrested for pickpocketing on the exploiters' orders."),
    ],
    "sexual": [
        ("immigration", "Used a false passport provided by the traffickers."),
        ("prostitution", "Fined for soliciting on the street."),
    ],
    "forced_begging": [("begging", "Cited for begging at a traffic light.")],
    "forced_labour": [
        ("unlawful_work", "Found working without a permit during an inspection."),
        ("immigration", "Entered with forged documents supplied by the recruiter."),
    ],
    "domestic_servitude": [("immigration", "Overstayed the visa the employer applied for.")],
    "smuggled": [("immigration", "Irregular entry by sea.")],
}
OFFENCE_SHARE = {
    "forced_criminality": 0.6,
    "forced_begging": 0.12,
    "sexual": 0.06,
    "forced_labour": 0.05,
    "domestic_servitude": 0.03,
    "smuggled": 0.03,
}
OFFENCE_DECISION = weighted(
    "not_prosecuted:35 proceedings_dropped:25 penalty_waived:15 pending:15 penalised:10"
)


def _path(*stages: str):
    return lambda rng: list(stages)


def _maybe(rng: random.Random, stage: str, chance: float) -> list[str]:
    return [stage] if rng.random() < chance else []


# The stages a case went through to reach each stage (TRANSITIONS allows each step).
PATHS_TO = {
    "identified": _path("identified"),
    "presumed_victim": _path("identified", "presumed_victim"),
    "referred": _path("identified", "presumed_victim", "referred"),
    "assisted": lambda rng: (
        ["identified", "presumed_victim"] + _maybe(rng, "referred", 0.85) + ["assisted"]
    ),
    "long_term_support": lambda rng: (
        ["identified", "presumed_victim"]
        + _maybe(rng, "referred", 0.85)
        + ["assisted", "long_term_support"]
    ),
    "return_reintegration": lambda rng: (
        ["identified", "presumed_victim"]
        + _maybe(rng, "referred", 0.85)
        + ["assisted"]
        + _maybe(rng, "long_term_support", 0.4)
        + ["return_reintegration"]
    ),
    "local_integration": lambda rng: (
        ["identified", "presumed_victim"]
        + _maybe(rng, "referred", 0.85)
        + ["assisted"]
        + _maybe(rng, "long_term_support", 0.5)
        + ["local_integration"]
    ),
}
