"""The referrals of the synthetic data set: how many and in which status for a case in each
stage, which sector provides each service, and the words of a referral's life (notes,
decline and withdrawal reasons, deliveries) and of the consent it relies on.
"""

from __future__ import annotations

from corridor.demo.sampling import weighted

REFERRAL_STATUSES = ("sent", "accepted", "declined", "in_progress", "completed", "withdrawn")
SERVING = ("in_progress", "completed")
OPEN = ("sent", "accepted", "in_progress")

REFERRAL_MIX = {
    "presumed_victim": weighted("sent:70 declined:30"),
    "referred": weighted("sent:40 accepted:30 declined:15 in_progress:15"),
    "assisted": weighted("in_progress:40 accepted:15 completed:30 declined:10 withdrawn:5"),
    "long_term_support": weighted("completed:55 in_progress:35 declined:5 withdrawn:5"),
    "return_reintegration": weighted(
        "completed:55 in_progress:25 accepted:10 declined:5 withdrawn:5"
    ),
    "local_integration": weighted("completed:75 in_progress:15 declined:5 withdrawn:5"),
    "closed": weighted("completed:75 withdrawn:15 declined:10"),
}
REFERRAL_COUNT = {
    "identified": (0, 0),
    "presumed_victim": (0, 1),
    "referred": (1, 3),
    "assisted": (2, 4),
    "long_term_support": (2, 5),
    "return_reintegration": (1, 3),
    "local_integration": (1, 3),
    "closed": (1, 4),
}
SERVICE_SECTORS = {
    "shelter": ("shelter",),
    "medical": ("health",),
    "mhpss": ("health", "ngo"),
    "legal_aid": ("legal_aid", "ngo"),
    "interpretation": ("ngo",),
    "documentation": ("immigration",),
    "family_tracing": ("international", "ngo"),
    "education_livelihood": ("ngo", "social_services"),
    "return_reintegration": ("international",),
    "child_protection": ("social_services", "shelter"),
    "investigation": ("police", "prosecution"),
}
NOTES = {
    "shelter": "Needs a safe place as soon as possible.",
    "medical": "Needs a medical check-up.",
    "mhpss": "Signs of trauma; psychosocial support.",
    "legal_aid": "Needs advice on a residence permit and on reporting.",
    "interpretation": "Needs an interpreter for interviews.",
    "documentation": "Application for a residence permit for victims of trafficking.",
    "family_tracing": "Wishes to contact family.",
    "education_livelihood": "Language course and vocational training.",
    "return_reintegration": "Wishes to return home; reintegration support requested.",
    "child_protection": "Unaccompanied child: guardian and child protection measures.",
    "investigation": "Wishes to report the exploiters; statement to be taken.",
}
GENERAL_DECLINES = [
    "Outside our area of operation.",
    "The person did not consent to the service.",
    "No interpreter available for the person's language.",
    "The person could not be reached at the address given.",
]
DECLINE_REASONS = {
    "shelter": [
        "No place available: the shelter is full.",
        "Our shelter cannot take the person's children as well.",
        "A security risk: the exploiters know the shelter's address.",
    ],
    "child_protection": ["A guardian is already appointed in another region."],
    "education_livelihood": ["The course is full until the next intake."],
    "return_reintegration": ["The person has not decided to return yet."],
    "investigation": ["The person does not wish to make a statement now."],
}
CHILD_DECLINE = "A child: refer to child protection services."
FULL_DECLINE = "No place available: the shelter is full."
WITHDRAW_REASONS = [
    "The person moved to another region.",
    "Referred to another provider with a free place.",
    "The person no longer wishes this service.",
    "Sent twice by mistake.",
]
CLOSED_WITHDRAWAL = "The case was closed."
REVOKED_WITHDRAWAL = "The person revoked the consent this referral relied on."
REVOCATION_REASONS = [
    "The person no longer wishes the shelter and the health service to exchange information.",
    "The person fears the data could reach the exploiters and withdrew consent.",
    "The person's guardian withdrew consent to sharing.",
]
# What a referral for each service shares of the person (Consent.DataCategory codes).
SHARED = {
    "shelter": ["identity", "case", "contact", "health"],
    "medical": ["identity", "case", "health"],
    "mhpss": ["identity", "case", "health", "story"],
    "legal_aid": ["identity", "case", "story", "documents"],
    "interpretation": ["identity", "case"],
    "documentation": ["identity", "case", "documents"],
    "family_tracing": ["identity", "case", "contact"],
    "education_livelihood": ["identity", "case"],
    "return_reintegration": ["identity", "case", "documents", "contact"],
    "child_protection": ["identity", "case", "contact", "health", "story"],
    "investigation": ["identity", "case", "story", "contact"],
}
CATEGORY_ORDER = ("identity", "contact", "documents", "story", "health", "case")
PURPOSE_ORDER = (
    "assistance",
    "return_reintegration",
    "family_tracing",
    "continued_assistance",
    "information_for_protection",
    "criminal_proceedings",
)
DELIVERY_NOTES = {
    "shelter": [
        "Admitted; bed, meals and clothes provided.",
        "Key-worker session; safety plan reviewed.",
        "Accompanied to the health centre.",
    ],
    "medical": ["Medical check-up done.", "Follow-up visit; treatment continued."],
    "mhpss": ["Individual psychosocial session.", "Group session with other survivors."],
    "legal_aid": ["First legal consultation.", "Residence permit application filed."],
    "interpretation": ["Interpreter at the interview.", "Interpreter at the medical visit."],
    "documentation": ["Residence permit application registered.", "Permit issued."],
    "family_tracing": ["Tracing request opened.", "Phone call with family arranged."],
    "education_livelihood": ["Enrolled in a language course.", "Vocational training started."],
    "return_reintegration": [
        "Return counselling.",
        "Travel documents obtained.",
        "Returned; reintegration plan agreed with the partner office.",
    ],
    "child_protection": ["Guardian appointed.", "Placed in a children's care home."],
    "investigation": ["Statement taken with an interpreter.", "Support person present."],
}
