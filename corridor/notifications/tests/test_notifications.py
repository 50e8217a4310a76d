"""People who must act are told, in their own language, only once the change is committed."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils.translation import gettext as _

from corridor.notifications.models import Notification
from corridor.notifications.services import notify


def _message():
    return _("Referrals")


def test_a_notification_arrives_in_the_app_and_by_email(world, django_capture_on_commit_callbacks):
    provider = world.users.provider
    with django_capture_on_commit_callbacks(execute=True):
        notify([provider], lambda: "Referral R-1 received", url="/referrals/R-1/")
    note = Notification.objects.get(recipient=provider)
    assert note.message == "Referral R-1 received" and note.url == "/referrals/R-1/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [provider.email]
    assert "/referrals/R-1/" in mail.outbox[0].body


def test_each_reader_gets_their_own_language(world, django_capture_on_commit_callbacks):
    provider, coordinator = world.users.provider, world.users.coordinator
    provider.preferred_language = "fr"
    provider.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([provider, coordinator], _message, email=False)
    assert Notification.objects.get(recipient=provider).message == "Orientations"
    assert Notification.objects.get(recipient=coordinator).message == "Referrals"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_for_a_write_that_rolled_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([world.users.provider], lambda: "should not be sent")
        raise RuntimeError("the write failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_user_reads_only_their_own_notifications(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.CORRIDOR_REQUIRE_MFA = False
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.users.provider], lambda: "for the shelter", url="/referrals/")
    note = Notification.objects.get()
    client.force_login(world.users.responder)
    assert "for the shelter" not in client.get("/notifications/").content.decode()
    client.post(f"/notifications/{note.pk}/open/")
    note.refresh_from_db()
    assert note.read_at is None
    client.force_login(world.users.provider)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.url == "/referrals/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_what_a_notification_points_to_marks_it_read(
    client, world, settings, django_capture_on_commit_callbacks
):
    """The shelter opens the referral from her home page, not from the bell: the
    notification about it is read; one about something else is not."""
    settings.CORRIDOR_REQUIRE_MFA = False
    provider = world.users.provider
    referral_page = f"/referrals/{world.referral.reference}/"
    with django_capture_on_commit_callbacks(execute=True):
        notify([provider, world.users.coordinator], lambda: "received", url=referral_page)
        notify([provider], lambda: "something else", url="/referrals/directory/")
    client.force_login(provider)
    assert client.get(referral_page).status_code == 200
    mine = Notification.objects.filter(recipient=provider)
    assert mine.get(url=referral_page).read_at is not None
    assert mine.get(url="/referrals/directory/").read_at is None
    theirs = Notification.objects.get(recipient=world.users.coordinator)
    assert theirs.read_at is None  # the coordinator has not opened it
    assert '<span class="count">1</span>' in client.get("/").content.decode()
