"""Emergency access: an investigator outside the owning agency opens one record, with a
reason that lands in the audit trail, for a limited time."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from corridor.accounts.models import BreakGlassGrant, Role
from corridor.audit.models import AuditEvent
from corridor.core.testing import AgencyFactory, UserFactory
from corridor.people import services


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture
def carabinieri_investigator(world):
    return UserFactory(agency=AgencyFactory(name="Carabinieri ROS"), roles=[Role.INVESTIGATOR])


REASON = "Suspect arrested tonight; victim may be in immediate danger at the same address."


def test_emergency_access_opens_one_record_and_is_audited(client, world, carabinieri_investigator):
    client.force_login(carabinieri_investigator)
    url = f"/people/{world.person.reference}/"
    assert client.get(url).status_code == 404

    response = client.post(
        "/people/emergency-access/", {"reference": world.person.reference, "reason": REASON}
    )
    assert response.status_code == 302
    assert client.get(url).status_code == 200

    grant_event = AuditEvent.objects.get(action=AuditEvent.Action.BREAK_GLASS)
    assert grant_event.reason == REASON
    view = AuditEvent.objects.filter(action="view", object_ref=world.person.reference).last()
    assert view.actor_username == carabinieri_investigator.username
    assert view.reason == REASON
    assert view.details["break_glass"] is True


def test_emergency_access_expires(client, world, carabinieri_investigator):
    services.break_glass(
        actor=carabinieri_investigator, reference=world.person.reference, reason=REASON
    )
    BreakGlassGrant.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(carabinieri_investigator)
    assert client.get(f"/people/{world.person.reference}/").status_code == 404


def test_emergency_access_needs_a_real_reason_and_the_right_role(world, carabinieri_investigator):
    with pytest.raises(ValidationError) as excinfo:
        services.break_glass(
            actor=carabinieri_investigator, reference=world.person.reference, reason="urgent"
        )
    assert "reason" in excinfo.value.message_dict
    for name in ("analyst", "provider", "prosecutor", "responder", "admin"):
        with pytest.raises(PermissionDenied):
            services.break_glass(
                actor=getattr(world.users, name), reference=world.person.reference, reason=REASON
            )
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.BREAK_GLASS).exists()


def test_unknown_reference_is_a_field_error(carabinieri_investigator):
    with pytest.raises(ValidationError) as excinfo:
        services.break_glass(actor=carabinieri_investigator, reference="P-NOPE0000", reason=REASON)
    assert "reference" in excinfo.value.message_dict
