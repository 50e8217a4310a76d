"""This instance's key, and the partners an administrator registers with their public keys."""

import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from joserfc.jwk import OKPKey, RSAKey

from corridor.audit.models import AuditEvent
from corridor.crossborder import keys, services
from corridor.crossborder.models import InstanceKey, Partner


def test_crossborder_keys_makes_one_key_and_prints_only_its_public_part(settings, db):
    settings.CORRIDOR_SIGNING_KEY_FILE = ""
    out = io.StringIO()
    call_command("crossborder_keys", stdout=out, stderr=io.StringIO())
    card = json.loads(out.getvalue())
    assert card["country"] == settings.CORRIDOR_COUNTRY
    assert set(card["public_jwk"]) == {"kty", "crv", "x", "kid"}  # no "d"
    assert card["public_jwk"]["crv"] == "Ed25519"
    assert card["key_id"] == card["public_jwk"]["kid"] == keys.instance_signing_key().key_id

    again = io.StringIO()
    call_command("crossborder_keys", stdout=again, stderr=io.StringIO())
    assert json.loads(again.getvalue()) == card  # shown again, not replaced
    assert InstanceKey.objects.count() == 1

    call_command("crossborder_keys", "--rotate", stdout=io.StringIO(), stderr=io.StringIO())
    assert InstanceKey.objects.filter(retired_at__isnull=True).count() == 1
    assert keys.instance_signing_key().key_id != card["key_id"]
    assert AuditEvent.objects.filter(action="key_rotation").count() == 2


def test_the_private_key_is_encrypted_at_rest(settings, db):
    settings.CORRIDOR_SIGNING_KEY_FILE = ""
    row, _created = keys.create_instance_key()
    private_d = json.loads(row.private_jwk)["d"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_jwk FROM crossborder_instancekey WHERE id = %s", [row.pk])
        stored = cursor.fetchone()[0]
    assert private_d not in stored and "Ed25519" not in stored


def test_a_key_file_named_by_the_environment_takes_precedence(settings, tmp_path, monkeypatch, db):
    settings.CORRIDOR_SIGNING_KEY_FILE = ""
    keys.create_instance_key()
    signing = keys.generate_instance_key()
    path = tmp_path / "signing.jwk"
    keys.write_key_file(path, signing)
    monkeypatch.setenv("CORRIDOR_SIGNING_KEY_FILE", str(path))
    assert keys.instance_signing_key().key_id == signing.key_id
    assert "d" not in keys.instance_signing_key().public_jwk
    assert (path.stat().st_mode & 0o077) == 0  # readable by its owner only
    path.write_text(json.dumps(signing.public_jwk))  # a public key cannot sign
    with pytest.raises(ImproperlyConfigured):
        keys.instance_signing_key()


def test_no_key_means_a_clear_message(settings, db):
    settings.CORRIDOR_SIGNING_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="crossborder_keys"):
        keys.instance_signing_key()


def register(world, **changes):
    fields = {
        "country": "NG",
        "name": "NAPTIP",
        "base_url": "https://corridor.naptip.gov.ng/",
        "public_jwk": keys.generate_instance_key().public_jwk,
    }
    fields.update(changes)
    return services.register_partner(actor=world.users.admin, **fields)


def test_an_administrator_registers_a_partner(world, italy):
    partner = register(world)
    assert partner.status == "active" and partner.base_url == "https://corridor.naptip.gov.ng"
    assert partner.inbox_url == "https://corridor.naptip.gov.ng/crossborder/inbox"
    assert partner.key_id == partner.public_jwk["kid"]
    event = AuditEvent.objects.get(object_type="partner")
    assert event.action == "admin" and event.details["key_id"] == partner.key_id


def private_jwk():
    signing = keys.generate_instance_key()
    return {**signing.key.as_dict(private=True), "kid": signing.key_id}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"public_jwk": "{not json"}, "public_jwk", "not JSON"),
        ({"public_jwk": private_jwk}, "public_jwk", "private key"),
        (
            {"public_jwk": lambda: RSAKey.generate_key(2048).as_dict(private=False) | {"kid": "r"}},
            "public_jwk",
            "Ed25519",
        ),
        (
            {"public_jwk": {"kty": "OKP", "crv": "Ed25519", "x": "short", "kid": "k"}},
            "public_jwk",
            "valid",
        ),
        ({"base_url": "http://corridor.naptip.gov.ng"}, "base_url", "https"),
        ({"base_url": "ftp://127.0.0.1"}, "base_url", "https"),
        ({"base_url": "https://user:pw@corridor.naptip.gov.ng"}, "base_url", "without"),
        ({"country": "IT"}, "country", "another country"),
        ({"country": "XX"}, "country", "ISO 3166"),
        ({"name": " "}, "name", "name"),
    ],
    ids=[
        "not JSON",
        "a private key",
        "an RSA key",
        "a broken key",
        "http to another machine",
        "another scheme",
        "credentials in the address",
        "our own country",
        "no such country",
        "no name",
    ],
)
def test_a_bad_registration_names_the_field_and_writes_nothing(world, italy, changes, field, words):
    changes = {k: v() if callable(v) else v for k, v in changes.items()}
    with pytest.raises(ValidationError) as error:
        register(world, **changes)
    assert words.lower() in error.value.message_dict[field][0].lower()
    assert not Partner.objects.exists()


def test_http_is_allowed_to_this_machine_only(world, italy):
    assert register(world, base_url="http://127.0.0.1:8001").base_url == "http://127.0.0.1:8001"
    Partner.objects.all().delete()
    assert register(world, base_url="http://localhost:8001/").base_url == "http://localhost:8001"


def test_a_country_has_one_partner_and_a_key_one_owner(world, italy):
    partner = register(world)
    with pytest.raises(ValidationError) as error:
        register(world)
    assert "revoke it first" in error.value.message_dict["country"][0]
    with pytest.raises(ValidationError) as error:
        register(world, country="GH", public_jwk=partner.public_jwk)
    assert "key_id" in error.value.message_dict
    with pytest.raises(ValidationError):
        register(world, country="GH", public_jwk=italy.public_jwk)  # our own key
    services.revoke_partner(partner, actor=world.users.admin, reason="compromised")
    assert register(world).status == "active"  # a new key replaces the revoked one


def test_suspend_reactivate_revoke(world, italy):
    partner = register(world)
    admin = world.users.admin
    services.suspend_partner(partner, actor=admin, reason="checking a leak")
    assert Partner.objects.get().status == "suspended"
    services.reactivate_partner(partner, actor=admin)
    assert Partner.objects.get().status == "active"
    with pytest.raises(ValidationError):
        services.revoke_partner(partner, actor=admin, reason="")
    services.revoke_partner(partner, actor=admin, reason="key leaked")
    with pytest.raises(ValidationError):
        services.reactivate_partner(partner, actor=admin)  # revoked is for good
    statuses = [
        e.details["status"]
        for e in AuditEvent.objects.filter(object_type="partner", action="admin")
        if "status" in e.details
    ]
    assert statuses == [["active", "suspended"], ["suspended", "active"], ["active", "revoked"]]


def test_only_administrators_manage_partners(world, italy):
    partner = register(world)
    for user in (world.users.coordinator, world.users.responder, world.users.analyst):
        with pytest.raises(PermissionDenied):
            services.register_partner(
                actor=user,
                country="GH",
                name="GH",
                base_url="https://gh.example.org",
                public_jwk=keys.generate_instance_key().public_jwk,
            )
        for change in (services.suspend_partner, services.reactivate_partner):
            with pytest.raises(PermissionDenied):
                change(partner, actor=user)
        with pytest.raises(PermissionDenied):
            services.revoke_partner(partner, actor=user, reason="no")


def test_an_ed25519_jwk_made_elsewhere_is_accepted(world, italy):
    key = OKPKey.generate_key("Ed25519")
    jwk = key.as_dict(private=False)
    partner = register(world, public_jwk=json.dumps(jwk), key_id="naptip-2025")
    assert partner.key_id == "naptip-2025" and partner.public_jwk["x"] == jwk["x"]


def test_a_partner_card_printed_on_one_side_registers_it_on_the_other(world, settings, tmp_path):
    settings.CORRIDOR_SIGNING_KEY_FILE = ""
    settings.CORRIDOR_COUNTRY, settings.CORRIDOR_BASE_URL = "NG", "http://127.0.0.1:8001"
    out = io.StringIO()
    call_command("crossborder_keys", stdout=out, stderr=io.StringIO())
    card = tmp_path / "nigeria.json"
    card.write_text(out.getvalue())
    InstanceKey.objects.all().delete()  # the other instance's own key stays over there

    settings.CORRIDOR_COUNTRY = "IT"
    done = io.StringIO()
    call_command(
        "crossborder_partner", str(card), "--admin", "admin", "--name", "NAPTIP", stdout=done
    )
    partner = Partner.objects.get()
    assert (partner.country, partner.name, partner.base_url) == (
        "NG",
        "NAPTIP",
        "http://127.0.0.1:8001",
    )
    assert partner.key_id == json.loads(out.getvalue())["key_id"]
    assert partner.pprl_secret == ""
    with pytest.raises(CommandError, match="not an administrator"):
        call_command("crossborder_partner", str(card), "--admin", "coordinator")


def test_the_card_command_also_sets_the_linkage_secret_from_a_file(world, settings, tmp_path):
    settings.CORRIDOR_SIGNING_KEY_FILE = ""
    settings.CORRIDOR_COUNTRY, settings.CORRIDOR_BASE_URL = "NG", "http://127.0.0.1:8001"
    out = io.StringIO()
    call_command("crossborder_keys", stdout=out, stderr=io.StringIO())
    card = tmp_path / "nigeria.json"
    card.write_text(out.getvalue())
    InstanceKey.objects.all().delete()
    settings.CORRIDOR_COUNTRY = "IT"
    short, agreed = tmp_path / "short.txt", tmp_path / "agreed.txt"
    short.write_text("too short\n")
    agreed.write_text("agreed by phone with NAPTIP, 2026\n")
    with pytest.raises(CommandError, match="at least 16"):
        call_command(
            "crossborder_partner",
            str(card),
            "--admin",
            "admin",
            "--linkage-secret-file",
            str(short),
            stdout=io.StringIO(),
        )
    assert not Partner.objects.exists()  # a refused secret registers no partner either
    call_command(
        "crossborder_partner",
        str(card),
        "--admin",
        "admin",
        "--linkage-secret-file",
        str(agreed),
        stdout=io.StringIO(),
    )
    assert Partner.objects.get().pprl_secret == "agreed by phone with NAPTIP, 2026"


@pytest.mark.parametrize(
    "address",
    [
        "https://169.254.169.254",  # the cloud metadata service
        "https://10.0.0.1:8443",
        "https://192.168.1.20",
        "https://[fd00::1]",
        "https://[::ffff:10.1.2.3]",
        "https://0.0.0.0",
    ],
)
def test_a_partner_address_inside_a_private_network_is_refused(world, italy, address):
    with pytest.raises(ValidationError) as refused:
        register(world, base_url=address)
    assert "private, link-local or loopback" in str(refused.value.message_dict["base_url"])


def test_in_production_even_this_machine_is_not_a_partner(world, italy, settings):
    settings.PRODUCTION = True
    for address in ("http://127.0.0.1:8001", "https://127.0.0.1:8443", "https://localhost"):
        with pytest.raises(ValidationError):
            register(world, base_url=address)


def test_a_name_resolving_to_an_internal_address_is_refused_when_sending(settings, monkeypatch):
    from corridor.crossborder import outbox

    monkeypatch.setattr(
        outbox.socket,
        "getaddrinfo",
        lambda host, port, **kw: [(2, 1, 6, "", ("10.20.30.40", port))],
    )
    with pytest.raises(outbox.TransportError, match="internal address"):
        outbox.http_transport("https://partner.example.org/crossborder/inbox", b"x")
