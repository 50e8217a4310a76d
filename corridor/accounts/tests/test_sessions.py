"""A browser left open ends its session: after half an hour without a request, and after the
working day however busy. A colleague picking up the phone finds the sign-in page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from corridor.audit.models import AuditEvent
from corridor.core.testing import NOW, TEST_PASSWORD

HOME = reverse("core:home")
LOGIN = reverse("accounts:login")


@pytest.fixture
def signed_in(client, world, settings, time_machine):
    settings.CORRIDOR_REQUIRE_MFA = False
    settings.CORRIDOR_IDLE_SECONDS = 30 * 60
    settings.SESSION_COOKIE_AGE = 8 * 3600
    time_machine.move_to(NOW, tick=False)
    response = client.post(LOGIN, {"username": "responder", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
    return client


def test_a_session_left_idle_for_more_than_half_an_hour_is_signed_out(signed_in, time_machine):
    time_machine.shift(timedelta(minutes=31))

    response = signed_in.get(reverse("people:list"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert "next=" in response.url
    page = signed_in.get(response.url)
    assert "signed out after a period without activity" in page.text
    assert signed_in.get(HOME).status_code == 302
    logout = AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT).get()
    assert logout.actor_username == "responder"


def test_working_steadily_keeps_the_session_open(signed_in, time_machine):
    for _ in range(6):
        time_machine.shift(timedelta(minutes=25))
        assert signed_in.get(HOME).status_code == 200


def test_the_working_day_ends_the_session_however_busy(signed_in, time_machine):
    answered = 0
    for _ in range(24):
        time_machine.shift(timedelta(minutes=25))
        response = signed_in.get(HOME)
        if response.status_code != 200:
            break
        answered += 1
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert answered == 19  # 19 × 25 min is still inside eight hours; the 20th request is not


def test_an_idle_htmx_request_is_sent_to_the_sign_in_page(signed_in, time_machine):
    time_machine.shift(timedelta(hours=1))

    response = signed_in.get(HOME, headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == LOGIN


def test_a_short_idle_limit_can_be_configured(signed_in, time_machine, settings):
    settings.CORRIDOR_IDLE_SECONDS = 5 * 60
    time_machine.shift(timedelta(minutes=6))

    assert signed_in.get(HOME).status_code == 302
