"""`corridor seed` fills criminal cases consistent with the incidents it wrote, so that the
demo shows investigations: suspects of the incident with roles and levels, charges, verdicts
with sentences, assets in EUR/XOF/NGN and compensation, all within the rules the services
enforce."""

from datetime import date

import pycountry
import pytest
from django.core.management import call_command

from corridor.audit.models import AuditEvent
from corridor.incidents.models import IncidentSuspect
from corridor.investigations.models import (
    Asset,
    CaseSuspect,
    Charge,
    CompensationOrder,
    CriminalCase,
    Stage,
    Verdict,
)

AS_OF = "2026-03-01T12:00:00+00:00"


@pytest.mark.django_db
def test_the_seed_investigates_some_incidents_within_the_rules():
    call_command("seed", victims=600, as_of=AS_OF, verbosity=0)
    cases = list(CriminalCase.objects.prefetch_related("incident_links"))
    assert cases and all(c.reference.startswith("K-") for c in cases)
    assert {c.stage for c in cases} == set(Stage.values)
    for kcase in cases:
        dates = [on for _label, on in kcase.stage_dates]
        assert dates == sorted(dates) and dates[-1] <= date(2026, 3, 1)
        assert (kcase.prosecutor_agency_id is not None) == (kcase.prosecution_on is not None)
        (link,) = kcase.incident_links.all()
        incident_suspects = set(
            IncidentSuspect.objects.filter(incident_id=link.incident_id).values_list(
                "suspect_id", flat=True
            )
        )
        own = set(kcase.suspects.values_list("suspect_id", flat=True))
        assert 1 <= len(own) <= 4 and own <= incident_suspects
    assert CaseSuspect.objects.filter(level="organiser").exists()
    for verdict in Verdict.objects.select_related("charge__defendant__criminal_case"):
        kcase = verdict.charge.defendant.criminal_case
        assert verdict.decided_on >= kcase.trial_on
        assert verdict.charge.outcome == verdict.outcome
        if verdict.outcome != "convicted":
            assert not verdict.prison_months and verdict.fine_amount is None
    assert Verdict.objects.filter(outcome="convicted", prison_months__gt=0).exists()
    assert Charge.objects.exists()
    assets = list(Asset.objects.all())
    assert assets and {a.currency for a in assets} <= {"EUR", "XOF", "NGN"}
    for asset in assets:
        assert pycountry.currencies.get(alpha_3=asset.currency) and asset.value >= 0
        if asset.victims_share is not None:
            assert asset.status == "confiscated" and asset.victims_share <= asset.value
    for order in CompensationOrder.objects.all():
        assert 0 <= order.amount_paid <= order.amount_ordered
    details = AuditEvent.objects.get(object_type="seed").details
    assert details["rows"]["criminal_cases"] == len(cases)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_seed_calls_some_victims_as_witnesses_through_a_basis_that_stands():
    from corridor.accounts import access
    from corridor.investigations.models import Witness

    call_command("seed", victims=600, as_of=AS_OF, verbosity=0)
    witnesses = list(Witness.objects.select_related("consent", "legal_basis", "criminal_case"))
    assert witnesses and {bool(w.consent_id) for w in witnesses} == {True, False}
    for witness in witnesses:
        if witness.consent_id:
            consent = witness.consent
            assert "criminal_proceedings" in consent.purposes and consent.is_active
            assert witness.criminal_case.owner_agency in consent.recipient_agencies.all()
        else:
            assert witness.legal_basis.person_id == witness.person_id
        assert witness.measures.exists()
    assert access.witness_windows  # computed at read time: nothing cached in the seed
