"""Bad input on the register form: every error at once, impossible dates refused, and a
summary at the top that links to each field (on a phone the fields are below the fold)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from corridor.people.models import Person


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def test_every_error_is_shown_at_once_with_a_summary_that_links_to_the_fields(client, world):
    client.force_login(world.users.responder)
    before = Person.objects.count()
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        "/people/new/",
        {
            "given_name": "Blessing",
            "date_of_birth": tomorrow.isoformat(),
            "age_estimate_min": "30",
            "age_estimate_max": "20",
            "email": "not an address",
            "sex": "unknown",
        },
    )
    assert response.status_code == 200 and Person.objects.count() == before
    errors = response.context["form"].errors
    assert {"date_of_birth", "age_estimate_max", "email"} <= set(errors)
    page = response.content.decode()
    summary = page[page.index('data-testid="error-summary"') :].split("</div>")[0]
    assert "A date of birth cannot be in the future." in summary
    assert 'href="#id_date_of_birth"' in summary and 'href="#id_age_estimate_max"' in summary
    assert page.index('data-testid="error-summary"') < page.index('id="id_given_name"')


def test_the_date_picker_offers_no_birth_after_today(client, world):
    client.force_login(world.users.responder)
    page = client.get("/people/new/").content.decode()
    assert f'max="{timezone.localdate().isoformat()}"' in page


@pytest.mark.parametrize("years_ago", [121, 300])
def test_a_birth_more_than_120_years_ago_is_refused(world, years_ago):
    from django.core.exceptions import ValidationError

    from corridor.people.services import register_person

    born = timezone.localdate().replace(year=timezone.localdate().year - years_ago, day=1)
    with pytest.raises(ValidationError) as refused:
        register_person(actor=world.users.responder, given_name="Old", date_of_birth=born)
    assert "date_of_birth" in refused.value.message_dict
