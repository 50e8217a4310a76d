"""The criminal case in the browser (server-rendered): the list, the file with its sections,
opening a case from an incident, and bad input shown under its field."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.core.testing import (
    NOW,
    TODAY,
    CaseSuspectFactory,
    CriminalCaseFactory,
    CriminalOffenceFactory,
)
from corridor.incidents.models import Incident
from corridor.investigations import services
from corridor.investigations.models import CriminalCase, Stage

pytestmark = pytest.mark.time_machine(NOW)


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture
def incident(world):
    return Incident.objects.create(
        owner_agency=world.police,
        title="Lagos–Palermo route, 2025",
        forms_of_exploitation=["sexual"],
    )


def test_an_investigator_opens_a_criminal_case_from_an_incident(client, world, incident):
    client.force_login(world.users.investigator)
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert f"/investigations/open/{incident.reference}/" in page
    response = client.post(
        f"/investigations/open/{incident.reference}/",
        {
            "title": "Operation Harbour",
            "offence_kind": "trafficking",
            "form_of_exploitation": "sexual",
        },
    )
    kcase = CriminalCase.objects.get()
    assert response.status_code == 302 and response.url == f"/investigations/{kcase.reference}/"
    assert list(kcase.incidents.all()) == [incident]
    assert kcase.owner_agency == world.police and kcase.reference.startswith("K-")
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert kcase.reference in page


def test_the_protection_side_sees_no_criminal_case_on_the_incident(client, world, incident):
    client.force_login(world.users.coordinator)
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "Open a criminal case" not in page


def test_the_case_file_shows_every_section(client, world):
    kcase = CriminalCaseFactory(
        owner_agency=world.police,
        prosecutor_agency=world.prosecution,
        stage=Stage.TRIAL,
        investigation_on=TODAY - timedelta(days=300),
        trial_on=TODAY - timedelta(days=10),
    )
    offence = CriminalOffenceFactory(criminal_case=kcase)
    defendant = CaseSuspectFactory(criminal_case=kcase, role="coordinator", level="organiser")
    charge = services.bring_charge(defendant, actor=world.users.prosecutor, offence=offence)
    services.record_verdict(
        charge,
        actor=world.users.prosecutor,
        outcome="convicted",
        decided_on=TODAY,
        prison_months=60,
    )
    services.record_asset(
        kcase, actor=world.users.prosecutor, kind="cash", value="15000", currency="EUR"
    )
    client.force_login(world.users.prosecutor)
    page = client.get(f"/investigations/{kcase.reference}/").content.decode()
    for text in (
        "Trafficking in human beings (Sexual exploitation)",
        "Coordinator",
        "Organiser",
        "Defendant: 1 charge",
        "60 months in prison",
        "15000.00 EUR",
        f'<bdi dir="ltr">{kcase.reference}</bdi>',
        "Verdict recorded",
    ):
        assert text in page, text


def test_a_verdict_before_the_trial_shows_under_its_field(client, world):
    kcase = CriminalCaseFactory(
        owner_agency=world.police,
        stage=Stage.TRIAL,
        investigation_on=TODAY - timedelta(days=300),
        trial_on=TODAY - timedelta(days=10),
    )
    charge = services.bring_charge(
        CaseSuspectFactory(criminal_case=kcase),
        actor=world.users.investigator,
        offence=CriminalOffenceFactory(criminal_case=kcase),
    )
    client.force_login(world.users.investigator)
    response = client.post(
        f"/investigations/{kcase.reference}/charges/{charge.pk}/verdict/",
        {
            "instance": "first",
            "outcome": "convicted",
            "decided_on": (TODAY - timedelta(days=11)).isoformat(),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page and 'href="#id_decided_on"' in page
    assert not charge.verdicts.exists()


def test_the_list_is_newest_first_and_its_queries_do_not_grow(client, world):
    cases = [CriminalCaseFactory(owner_agency=world.police) for _ in range(3)]
    client.force_login(world.users.investigator)
    with CaptureQueriesContext(connection) as few:
        client.get("/investigations/")
    for _ in range(10):
        CriminalCaseFactory(owner_agency=world.police, prosecutor_agency=world.prosecution)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/investigations/").content.decode()
    assert len(many) == len(few)
    assert page.index(cases[2].reference) < page.index(cases[0].reference)
