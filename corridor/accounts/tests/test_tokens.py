"""API tokens: issued once, stored only as a hash, usable until revoked."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from corridor.accounts.models import ApiToken
from corridor.accounts.services import authenticate_api_token, issue_api_token, revoke_api_token
from corridor.audit.models import AuditEvent

SECURITY = reverse("accounts:security")


def test_an_issued_token_authenticates_its_owner_and_only_its_hash_is_stored(world):
    responder = world.users.responder

    token, raw = issue_api_token(actor=responder, name="Hotline bridge")

    assert raw.startswith(f"cor_{token.key_id}_")
    assert raw.split("_", 2)[2] not in token.key_hash
    assert authenticate_api_token(raw) == responder
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="apitoken")
    assert event.object_ref == token.key_id
    assert raw not in event.canonical().decode()


def test_a_revoked_token_authenticates_nobody(world):
    token, raw = issue_api_token(actor=world.users.responder, name="Old laptop")

    revoke_api_token(token, actor=world.users.responder)

    assert authenticate_api_token(raw) is None
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGE, object_ref=token.key_id, details__revoked=True
    ).exists()


def test_a_deactivated_users_token_authenticates_nobody(world):
    _token, raw = issue_api_token(actor=world.users.responder, name="Bridge")
    world.users.responder.is_active = False
    world.users.responder.save()

    assert authenticate_api_token(raw) is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret
        lambda raw: raw.replace("cor_", "xyz_"),  # wrong prefix
        lambda raw: "cor_000000000000_" + raw.split("_", 2)[2],  # unknown key id
        lambda raw: raw[:24],  # cut short
        lambda raw: "",
        lambda raw: "cor_" + "a" * 500,
    ],
)
def test_a_mangled_token_authenticates_nobody(world, mangle):
    _token, raw = issue_api_token(actor=world.users.responder, name="Bridge")

    assert authenticate_api_token(mangle(raw)) is None


def test_last_used_is_written_at_most_once_a_minute(world, django_assert_num_queries):
    token, raw = issue_api_token(actor=world.users.responder, name="Bridge")

    authenticate_api_token(raw)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    with django_assert_num_queries(1):  # the lookup only, no write
        authenticate_api_token(raw)

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    authenticate_api_token(raw)
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(minutes=1)
    assert token.last_used_at <= timezone.now()


def test_a_token_needs_a_name(world):
    with pytest.raises(ValidationError) as error:
        issue_api_token(actor=world.users.responder, name="   ")

    assert "name" in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_nobody_revokes_someone_elses_token(world):
    token, raw = issue_api_token(actor=world.users.responder, name="Bridge")

    with pytest.raises(PermissionDenied):
        revoke_api_token(token, actor=world.users.colleague)

    assert authenticate_api_token(raw) == world.users.responder


def test_a_responder_creates_a_token_on_my_account_and_sees_it_once(client, world):
    client.force_login(world.users.responder)

    response = client.post(reverse("accounts:token_create"), {"name": "Case tool"})

    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.users.responder)
    raw = response.context["new_token"]["raw"]
    assert raw in response.text
    assert authenticate_api_token(raw) == world.users.responder
    assert "no-store" in response["Cache-Control"]
    page = client.get(SECURITY)
    assert token.key_id in page.text
    assert raw not in page.text


def test_a_token_without_a_name_shows_the_error_on_the_name_field(client, world):
    client.force_login(world.users.responder)

    response = client.post(reverse("accounts:token_create"), {"name": ""})

    assert response.status_code == 400
    assert "name" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_a_responder_revokes_their_token_on_my_account(client, world):
    token, raw = issue_api_token(actor=world.users.responder, name="Bridge")
    client.force_login(world.users.responder)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert authenticate_api_token(raw) is None
    assert "revoked" in client.get(SECURITY).text


def test_someone_elses_token_cannot_be_revoked_from_my_account(client, world):
    token, raw = issue_api_token(actor=world.users.responder, name="Bridge")
    client.force_login(world.users.colleague)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert authenticate_api_token(raw) == world.users.responder


def test_my_account_shows_name_agency_roles_and_mfa_status(client, world):
    client.force_login(world.users.responder)

    response = client.get(SECURITY)

    assert response.status_code == 200
    assert world.users.responder.first_name in response.text
    assert world.police.name in response.text
    assert "First responder" in response.text
    assert "Not required for your role" in response.text
    assert reverse("accounts:password_change") in response.text


def test_a_responder_changes_their_password_and_it_is_audited(client, world):
    client.force_login(world.users.responder)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "a much longer passphrase 2025",
            "new_password2": "a much longer passphrase 2025",
        },
    )

    assert response.status_code == 302
    assert response.url == SECURITY
    world.users.responder.refresh_from_db()
    assert world.users.responder.check_password("a much longer passphrase 2025")
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_type="user")
    assert event.details == {"fields": ["password"]}
    assert client.get(SECURITY).status_code == 200  # still signed in
