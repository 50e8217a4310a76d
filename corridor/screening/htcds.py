"""HTCDS 2.0 / CTDC vocabularies a screening is coded in, so statistics need no re-keying.

Field names and value names are those of the Human Trafficking Case Data Standard 2.0
(`shared/reference/htcds/`): `vic_MethodsOfControl` (one column per method in CTDC's
layout, e.g. `MethodsOfControlDebtBondage`), `vic_TypeOfExploitation` and
`vic_TraffickingStatus`.
"""

from __future__ import annotations

from corridor.accounts.models import Agency
from corridor.vocabularies import Exploitation

METHODS_OF_CONTROL = (
    "MethodsOfControlDebtBondage",
    "MethodsOfControlTakesEarnings",
    "MethodsOfControlRestrictsFinancialAccess",
    "MethodsOfControlThreats",
    "MethodsOfControlPsychologicalAbuse",
    "MethodsOfControlPhysicalAbuse",
    "MethodsOfControlSexualAbuse",
    "MethodsOfControlFalsePromises",
    "MethodsOfControlPsychoactiveSubstances",
    "MethodsOfControlRestrictsMovement",
    "MethodsOfControlRestrictsMedicalCare",
    "MethodsOfControlExcessiveWorkingHours",
    "MethodsOfControlUsesChildren",
    "MethodsOfControlThreatOfLawEnforcement",
    "MethodsOfControlWithholdsNecessities",
    "MethodsOfControlWithholdsDocuments",
    "MethodsOfControlOther",
)

# Corridor's forms of exploitation (cases.Exploitation) as HTCDS vic_TypeOfExploitation values.
TYPE_OF_EXPLOITATION = {
    Exploitation.SEXUAL: "SexualExploitation",
    Exploitation.FORCED_LABOUR: "ForcedLabour",
    Exploitation.DOMESTIC_SERVITUDE: "Servitude",
    Exploitation.FORCED_CRIMINALITY: "Other",
    Exploitation.FORCED_BEGGING: "ForcedBegging",
    Exploitation.FORCED_MARRIAGE: "ForcedMarriage",
    Exploitation.ORGAN_REMOVAL: "OrganRemoval",
    Exploitation.CHILD_SOLDIERING: "ForcedMilitaryByNonStateActors",
    Exploitation.OTHER: "Other",
}

# vic_TraffickingStatus values. A screening is not a formal determination, so it never says
# "ActualVictimOfTrafficking": presumed and possible victims are both "possible" until the
# NRM decides; Corridor's own result travels alongside as `cor_ScreeningResult`.
POSSIBLE_VICTIM = "PossibleVictimOfTrafficking"

# vic_TraffickingStatusDecisionMakingOrg, from the screening agency's sector and kind.
DECISION_MAKING_ORG = {
    Agency.Sector.POLICE: "Police",
    Agency.Sector.IMMIGRATION: "Police",
    Agency.Sector.PROSECUTION: "CourtOrProsecution",
}


def decision_making_org(agency: Agency | None) -> str | None:
    if agency is None:
        return None
    if agency.sector in DECISION_MAKING_ORG:
        return DECISION_MAKING_ORG[agency.sector]
    if agency.kind == Agency.Kind.NGO or agency.sector == Agency.Sector.NGO:
        return "NGO"
    if agency.kind == Agency.Kind.GOVERNMENT:
        return "NonPoliceGovernmentalOrganization"
    return "Other"


def types_of_exploitation(forms: list[str]) -> list[str]:
    """HTCDS values for Corridor's forms of exploitation, each once, in the given order."""
    return list(dict.fromkeys(TYPE_OF_EXPLOITATION[f] for f in forms if f in TYPE_OF_EXPLOITATION))
