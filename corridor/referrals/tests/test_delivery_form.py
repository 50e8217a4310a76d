"""Recording a service delivered: the date is today unless the provider says otherwise,
today being the instance's (its time zone), reckoned when the form is made; the date may not
be in the future nor before the referral was sent."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from corridor.referrals.forms import DeliveryForm
from corridor.referrals.models import ServiceDelivery
from corridor.referrals.tests.helpers import stored

UTC = ZoneInfo("UTC")
# Late on 31 March in London (UTC), already 1 April in Lagos (UTC+1).
LATE = datetime(2031, 3, 31, 23, 30, tzinfo=UTC)


def delivered_on(html: str) -> dict[str, str]:
    tag = re.search(r'<input[^>]*name="delivered_on"[^>]*>', html).group(0)
    return dict(re.findall(r'(value|max)="([^"]*)"', tag))


@pytest.mark.parametrize(("zone", "today"), [("UTC", "2031-03-31"), ("Africa/Lagos", "2031-04-01")])
def test_the_date_is_today_in_the_instances_time_zone(settings, zone, today):
    settings.TIME_ZONE = zone
    with time_machine.travel(LATE, tick=False):
        form = DeliveryForm()
        assert form["delivered_on"].value() == date.fromisoformat(today)
        with translation.override("fr"):  # a date input reads ISO dates, whatever the language
            assert delivered_on(str(form["delivered_on"])) == {"value": today, "max": today}


def test_today_is_reckoned_for_each_form_not_once_for_all():
    assert DeliveryForm.base_fields["delivered_on"].initial is None
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        later = DeliveryForm()
    assert DeliveryForm()["delivered_on"].value() == timezone.localdate()
    assert later["delivered_on"].value() == timezone.localdate() + timedelta(days=400)


def test_a_bound_form_keeps_the_date_given():
    form = DeliveryForm({"service_type": "shelter", "delivered_on": "2020-05-04"})
    assert form.is_valid() and form.cleaned_data["delivered_on"] == date(2020, 5, 4)


def test_the_provider_records_a_service_on_today_without_typing_the_date(client, world, referral):
    client.force_login(world.users.provider)
    url = f"/referrals/{referral.reference}/"
    client.post(f"{url}accept/", {"version": 1})
    page = client.get(url).content.decode()
    today = timezone.localdate().isoformat()
    assert delivered_on(page) == {"value": today, "max": today}
    # She sends the form as it came: the date is today's.
    response = client.post(
        f"{url}deliveries/", {"service_type": "shelter", "delivered_on": today}, follow=True
    )
    assert "Service recorded." in response.content.decode()
    assert ServiceDelivery.objects.get().delivered_on == timezone.localdate()
    assert stored(referral).status == "in_progress"


@pytest.mark.parametrize(
    ("days", "error"),
    [
        (1, "cannot be recorded before it is delivered"),  # tomorrow
        (-3, "before the referral was sent"),  # it was sent today
    ],
)
def test_the_date_is_still_checked(client, world, referral, days, error):
    client.force_login(world.users.provider)
    client.post(f"/referrals/{referral.reference}/accept/", {"version": 1})
    day = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = client.post(
        f"/referrals/{referral.reference}/deliveries/",
        {"service_type": "shelter", "delivered_on": day},
        follow=True,
    )
    assert error in response.content.decode()
    assert not ServiceDelivery.objects.exists()
