"""Two-factor authentication: privileged roles enrol an authenticator app and prove it."""

import re
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.audit.models import AuditEvent
from corridor.core.testing import TEST_PASSWORD

HOME = reverse("core:home")
MFA = reverse("accounts:mfa")


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=device.t0, step=device.step, drift=offset):06d}"


def test_a_coordinator_without_mfa_is_sent_from_home_to_enrolment(client, world):
    client.force_login(world.users.coordinator)

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url == f"{MFA}?{urlencode({'next': HOME})}"


def test_enrolment_shows_a_qr_code_drawn_here_and_the_secret(client, world):
    client.force_login(world.users.coordinator)

    response = client.get(MFA, {"next": HOME})

    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in response.text
    device = TOTPDevice.objects.get(user=world.users.coordinator, confirmed=False)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', response.text).group(1)
    assert secret and " style=" not in response.text and "<script>" not in response.text
    # A reload keeps the same key, so a code from an app that already scanned it still works.
    client.get(MFA)
    assert TOTPDevice.objects.filter(user=world.users.coordinator).get() == device


def test_a_coordinator_enrols_with_a_valid_code_and_reaches_home(client, world):
    coordinator = world.users.coordinator
    client.post(reverse("accounts:login"), {"username": "coordinator", "password": TEST_PASSWORD})
    client.get(f"{MFA}?next={HOME}")
    device = TOTPDevice.objects.get(user=coordinator)

    response = client.post(MFA, {"code": _code(device), "next": HOME})

    assert response.status_code == 302
    assert response.url == HOME
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200
    enrolment = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN, actor_id=coordinator.pk)
    assert enrolment.details == {"mfa": "enrolled"}


def test_a_wrong_code_is_refused_with_an_error_on_the_code_field(client, world):
    client.force_login(world.users.coordinator)
    client.get(MFA)
    device = TOTPDevice.objects.get(user=world.users.coordinator)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(MFA, {"code": wrong, "next": HOME})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "This code is not valid. Check that your phone's clock is right and enter the code "
        "your app shows now."
    ]
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, details__mfa="wrong code"
    ).exists()


def test_letters_instead_of_digits_name_the_code_field(client, world):
    client.force_login(world.users.coordinator)

    response = client.post(MFA, {"code": "abcdef"})

    assert "six digits" in response.context["form"].errors["code"][0]


def test_an_enrolled_investigator_is_asked_for_the_code_at_next_sign_in(client, world):
    investigator = world.users.investigator
    device = TOTPDevice.objects.create(user=investigator, name="phone", confirmed=True)
    client.post(reverse("accounts:login"), {"username": "investigator", "password": TEST_PASSWORD})

    page = client.get(f"{MFA}?next=/people/")
    assert page.status_code == 200
    assert not page.context["setup"]
    assert 'class="qr"' not in page.text  # no new secret to scan once enrolled

    response = client.post(MFA, {"code": _code(device), "next": "/people/"})

    assert response.status_code == 302
    assert response.url == "/people/"
    assert TOTPDevice.objects.filter(user=investigator).count() == 1


@pytest.mark.parametrize(
    "target", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"]
)
def test_mfa_never_redirects_to_another_site(client, world, target):
    device = TOTPDevice.objects.create(user=world.users.prosecutor, name="phone", confirmed=True)
    client.force_login(world.users.prosecutor)

    response = client.post(MFA, {"code": _code(device), "next": target})

    assert response.status_code == 302
    assert response.url == HOME


def test_a_code_cannot_be_used_twice(client, world):
    device = TOTPDevice.objects.create(user=world.users.prosecutor, name="phone", confirmed=True)
    code = _code(device)
    client.force_login(world.users.prosecutor)
    assert client.post(MFA, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    client.force_login(world.users.prosecutor)

    response = client.post(MFA, {"code": code})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_a_first_responder_is_not_asked_for_mfa(client, world):
    client.post(reverse("accounts:login"), {"username": "responder", "password": TEST_PASSWORD})

    assert client.get(HOME).status_code == 200


@override_settings(CORRIDOR_REQUIRE_MFA=False)
def test_the_demo_lets_a_coordinator_in_without_mfa(client, world):
    client.force_login(world.users.coordinator)

    assert client.get(HOME).status_code == 200


def test_guessing_codes_quickly_is_slowed_down(client, world):
    device = TOTPDevice.objects.create(user=world.users.prosecutor, name="phone", confirmed=True)
    client.force_login(world.users.prosecutor)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    client.post(MFA, {"code": wrong})

    response = client.post(MFA, {"code": _code(device)})

    assert response.status_code == 200
    assert "Too many wrong codes" in response.context["form"].errors["code"][0]
