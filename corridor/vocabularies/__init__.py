"""The code lists every app shares: one definition each, beneath the apps that use them.

Coded as the data standards do (HTCDS / CTDC for sex and forms of exploitation, ISO 3166 for
countries), so records, statistics and exchanges with partners compare like with like.
This package imports no Corridor app.
"""

from __future__ import annotations

import pycountry
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Exploitation(models.TextChoices):
    """Forms of exploitation, coded as HTCDS / CTDC do."""

    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminal activity")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    CHILD_SOLDIERING = "child_soldiering", _("Recruitment of children by armed groups")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not yet known")


class ServiceType(models.TextChoices):
    """The services a victim may be referred to — and, alike, the needs they meet."""

    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    DOCUMENTATION = "documentation", _("Documentation")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    EDUCATION_LIVELIHOOD = "education_livelihood", _("Education and livelihood")
    RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    INVESTIGATION = "investigation", _("Criminal investigation")


def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])
