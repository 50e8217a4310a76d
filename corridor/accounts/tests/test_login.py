"""Signing in and out: every attempt is audited, and guessing passwords gets a username locked."""

import axes.utils
import pytest
from django.urls import reverse

from corridor.audit.models import AuditEvent
from corridor.core.testing import TEST_PASSWORD

LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _fresh_lockouts(db):
    axes.utils.reset()
    yield
    axes.utils.reset()


def _events(action):
    return AuditEvent.objects.filter(action=action)


def test_the_sign_in_page_shows_a_form(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text


def test_a_responder_signs_in_and_the_sign_in_is_audited(client, world):
    response = client.post(LOGIN, {"username": "responder", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    event = _events(AuditEvent.Action.LOGIN).get()
    assert event.actor_username == "responder"
    assert event.ip_address == "127.0.0.1"


def test_a_wrong_password_is_refused_and_audited_without_the_password(client, world):
    response = client.post(LOGIN, {"username": "responder", "password": "not-the-password-123"})

    assert response.status_code == 200
    assert "The username or password is not right" in response.text
    assert "_auth_user_id" not in client.session
    event = _events(AuditEvent.Action.LOGIN_FAILED).get()
    assert event.details["username"] == "responder"
    assert event.actor_id is None
    assert "not-the-password-123" not in AuditEvent.objects.get(pk=event.pk).canonical().decode()
    assert not _events(AuditEvent.Action.LOGIN).exists()


def test_signing_out_is_audited(client, world):
    client.force_login(world.users.responder)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == LOGIN
    assert _events(AuditEvent.Action.LOGOUT).get().actor_username == "responder"
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_lock_the_username_even_against_the_right_one(client, world):
    for _ in range(5):
        response = client.post(LOGIN, {"username": "responder", "password": "guess-guess-1"})

    assert response.status_code == 429
    assert "Sign-in locked" in response.text
    assert "15 minutes" in response.text

    response = client.post(LOGIN, {"username": "responder", "password": TEST_PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not _events(AuditEvent.Action.LOGIN).exists()
    assert _events(AuditEvent.Action.LOGIN_FAILED).filter(details__locked_out=True).exists()


def test_a_lockout_of_one_username_leaves_colleagues_free(client, world):
    for _ in range(5):
        client.post(LOGIN, {"username": "responder", "password": "guess-guess-1"})

    response = client.post(LOGIN, {"username": "colleague", "password": TEST_PASSWORD})

    assert response.status_code == 302


def test_a_signed_in_user_visiting_the_sign_in_page_goes_home(client, world):
    client.force_login(world.users.responder)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response.url == reverse("core:home")
