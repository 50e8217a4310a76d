"""Agency and user administration: administrators only, audited, optimistic locking."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts import services
from corridor.accounts.models import Agency, Role, RoleRequest, User
from corridor.audit.models import AuditEvent
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import AgencyFactory, UserFactory
from corridor.notifications.models import Notification

NEW_PASSWORD = "Ndiaye-Dakar-route-2025"


def sign_in_verified(client, user):
    """Sign in as someone who already proved their second factor in this session."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def admin_client(client, world):
    sign_in_verified(client, world.users.admin)
    return client


def second_admin(world):
    return UserFactory(username="admin2", agency=world.nrm, roles=[Role.ADMINISTRATOR])


def _agency_data(agency=None, **overrides):
    data = {
        "name": "Caritas Lampedusa",
        "short_name": "CL",
        "country": "IT",
        "sector": "shelter",
        "kind": "ngo",
        "city": "Lampedusa",
        "is_active": "on",
    }
    if agency is not None:
        data.update(
            name=agency.name,
            short_name=agency.short_name,
            country=agency.country,
            sector=agency.sector,
            kind=agency.kind,
            city=agency.city,
            version=agency.version,
        )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _user_data(account=None, **overrides):
    data = {
        "username": "awa",
        "first_name": "Awa",
        "last_name": "Ndiaye",
        "email": "awa@example.org",
        "agency": "",
        "roles": [Role.FIRST_RESPONDER],
        "is_active": "on",
    }
    if account is not None:
        data.update(
            username=account.username,
            first_name=account.first_name,
            last_name=account.last_name,
            email=account.email,
            agency=account.agency_id,
            roles=sorted(account.roles),
            version=account.version,
        )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- who may use the pages -------------------------------------------------------------------


ADMIN_PAGES = [
    "accounts:agency_list",
    "accounts:agency_create",
    "accounts:user_list",
    "accounts:user_create",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("who", ["responder", "provider", "analyst"])
def test_a_non_administrator_gets_403_on_administration_pages(client, world, page, who):
    client.force_login(getattr(world.users, who))

    assert client.get(reverse(page)).status_code == 403


def test_a_coordinator_gets_403_on_editing_an_agency_or_account(client, world):
    sign_in_verified(client, world.users.coordinator)

    assert client.get(reverse("accounts:agency_edit", args=[world.police.pk])).status_code == 403
    assert (
        client.post(
            reverse("accounts:agency_edit", args=[world.police.pk]),
            _agency_data(world.police, name="Hijacked"),
        ).status_code
        == 403
    )
    assert client.get(reverse("accounts:user_edit", args=[world.users.admin.pk])).status_code == 403
    world.police.refresh_from_db()
    assert world.police.name != "Hijacked"


def test_an_administrator_without_a_second_factor_is_sent_to_enrol(client, world):
    client.force_login(world.users.admin)

    response = client.get(reverse("accounts:user_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa"))


def test_an_unknown_agency_or_account_is_404(admin_client):
    assert admin_client.get(reverse("accounts:agency_edit", args=[999999])).status_code == 404
    assert admin_client.get(reverse("accounts:user_edit", args=[999999])).status_code == 404


def test_the_services_refuse_a_non_administrator(world):
    with pytest.raises(PermissionDenied):
        services.create_agency(
            actor=world.users.coordinator, name="X", country="IT", sector="police"
        )
    with pytest.raises(PermissionDenied):
        services.update_user_account(
            world.users.responder,
            actor=world.users.responder,
            expected_version=1,
            roles=[Role.ADMINISTRATOR],
        )
    assert not world.users.responder.groups.filter(name=Role.ADMINISTRATOR).exists()


# --- agencies --------------------------------------------------------------------------------


def test_the_agency_list_shows_every_agency_in_few_queries(
    admin_client, world, django_assert_max_num_queries
):
    AgencyFactory.create_batch(20)

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("accounts:agency_list"))

    assert response.status_code == 200
    assert world.foreign.name in response.text


def test_an_administrator_creates_an_agency(admin_client, world):
    response = admin_client.post(reverse("accounts:agency_create"), _agency_data())

    assert response.status_code == 302
    agency = Agency.objects.get(name="Caritas Lampedusa")
    assert (agency.country, agency.sector, agency.kind, agency.city) == (
        "IT",
        "shelter",
        "ngo",
        "Lampedusa",
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="agency")
    assert event.actor_username == "admin"
    assert event.object_ref == str(agency.pk)


@pytest.mark.parametrize(
    ("field", "value"), [("name", ""), ("country", "XX"), ("sector", "bakery")]
)
def test_bad_agency_input_names_the_field_and_writes_nothing(admin_client, field, value):
    before = Agency.objects.count()

    response = admin_client.post(reverse("accounts:agency_create"), _agency_data(**{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Agency.objects.count() == before
    assert not AuditEvent.objects.filter(object_type="agency").exists()


def test_a_second_agency_with_the_same_name_is_refused(admin_client, world):
    response = admin_client.post(
        reverse("accounts:agency_create"), _agency_data(name=world.shelter.name)
    )

    assert "name" in response.context["form"].errors
    assert Agency.objects.filter(name=world.shelter.name).count() == 1


def test_an_administrator_edits_an_agency_and_the_change_is_audited(admin_client, world):
    url = reverse("accounts:agency_edit", args=[world.shelter.pk])
    page = admin_client.get(url)
    assert f'name="version" value="{world.shelter.version}"' in page.text

    response = admin_client.post(
        url, _agency_data(world.shelter, city="Palermo centro", is_active=None)
    )

    assert response.status_code == 302
    world.shelter.refresh_from_db()
    assert world.shelter.city == "Palermo centro"
    assert not world.shelter.is_active
    assert world.shelter.version == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_type="agency")
    assert event.details["fields"] == ["city", "is_active"]


def test_a_stale_agency_edit_is_refused_and_writes_nothing(admin_client, world):
    url = reverse("accounts:agency_edit", args=[world.shelter.pk])
    stale = _agency_data(world.shelter, city="Stale city")
    admin_client.post(url, _agency_data(world.shelter, city="First city"))  # someone else

    response = admin_client.post(url, stale)

    assert response.status_code == 200
    assert "changed by someone else" in str(response.context["form"].non_field_errors())
    world.shelter.refresh_from_db()
    assert world.shelter.city == "First city"
    assert world.shelter.version == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).count() == 1


def test_an_agency_edit_to_an_unknown_country_names_the_field(admin_client, world):
    url = reverse("accounts:agency_edit", args=[world.shelter.pk])

    response = admin_client.post(url, _agency_data(world.shelter, country="ZZ"))

    assert "country" in response.context["form"].errors
    world.shelter.refresh_from_db()
    assert (world.shelter.country, world.shelter.version) == ("IT", 1)


# --- user accounts ---------------------------------------------------------------------------


def test_the_user_list_shows_roles_in_few_queries(
    admin_client, world, django_assert_max_num_queries
):
    UserFactory.create_batch(20, agency=world.police, roles=[Role.FIRST_RESPONDER])

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("accounts:user_list"))

    assert response.status_code == 200
    assert "foreign_coordinator" in response.text
    assert "NRM coordinator" in response.text


def test_an_administrator_creates_an_account_with_roles_and_a_password(admin_client, world):
    data = _user_data(
        agency=world.shelter.pk,
        roles=[Role.SERVICE_PROVIDER, Role.ANALYST],
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
    )

    response = admin_client.post(reverse("accounts:user_create"), data)

    assert response.status_code == 302
    awa = User.objects.get(username="awa")
    assert awa.agency == world.shelter
    # The analyst's aggregate role at once; the provider's, which opens records, waits for
    # a second administrator.
    assert awa.roles == {Role.ANALYST}
    assert RoleRequest.objects.get(user=awa).role == Role.SERVICE_PROVIDER
    assert awa.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="user")
    assert event.details["roles"] == [Role.ANALYST]
    assert event.details["roles_requested"] == [Role.SERVICE_PROVIDER]
    assert NEW_PASSWORD not in event.canonical().decode()


def test_a_weak_initial_password_is_refused_by_the_password_validators(admin_client, world):
    data = _user_data(agency=world.shelter.pk, password="password", password_again="password")

    response = admin_client.post(reverse("accounts:user_create"), data)

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="awa").exists()


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("username", "", "username"),
        ("username", "RESPONDER", "username"),  # clashes with "responder"
        ("email", "not-an-address", "email"),
        ("agency", "", "agency"),
        ("roles", ["superhero"], "roles"),
    ],
)
def test_bad_account_input_names_the_field_and_writes_nothing(
    admin_client, world, field, value, error_field
):
    data = _user_data(agency=world.shelter.pk, password=NEW_PASSWORD, password_again=NEW_PASSWORD)
    data[field] = value
    users_before = User.objects.count()

    response = admin_client.post(reverse("accounts:user_create"), data)

    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.filter(object_type="user", action="create").exists()


def test_an_account_cannot_join_a_deactivated_agency(admin_client, world):
    closed = AgencyFactory(name="Closed shelter", is_active=False)
    data = _user_data(agency=closed.pk, password=NEW_PASSWORD, password_again=NEW_PASSWORD)

    response = admin_client.post(reverse("accounts:user_create"), data)

    assert "deactivated" in response.context["form"].errors["agency"][0]


def test_an_administrator_changes_roles_and_the_change_is_audited(admin_client, world):
    provider = world.users.provider
    url = reverse("accounts:user_edit", args=[provider.pk])
    page = admin_client.get(url)
    assert re.search(r'value="service_provider"[^>]*checked', page.text)

    response = admin_client.post(
        url, _user_data(provider, roles=[Role.COORDINATOR], last_name="Rossi")
    )

    assert response.status_code == 302
    provider = User.objects.get(pk=provider.pk)
    assert provider.roles == set()  # the old role goes at once, the new one waits
    assert provider.last_name == "Rossi"
    assert provider.version == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_type="user")
    assert event.details["fields"] == ["last_name", "roles"]
    assert event.details["roles_added"] == []
    assert event.details["roles_removed"] == [Role.SERVICE_PROVIDER]
    assert event.details["roles_requested"] == [Role.COORDINATOR]


def test_a_stale_account_edit_is_refused_and_writes_nothing(admin_client, world):
    provider = world.users.provider
    url = reverse("accounts:user_edit", args=[provider.pk])
    stale = _user_data(provider, roles=[Role.ADMINISTRATOR])
    admin_client.post(url, _user_data(provider, first_name="Giulia"))  # someone else first

    response = admin_client.post(url, stale)

    assert response.status_code == 200
    assert "changed by someone else" in str(response.context["form"].non_field_errors())
    provider = User.objects.get(pk=provider.pk)
    assert provider.roles == {Role.SERVICE_PROVIDER}
    assert provider.first_name == "Giulia"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).count() == 1


def test_a_roles_only_change_also_moves_the_version(world):
    provider = world.users.provider

    services.update_user_account(
        provider,
        actor=world.users.admin,
        expected_version=1,
        roles=[Role.SERVICE_PROVIDER, Role.ANALYST],
    )

    with pytest.raises(ConcurrentEdit):
        services.update_user_account(
            User.objects.get(pk=provider.pk), actor=world.users.admin, expected_version=1, roles=[]
        )
    assert User.objects.get(pk=provider.pk).roles == {Role.SERVICE_PROVIDER, Role.ANALYST}


def test_an_administrator_cannot_remove_their_own_administrator_role(admin_client, world):
    admin = world.users.admin
    url = reverse("accounts:user_edit", args=[admin.pk])

    response = admin_client.post(url, _user_data(admin, roles=[Role.COORDINATOR]))

    assert response.status_code == 200
    assert "your own administrator role" in response.context["form"].errors["roles"][0]
    assert User.objects.get(pk=admin.pk).roles == {Role.ADMINISTRATOR}


def test_an_administrator_cannot_deactivate_themselves(admin_client, world):
    admin = world.users.admin
    url = reverse("accounts:user_edit", args=[admin.pk])

    response = admin_client.post(url, _user_data(admin, is_active=None))

    assert "deactivate your own account" in response.context["form"].errors["is_active"][0]
    assert User.objects.get(pk=admin.pk).is_active


def test_a_deactivated_account_can_no_longer_sign_in(admin_client, client, world):
    responder = world.users.responder
    admin_client.post(
        reverse("accounts:user_edit", args=[responder.pk]), _user_data(responder, is_active=None)
    )
    admin_client.post(reverse("accounts:logout"))

    response = client.post(
        reverse("accounts:login"),
        {"username": "responder", "password": "correct horse battery staple"},
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_type="user")
    assert event.details["is_active"] is False


def test_an_administrator_resets_a_lost_authenticator(admin_client, world):
    TOTPDevice.objects.create(user=world.users.coordinator, name="phone", confirmed=True)

    response = admin_client.post(
        reverse("accounts:user_mfa_reset", args=[world.users.coordinator.pk])
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.users.coordinator).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ADMIN,
        details__mfa="reset",
        object_ref=str(world.users.coordinator.pk),
    ).exists()


def test_roles_are_django_groups_named_after_the_role(world):
    account = services.create_user_account(
        actor=world.users.admin,
        username="moussa",
        password=NEW_PASSWORD,
        agency=world.police,
        roles=[Role.INVESTIGATOR],
    )
    services.decide_role_request(
        RoleRequest.objects.get(user=account), actor=second_admin(world), approve=True
    )

    assert list(account.groups.values_list("name", flat=True)) == ["investigator"]
    assert Group.objects.filter(name="investigator").count() == 1
    assert account.needs_mfa


def test_the_services_refuse_an_unknown_field(world):
    with pytest.raises(ValidationError) as error:
        services.create_agency(
            actor=world.users.admin, name="X", country="IT", sector="police", budget=10
        )
    assert "budget" in error.value.message_dict


# --- four eyes: a role that opens records needs a second administrator -------------------


def test_a_second_administrator_grants_the_role_another_asked_for(
    client, world, django_capture_on_commit_callbacks
):
    awa = UserFactory(username="awa", agency=world.police, roles=[])
    other = second_admin(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_user_account(
            awa,
            actor=world.users.admin,
            expected_version=awa.version,
            roles=[Role.FIRST_RESPONDER],
        )
    assert User.objects.get(pk=awa.pk).roles == set()
    note = Notification.objects.get(recipient=other)
    assert "awa" in note.message and "second administrator" in note.message

    sign_in_verified(client, other)
    listing = client.get(reverse("accounts:user_list"))
    assert 'data-testid="approve-role"' in listing.text
    pending = RoleRequest.objects.get(user=awa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:role_request_decide", args=[pending.pk]), {"decision": "approve"}
        )
    assert response.status_code == 302
    assert User.objects.get(pk=awa.pk).roles == {Role.FIRST_RESPONDER}
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == ("approved", other)
    event = AuditEvent.objects.filter(object_type="user", object_ref=str(awa.pk)).last()
    assert event.actor_username == "admin2" and event.details["roles_added"] == ["first_responder"]
    assert Notification.objects.filter(recipient=world.users.admin, message__contains="granted")


def test_the_administrator_who_asked_cannot_grant_it(client, world):
    awa = UserFactory(username="awa", agency=world.police, roles=[])
    services.update_user_account(
        awa, actor=world.users.admin, expected_version=awa.version, roles=[Role.INVESTIGATOR]
    )
    pending = RoleRequest.objects.get(user=awa)
    with pytest.raises(PermissionDenied):
        services.decide_role_request(pending, actor=world.users.admin, approve=True)
    sign_in_verified(client, world.users.admin)
    assert 'data-testid="approve-role"' not in client.get(reverse("accounts:user_list")).text
    assert User.objects.get(pk=awa.pk).roles == set()


def test_an_administrator_cannot_give_themselves_an_operational_role(admin_client, world):
    admin = world.users.admin
    url = reverse("accounts:user_edit", args=[admin.pk])
    response = admin_client.post(
        url, _user_data(admin, roles=[Role.ADMINISTRATOR, Role.COORDINATOR])
    )
    assert response.status_code == 200
    assert "another administrator must" in response.context["form"].errors["roles"][0]
    assert User.objects.get(pk=admin.pk).roles == {Role.ADMINISTRATOR}
    assert not RoleRequest.objects.exists()


def test_nor_through_an_accomplice_account_that_asked_for_it(world):
    """The account's owner never decides on their own role, even as an administrator."""
    other = second_admin(world)
    services.update_user_account(
        other,
        actor=world.users.admin,
        expected_version=other.version,
        roles=[Role.ADMINISTRATOR, Role.COORDINATOR],
    )
    with pytest.raises(PermissionDenied):
        services.decide_role_request(RoleRequest.objects.get(user=other), actor=other, approve=True)


def test_a_refused_role_is_not_granted_and_the_refusal_is_audited(world):
    awa = UserFactory(username="awa", agency=world.police, roles=[])
    services.update_user_account(
        awa, actor=world.users.admin, expected_version=awa.version, roles=[Role.PROSECUTOR]
    )
    other = second_admin(world)
    services.decide_role_request(RoleRequest.objects.get(user=awa), actor=other, approve=False)
    assert User.objects.get(pk=awa.pk).roles == set()
    event = AuditEvent.objects.filter(object_type="user", object_ref=str(awa.pk)).last()
    assert event.details["roles_refused"] == ["prosecutor"]
    with pytest.raises(ValidationError):
        services.decide_role_request(RoleRequest.objects.get(user=awa), actor=other, approve=True)


def test_the_server_operator_grants_the_first_roles_from_the_command_line(world):
    from io import StringIO

    from django.core.management import call_command

    awa = UserFactory(username="awa", agency=world.nrm, roles=[])
    out = StringIO()
    call_command("grant_role", "awa", "administrator", stdout=out)
    assert User.objects.get(pk=awa.pk).roles == {Role.ADMINISTRATOR}
    event = AuditEvent.objects.filter(object_type="user", object_ref=str(awa.pk)).last()
    assert event.details["via"] == "command line" and event.actor_username == ""
