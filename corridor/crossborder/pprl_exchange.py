"""Finding persons known to a partner instance too, without sending a name.

The flow (each step audited, counts only):

1. A coordinator of this instance's country starts an exchange with an active partner whose
   linkage secret an administrator set (`start_pprl_exchange`); a background job
   (`send_pprl_encodings`) encodes the persons of this country's agencies (corridor.crossborder.pprl)
   and queues them in the outbox as `linkage.encodings` messages of at most
   `RECORDS_PER_PART` records — `{"exchange", "part", "parts", "scheme", "records": [{"ref",
   "clk"}]}` — well under the 256 KiB message limit, signed and retried like every message.
2. The partner stores each part (encrypted) until it has them all, then a background job
   (`match_pprl_encodings`) encodes its own persons under the same secret, matches
   (Dice ≥ pprl.THRESHOLD, one-to-one), stores a `PprlMatch` per pair, deletes the encodings
   received, tells its coordinators and answers with `linkage.matches` — `{"exchange", "part",
   "parts", "matches": [{"your_ref", "our_ref", "similarity"}]}`.
3. The first side stores the same pairs from its own point of view and tells its coordinators.

A match says only "a person in your records may be known to <partner>: reference X,
similarity s"; opening a transnational referral about her is the coordinators' decision,
with her consent, through the usual referral pages.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts.models import Role, User
from corridor.audit.services import Action, record_event
from corridor.crossborder import pprl
from corridor.crossborder.messages import MessageType
from corridor.crossborder.models import Partner, PprlExchange, PprlMatch, PprlPart
from corridor.crossborder.outbox import enqueue
from corridor.jobs.registry import background_job
from corridor.jobs.runner import JobRun
from corridor.jobs.services import start_job
from corridor.notifications.services import notify
from corridor.people.models import Person

RECORDS_PER_PART = 500  # ~300 bytes each once signed: ~150 KiB a message, under 256 KiB
MATCHES_PER_PART = 1000
MAX_PARTS = 1000
REFERENCE = re.compile(r"^[A-Z]{1,3}-[0-9A-Z]{4,16}$")
Exchange = PprlExchange
OBJECT_TYPE = "pprl_exchange"


# --- who -----------------------------------------------------------------------------------------


def can_exchange(user) -> bool:
    """Only coordinators of this instance's country compare its records with a partner's."""
    return bool(
        user is not None
        and user.is_active
        and user.agency_id
        and user.has_role(Role.COORDINATOR)
        and user.agency.country == settings.CORRIDOR_COUNTRY
    )


def _coordinators() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            groups__name=Role.COORDINATOR,
            agency__country=settings.CORRIDOR_COUNTRY,
        ).distinct()
    )


def _tell_coordinators(partner: Partner, count: int) -> None:
    if not count:
        return
    name = partner.name
    notify(
        _coordinators(),
        lambda: _(
            "{count} person(s) in your records may be known to {partner}: see the persons "
            "known elsewhere."
        ).format(count=count, partner=name),
        url=reverse("crossborder:known_elsewhere"),
    )


def _audit(exchange: PprlExchange, action: str, *, actor=None, request=None, **details) -> None:
    record_event(
        action,
        actor=actor,
        object_type=OBJECT_TYPE,
        object_ref=str(exchange.uid),
        request=request,
        details={
            "pprl": True,
            "exchange": str(exchange.uid),
            "partner": exchange.partner.country,
            **details,
        },
    )


# --- encoding this instance's persons --------------------------------------------------------------


def local_encodings(encoder: pprl.Encoder) -> Iterator[tuple[Person, bytes]]:
    """Every person of this country's agencies who has a name, with her encoding."""
    persons = (
        Person.objects.filter(owner_agency__country=settings.CORRIDOR_COUNTRY)
        .only("pk", "reference", "given_name", "family_name", "date_of_birth", "sex")
        .order_by("pk")
    )
    for person in persons.iterator(chunk_size=500):
        names = [n for n in (person.given_name, person.family_name) if n]
        if not pprl.tokens(names=names, birth_year=None, sex="").get("name_skeleton"):
            continue  # nothing to match a name on
        year = person.date_of_birth.year if person.date_of_birth else None
        yield person, encoder.encode(names=names, birth_year=year, sex=person.sex)


def _encoder(partner: Partner) -> pprl.Encoder:
    if not partner.pprl_secret:
        raise ValidationError({"pprl_secret": no_secret_message(partner)})
    return pprl.Encoder(partner.pprl_secret)


def no_secret_message(partner: Partner) -> str:
    return _(
        "No linkage secret is agreed with {partner}: an administrator sets the same secret on "
        "both instances (the partner's page) before persons can be compared."
    ).format(partner=partner.name)


# --- starting (the coordinator) and sending (the job) ---------------------------------------------


def start_pprl_exchange(
    partner: Partner, *, actor, request: HttpRequest | None = None
) -> PprlExchange:
    """Ask `partner` which of this country's persons it knows too; the work runs as a job."""
    if not can_exchange(actor):
        raise PermissionDenied(
            _("Only a coordinator of this country compares its records with a partner.")
        )
    if partner.country == settings.CORRIDOR_COUNTRY or not partner.is_active:
        raise ValidationError(
            {"partner": _("Records are compared only with an active partner of another country.")}
        )
    if not partner.pprl_secret:
        raise ValidationError({"pprl_secret": no_secret_message(partner)})
    with transaction.atomic():
        exchange = PprlExchange.objects.create(
            partner=partner,
            direction=Exchange.Direction.OUTGOING,
            status=Exchange.Status.ENCODING,
            started_by=actor,
        )
        _audit(exchange, Action.CREATE, actor=actor, request=request, step="started")
        start_job(
            send_pprl_encodings,
            actor=actor,
            subject=partner.name,
            dedup_key=f"pprl:send:{exchange.pk}",
            exchange_id=exchange.pk,
        )
    return exchange


@background_job(title=gettext_lazy("Encode the records to compare them with a partner"))
def send_pprl_encodings(run: JobRun, exchange_id: int) -> dict:
    exchange = PprlExchange.objects.select_related("partner", "started_by").get(pk=exchange_id)
    return send_encodings(exchange, progress=run.progress)


def send_encodings(exchange: PprlExchange, *, progress=None) -> dict:
    """Encode this country's persons and queue them to the partner, in parts."""
    partner = exchange.partner
    encoder = _encoder(partner)
    records = [
        {"ref": person.reference, "clk": pprl.to_text(clk)}
        for person, clk in local_encodings(encoder)
    ]
    chunks = [
        records[i : i + RECORDS_PER_PART] for i in range(0, len(records), RECORDS_PER_PART)
    ] or [[]]
    with transaction.atomic():
        for number, chunk in enumerate(chunks):
            enqueue(
                partner,
                type=MessageType.LINKAGE_ENCODINGS,
                body={
                    "exchange": str(exchange.uid),
                    "part": number,
                    "parts": len(chunks),
                    "scheme": pprl.SCHEME,
                    "records": chunk,
                },
                actor=exchange.started_by,
            )
            if progress:
                progress(number + 1, len(chunks))
        PprlExchange.objects.filter(pk=exchange.pk).update(
            status=Exchange.Status.SENT, parts=len(chunks), records_sent=len(records)
        )
        _audit(
            exchange,
            Action.EXPORT,
            actor=exchange.started_by,
            direction="out",
            step="encodings sent",
            records=len(records),
            parts=len(chunks),
            scheme=pprl.SCHEME,
        )
    return {"records": len(records), "parts": len(chunks)}


# --- exchanges that never finish ---------------------------------------------------------------------


def stop_stale_exchanges(*, now=None) -> int:
    """Stop the exchanges not finished CORRIDOR_PPRL_EXCHANGE_HOURS after they started (a job
    that failed, a partner that never answered or sent only some parts): the partner's
    encodings received so far are deleted, since they are kept only to be compared, and the
    coordinators read "stopped" instead of waiting for ever. Matches that arrive later are
    still taken; encodings are not."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.CORRIDOR_PPRL_EXCHANGE_HOURS)
    finished = [Exchange.Status.DONE, Exchange.Status.STOPPED]
    stopped = 0
    for pk in (
        PprlExchange.objects.filter(started_at__lt=cutoff)
        .exclude(status__in=finished)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            exchange = (
                PprlExchange.objects.select_for_update()
                .select_related("partner")
                .filter(pk=pk)
                .exclude(status__in=finished)
                .first()
            )
            if exchange is None:  # finished meanwhile
                continue
            deleted, _kinds = PprlPart.objects.filter(exchange=exchange).delete()
            PprlExchange.objects.filter(pk=pk).update(
                status=Exchange.Status.STOPPED, finished_at=now
            )
            _audit(exchange, Action.CHANGE, step="stopped", was=exchange.status, deleted=deleted)
            stopped += 1
    return stopped


@background_job(title=gettext_lazy("Stop the exchanges with partners that did not finish"))
def stop_stale_pprl_exchanges(run: JobRun) -> dict:
    return {"stopped": stop_stale_exchanges()}


# --- the partner's messages (called by the inbox, inside its transaction) --------------------------


def _exchange_id(body: dict) -> uuid.UUID:
    try:
        return uuid.UUID(str(body.get("exchange")))
    except ValueError:
        raise ValidationError({"exchange": _("Expected a UUID.")}) from None


def _part(body: dict) -> tuple[int, int]:
    part, parts = body.get("part"), body.get("parts")
    if not (
        isinstance(part, int)
        and isinstance(parts, int)
        and not isinstance(part, bool)
        and 0 < parts <= MAX_PARTS
        and 0 <= part < parts
    ):
        raise ValidationError(
            {
                "part": _("part and parts must be whole numbers, 0 ≤ part < parts ≤ {n}.").format(
                    n=MAX_PARTS
                )
            }
        )
    return part, parts


def _reference(value) -> str:
    if not isinstance(value, str) or not REFERENCE.match(value):
        raise ValidationError({"ref": _("A reference looks like P-7K3F9QXM.")})
    return value


def handle_linkage_encodings(partner: Partner, message: dict):
    body = message["body"]
    uid = _exchange_id(body)
    part, parts = _part(body)
    if body.get("scheme") != pprl.SCHEME:
        raise ValidationError(
            {"scheme": _("Only {scheme} encodings are understood.").format(scheme=pprl.SCHEME)}
        )
    records = body.get("records")
    if not isinstance(records, list) or len(records) > RECORDS_PER_PART:
        raise ValidationError(
            {"records": _("Up to {n} records per message.").format(n=RECORDS_PER_PART)}
        )
    clean = []
    for record in records:
        if not isinstance(record, dict) or set(record) != {"ref", "clk"}:
            raise ValidationError({"records": _("A record holds a ref and a clk, nothing else.")})
        try:
            pprl.from_text(record["clk"] if isinstance(record["clk"], str) else "")
        except ValueError:
            raise ValidationError(
                {"clk": _("A clk is a base64 filter of {n} bits.").format(n=pprl.FILTER_BITS)}
            ) from None
        clean.append({"ref": _reference(record["ref"]), "clk": record["clk"]})
    if not partner.pprl_secret:
        raise ValidationError({"pprl_secret": no_secret_message(partner)})
    exchange, created = PprlExchange.objects.get_or_create(
        partner=partner,
        direction=Exchange.Direction.INCOMING,
        uid=uid,
        defaults={"status": Exchange.Status.RECEIVING, "parts": parts},
    )
    exchange = (
        PprlExchange.objects.select_for_update().select_related("partner").get(pk=exchange.pk)
    )
    if exchange.parts != parts:
        raise ValidationError({"parts": _("This exchange was announced with another size.")})
    if exchange.status != Exchange.Status.RECEIVING:
        return "ignored: this exchange was already compared", None
    if PprlPart.objects.filter(exchange=exchange, part=part).exists():
        return "ignored: this part was already received", None
    PprlPart.objects.create(exchange=exchange, part=part, records_json=_json(clean))
    PprlExchange.objects.filter(pk=exchange.pk).update(
        records_received=F("records_received") + len(clean)
    )
    received = exchange.received.count()
    if created:
        _audit(exchange, Action.CREATE, direction="in", step="encodings arriving", parts=parts)
    if received == parts:
        PprlExchange.objects.filter(pk=exchange.pk).update(status=Exchange.Status.MATCHING)
        start_job(
            match_pprl_encodings,
            subject=partner.name,
            dedup_key=f"pprl:match:{exchange.pk}",
            exchange_id=exchange.pk,
        )
    return f"accepted: part {part + 1} of {parts}, {len(clean)} encodings", None


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


# --- comparing (the partner that received the encodings) --------------------------------------


@background_job(title=gettext_lazy("Compare a partner's encodings with the records"))
def match_pprl_encodings(run: JobRun, exchange_id: int) -> dict:
    exchange = PprlExchange.objects.select_related("partner").get(pk=exchange_id)
    return match_received(exchange)


def _store(partner: Partner, exchange: PprlExchange, person: Person, ref: str, s: float) -> None:
    PprlMatch.objects.update_or_create(
        partner=partner,
        person=person,
        remote_reference=ref,
        defaults={"similarity": round(s, 4), "exchange": exchange, "found_at": timezone.now()},
    )


def match_received(exchange: PprlExchange) -> dict:
    """Compare the partner's encodings with ours, keep and announce the pairs, answer the
    partner, and delete the encodings received."""
    partner = exchange.partner
    encoder = _encoder(partner)
    theirs = [
        record for part in exchange.received.all() for record in json.loads(part.records_json)
    ]
    ours = list(local_encodings(encoder))
    pairs = pprl.match([clk for _person, clk in ours], [pprl.from_text(r["clk"]) for r in theirs])
    found = [
        {"your_ref": theirs[j]["ref"], "our_ref": ours[i][0].reference, "similarity": round(s, 4)}
        for i, j, s in pairs
    ]
    chunks = [found[i : i + MATCHES_PER_PART] for i in range(0, len(found), MATCHES_PER_PART)] or [
        []
    ]
    with transaction.atomic():
        for i, j, s in pairs:
            _store(partner, exchange, ours[i][0], theirs[j]["ref"], s)
        exchange.received.all().delete()
        PprlExchange.objects.filter(pk=exchange.pk).update(
            status=Exchange.Status.DONE, matches=len(pairs), finished_at=timezone.now()
        )
        for number, chunk in enumerate(chunks):
            enqueue(
                partner,
                type=MessageType.LINKAGE_MATCHES,
                body={
                    "exchange": str(exchange.uid),
                    "part": number,
                    "parts": len(chunks),
                    "matches": chunk,
                },
            )
        _audit(
            exchange,
            Action.LINK,
            direction="in",
            step="compared",
            received=len(theirs),
            compared_with=len(ours),
            matches=len(pairs),
            threshold=pprl.THRESHOLD,
        )
        _tell_coordinators(partner, len(pairs))
    return {"received": len(theirs), "compared_with": len(ours), "matches": len(pairs)}


def _similarity(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValidationError({"similarity": _("A similarity is a number from 0 to 1.")})
    return float(value)


def handle_linkage_matches(partner: Partner, message: dict):
    body = message["body"]
    uid = _exchange_id(body)
    part, parts = _part(body)
    found = body.get("matches")
    if not isinstance(found, list) or len(found) > MATCHES_PER_PART:
        raise ValidationError(
            {"matches": _("Up to {n} matches per message.").format(n=MATCHES_PER_PART)}
        )
    exchange = (
        PprlExchange.objects.select_for_update()
        .select_related("partner")
        .filter(partner=partner, direction=Exchange.Direction.OUTGOING, uid=uid)
        .first()
    )
    if exchange is None:
        raise ValidationError({"exchange": _("No exchange was started with you under this id.")})
    pairs = []
    for item in found:
        if not isinstance(item, dict) or set(item) != {"your_ref", "our_ref", "similarity"}:
            raise ValidationError(
                {"matches": _("A match holds your_ref, our_ref and similarity, nothing else.")}
            )
        pairs.append(
            (
                _reference(item["your_ref"]),
                _reference(item["our_ref"]),
                _similarity(item["similarity"]),
            )
        )
    persons = {
        p.reference: p
        for p in Person.objects.filter(
            owner_agency__country=settings.CORRIDOR_COUNTRY,
            reference__in=[ours for ours, _theirs, _s in pairs],
        )
    }
    stored = 0
    for ours, theirs, similarity in pairs:
        person = persons.get(ours)
        if person is not None:  # one erased since the encodings left is simply not matched
            _store(partner, exchange, person, theirs, similarity)
            stored += 1
    last = part == parts - 1
    PprlExchange.objects.filter(pk=exchange.pk).update(
        matches=F("matches") + stored,
        **({"status": Exchange.Status.DONE, "finished_at": timezone.now()} if last else {}),
    )
    _audit(
        exchange,
        Action.LINK,
        direction="in",
        step="matches received",
        part=part,
        parts=parts,
        matches=stored,
    )
    _tell_coordinators(partner, stored)
    return f"accepted: {stored} matches", None
