"""Bad input is refused with the field named, and nothing is written: a verdict before the
trial, a sentence on an acquittal, an unknown currency, a negative value, a victims' share
above the confiscated value, compensation paid above the amount ordered."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from corridor.core.testing import (
    NOW,
    TODAY,
    CaseSuspectFactory,
    CriminalCaseFactory,
    CriminalOffenceFactory,
)
from corridor.investigations import services
from corridor.investigations.models import Asset, CompensationOrder, Stage, Verdict

pytestmark = pytest.mark.time_machine(NOW)


@pytest.fixture
def at_trial(world):
    kcase = CriminalCaseFactory(
        owner_agency=world.police,
        prosecutor_agency=world.prosecution,
        stage=Stage.TRIAL,
        investigation_on=TODAY - timedelta(days=300),
        prosecution_on=TODAY - timedelta(days=200),
        trial_on=TODAY - timedelta(days=30),
    )
    offence = CriminalOffenceFactory(criminal_case=kcase)
    defendant = CaseSuspectFactory(criminal_case=kcase, level="organiser")
    charge = services.bring_charge(
        defendant, actor=world.users.prosecutor, offence=offence, charged_on=TODAY - timedelta(200)
    )
    return kcase, charge


def refused(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def test_a_conviction_with_a_sentence_closes_the_charge(world, at_trial):
    kcase, charge = at_trial
    verdict = services.record_verdict(
        charge,
        actor=world.users.prosecutor,
        outcome=Verdict.Outcome.CONVICTED,
        decided_on=TODAY,
        prison_months=96,
        fine_amount=Decimal("50000"),
        fine_currency="eur",
        court="Tribunale di Palermo",
    )
    charge.refresh_from_db()
    assert charge.outcome == "convicted"
    assert (verdict.prison_months, verdict.fine_currency) == (96, "EUR")
    assert kcase.events.filter(kind="verdict").exists()


def test_a_verdict_dated_before_the_trial_began_is_refused(world, at_trial):
    _kcase, charge = at_trial
    errors = refused(
        lambda: services.record_verdict(
            charge,
            actor=world.users.prosecutor,
            outcome="convicted",
            decided_on=TODAY - timedelta(days=31),
        )
    )
    assert "decided_on" in errors and "before the trial began" in errors["decided_on"][0]
    assert not Verdict.objects.exists()


def test_a_verdict_before_any_trial_is_refused(world):
    kcase = CriminalCaseFactory(owner_agency=world.police)
    charge = services.bring_charge(
        CaseSuspectFactory(criminal_case=kcase),
        actor=world.users.investigator,
        offence=CriminalOffenceFactory(criminal_case=kcase),
    )
    errors = refused(
        lambda: services.record_verdict(
            charge, actor=world.users.investigator, outcome="convicted", decided_on=TODAY
        )
    )
    assert "decided_on" in errors


@pytest.mark.parametrize(
    ("sentence", "field"),
    [
        ({"prison_months": 24}, "prison_months"),
        ({"fine_amount": "1000", "fine_currency": "EUR"}, "fine_amount"),
        ({"prison_months": 12, "suspended": True}, "suspended"),
    ],
)
@pytest.mark.parametrize("outcome", ["acquitted", "dismissed"])
def test_a_sentence_on_a_charge_not_ending_in_conviction_is_refused(
    world, at_trial, sentence, field, outcome
):
    _kcase, charge = at_trial
    errors = refused(
        lambda: services.record_verdict(
            charge, actor=world.users.prosecutor, outcome=outcome, decided_on=TODAY, **sentence
        )
    )
    assert field in errors
    charge.refresh_from_db()
    assert charge.outcome == "pending" and not Verdict.objects.exists()


@pytest.mark.parametrize("currency", ["EUX", "", "€", "euro", "12"])
def test_an_unknown_currency_is_refused(world, at_trial, currency):
    kcase, charge = at_trial
    errors = refused(
        lambda: services.record_asset(
            kcase, actor=world.users.prosecutor, kind="cash", value="1000", currency=currency
        )
    )
    assert "currency" in errors
    errors = refused(
        lambda: services.record_verdict(
            charge,
            actor=world.users.prosecutor,
            outcome="convicted",
            decided_on=TODAY,
            fine_amount="10",
            fine_currency=currency or "??",
        )
    )
    assert "fine_currency" in errors
    assert not Asset.objects.exists() and not Verdict.objects.exists()


def test_every_bad_field_of_an_asset_is_named_at_once(world, at_trial):
    kcase, _charge = at_trial
    errors = refused(
        lambda: services.record_asset(
            kcase,
            actor=world.users.prosecutor,
            kind="yacht",
            value="-5",
            currency="ZZZ",
            seized_on=TODAY + timedelta(days=1),
        )
    )
    assert {"kind", "value", "currency", "seized_on"} <= errors.keys()


def test_the_victims_share_cannot_exceed_the_confiscated_value(world, at_trial):
    kcase, _charge = at_trial
    errors = refused(
        lambda: services.record_asset(
            kcase,
            actor=world.users.prosecutor,
            kind="real_estate",
            value="120000",
            currency="EUR",
            status="confiscated",
            seized_on=TODAY - timedelta(days=100),
            victims_share="120000.01",
            share_to="victims_fund",
        )
    )
    assert "victims_share" in errors
    asset = services.record_asset(
        kcase,
        actor=world.users.prosecutor,
        kind="real_estate",
        value="120000",
        currency="EUR",
        status="confiscated",
        seized_on=TODAY - timedelta(days=100),
        victims_share="60000",
        share_to="victims_fund",
    )
    assert asset.confiscated_on == TODAY and asset.victims_share == Decimal("60000")


def test_a_seized_asset_is_confiscated_later_with_a_share_for_the_victims(world, at_trial):
    kcase, _charge = at_trial
    asset = services.record_asset(
        kcase, actor=world.users.investigator, kind="mobile_money", value="2500000", currency="NGN"
    )
    errors = refused(
        lambda: services.change_asset_status(
            asset,
            actor=world.users.prosecutor,
            status="confiscated",
            victims_share="2500001",
            share_to="compensation",
            expected_version=asset.version,
        )
    )
    assert "victims_share" in errors
    asset.refresh_from_db()
    assert asset.status == "seized"
    services.change_asset_status(
        asset,
        actor=world.users.prosecutor,
        status="confiscated",
        victims_share="2000000",
        share_to="compensation",
        expected_version=asset.version,
    )
    asset.refresh_from_db()
    assert (asset.status, asset.victims_share, asset.version) == (
        "confiscated",
        Decimal("2000000"),
        2,
    )


def test_compensation_paid_cannot_exceed_the_amount_ordered(world, at_trial):
    kcase, _charge = at_trial
    order = services.order_compensation(
        kcase,
        actor=world.users.prosecutor,
        beneficiary="Witness A",
        amount_ordered="30000",
        currency="EUR",
        ordered_on=TODAY,
    )
    services.record_compensation_payment(
        order, actor=world.users.prosecutor, amount="20000", paid_on=TODAY, expected_version=1
    )
    errors = refused(
        lambda: services.record_compensation_payment(
            order,
            actor=world.users.prosecutor,
            amount="10000.01",
            paid_on=TODAY,
            expected_version=2,
        )
    )
    assert "amount" in errors
    order = CompensationOrder.objects.get()
    assert (order.amount_paid, order.outstanding) == (Decimal("20000"), Decimal("10000"))


def test_a_negative_compensation_is_refused(world, at_trial):
    kcase, _charge = at_trial
    errors = refused(
        lambda: services.order_compensation(
            kcase,
            actor=world.users.prosecutor,
            beneficiary="Witness A",
            amount_ordered="-1",
            currency="XOF",
            ordered_on=TODAY,
        )
    )
    assert "amount_ordered" in errors


def test_a_suspect_needs_a_role_a_level_and_a_name(world, at_trial):
    kcase, _charge = at_trial
    errors = refused(
        lambda: services.add_suspect(kcase, actor=world.users.investigator, role="boss", level="")
    )
    assert {"role", "level", "names"} <= errors.keys()
