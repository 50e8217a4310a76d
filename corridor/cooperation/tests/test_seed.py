"""`corridor seed` gives the demo prosecutor's office its requests abroad: some answered,
some open and a few overdue, so the list, the deadlines and the country times show."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import connection

from corridor.audit.models import AuditEvent
from corridor.cooperation.models import CooperationRequest
from corridor.cooperation.services import durations_by_country_pair
from corridor.core.testing import UserFactory

AS_OF = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_the_seed_fills_requests_consistent_with_their_dates():
    call_command("seed", victims=200, as_of=AS_OF.isoformat(), verbosity=0)
    requests = list(CooperationRequest.objects.select_related("owner_agency"))
    assert len(requests) >= 8
    assert {r.owner_agency.sector for r in requests} == {"prosecution"}
    statuses = {r.status for r in requests}
    assert {"answered", "sent"} <= statuses | {"in_execution"} and "answered" in statuses
    today = AS_OF.date()
    for r in requests:
        assert r.requesting_country != r.requested_country
        if r.sent_on:
            assert r.sent_on <= today and r.due_on >= r.sent_on
        if r.answered_on:
            assert r.sent_on <= r.answered_on <= today and r.outcome
        assert [e.to_status for e in r.events.all()][0] == "draft"
    assert AuditEvent.objects.get(object_type="seed").details["rows"]["cooperation_requests"] == (
        len(requests)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject FROM cooperation_cooperationrequest")
        assert not any("records" in subject for (subject,) in cursor.fetchall())  # encrypted
    analyst = UserFactory(roles=["analyst"])
    assert any(pair.answered for pair in durations_by_country_pair(analyst))
