"""What the durable outbox costs: N transnational referrals delivered from a running Italian
instance to a running Nigerian one (two server processes, two SQLite databases, loopback),
against a plain signed HTTP POST between the same two processes.

    python bench/crossborder.py [--messages 200]

The outbox figure is one `deliver_pending` pass in the sending instance: per message, pick
the oldest pending message, sign it, POST it to the partner's inbox, where it is verified,
checked for replay, stored as a referral and audited, then mark it delivered and audit that.
The baseline signs the same payloads with the same key and POSTs them, one after the other,
to a bare WSGI endpoint in the partner's server process that verifies the signature and
answers 200 (no Django, no database). Prints figures only.
"""

import argparse
import json
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corridor.crossborder.e2e import Node, free_port  # noqa: E402

# Run in the sending instance: queue N referrals, deliver them, then the baseline.
SCRIPT = """
import json, statistics, sys, time, urllib.request
import django
django.setup()
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from corridor.accounts import access
from corridor.accounts.models import User
from corridor.consent.models import Consent
from corridor.consent.services import record_consent
from corridor.crossborder import messages
from corridor.crossborder.keys import instance_signing_key
from corridor.crossborder.models import OutboxMessage, Partner
from corridor.crossborder.outbox import deliver_pending
from corridor.crossborder.services import send_transnational_referral
from corridor.cases.models import ProtectionCase

count, echo_url = int(sys.argv[1]), sys.argv[2]
coordinator = User.objects.get(username="coordinator")
partner = Partner.objects.get(country="NG")
cases = []
started = time.perf_counter()
for case in ProtectionCase.objects.select_related("person__owner_agency", "owner_agency"):
    if len(cases) == count:
        break
    if not (access.can_change_person(coordinator, case.person)
            and access.can_change_case(coordinator, case)):
        continue
    try:
        with transaction.atomic():
            record_consent(
                case.person, actor=coordinator, case=case,
                purposes=["return_reintegration"],
                data_categories=["identity", "contact", "case", "health"],
                method=Consent.Method.GUARDIAN if case.person.presumed_minor
                else Consent.Method.WRITTEN,
                recipient_countries=["NG"],
            )
            send_transnational_referral(
                case, actor=coordinator, partner=partner, purpose="return_reintegration"
            )
    except (PermissionDenied, ValidationError):
        continue  # e.g. a closed case
    cases.append(case)
queued = time.perf_counter() - started

marks = []
started = time.perf_counter()
report = deliver_pending(log=lambda line: marks.append(time.perf_counter()))
outbox_seconds = time.perf_counter() - started
through = [(b - a) * 1000 for a, b in zip([started, *marks], marks)]

key = instance_signing_key()
payloads = [m.payload for m in OutboxMessage.objects.order_by("pk")]
plain = []
started = time.perf_counter()
for payload in payloads:
    t = time.perf_counter()
    token = messages.sign(payload, key).encode("ascii")
    request = urllib.request.Request(
        echo_url, data=token, method="POST", headers={"Content-Type": "application/jose"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
        assert answer.status == 200
    plain.append((time.perf_counter() - t) * 1000)
plain_seconds = time.perf_counter() - started

def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]

print(json.dumps({
    "cases": len(cases), "queued_seconds": queued,
    "delivered": report.delivered, "outbox_seconds": outbox_seconds,
    "outbox_median_ms": statistics.median(through), "outbox_p95_ms": p95(through),
    "round_trip_median_ms": statistics.median(report.latencies_ms),
    "round_trip_p95_ms": p95(report.latencies_ms),
    "plain": len(plain), "plain_seconds": plain_seconds,
    "plain_median_ms": statistics.median(plain), "plain_p95_ms": p95(plain),
}))
"""

COUNT_SCRIPT = """
import django
django.setup()
from corridor.crossborder.models import ReceivedMessage
print(ReceivedMessage.objects.count())
"""


def warm_up(node: Node) -> None:
    """Load the partner's Django (its first request imports the views) before measuring."""
    for path, body in (("/accounts/login/", None), ("/crossborder/inbox", b"warm-up")):
        request = urllib.request.Request(f"{node.url}{path}", data=body)  # noqa: S310
        try:
            urllib.request.urlopen(request, timeout=30).read()  # noqa: S310
        except urllib.error.HTTPError:
            pass  # the inbox refuses the warm-up; loading it was the point


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="corridor-bench-crossborder-"))
    italy = Node("IT", root / "it", free_port())
    nigeria = Node("NG", root / "ng", free_port())
    try:
        print(f"Preparing two instances in {root} (a case to send for each message)...")
        italy_card = italy.prepare(victims=args.messages * 2 + 20)
        nigeria_card = nigeria.prepare(victims=0)
        italy.register(nigeria_card, "NAPTIP Nigeria")
        nigeria.register(italy_card, "Italy NRM")
        nigeria.extra_env["CORRIDOR_BENCH_ECHO_JWK"] = json.dumps(italy_card["public_jwk"])
        italy.start()
        nigeria.start()
        warm_up(nigeria)
        figures = json.loads(
            italy.python("-c", SCRIPT, str(args.messages), f"{nigeria.url}/bench/echo", timeout=600)
            .strip()
            .splitlines()[-1]
        )
        received = int(nigeria.python("-c", COUNT_SCRIPT).strip())
    finally:
        italy.stop()
        nigeria.stop()
        shutil.rmtree(root, ignore_errors=True)

    n = figures["delivered"]
    outbox_rate = n / figures["outbox_seconds"]
    plain_rate = figures["plain"] / figures["plain_seconds"]
    print(f"Referrals queued: {figures['cases']} in {figures['queued_seconds']:.2f} s")
    print(f"Received by the partner: {received} (delivered {n})")
    print()
    print(f"{'':34}{'msg/s':>9}{'median ms':>11}{'p95 ms':>9}")
    print(
        f"{'outbox (sign, POST, inbox, mark)':34}{outbox_rate:9.1f}"
        f"{figures['outbox_median_ms']:11.2f}{figures['outbox_p95_ms']:9.2f}"
    )
    print(
        f"{'  of which the POST round trip':34}{'':9}"
        f"{figures['round_trip_median_ms']:11.2f}{figures['round_trip_p95_ms']:9.2f}"
    )
    print(
        f"{'plain signed POST (baseline)':34}{plain_rate:9.1f}"
        f"{figures['plain_median_ms']:11.2f}{figures['plain_p95_ms']:9.2f}"
    )
    print()
    print(
        f"Ratio: the outbox delivers {outbox_rate / plain_rate:.2f}x the baseline's messages/s; "
        f"its median latency is {figures['outbox_median_ms'] / figures['plain_median_ms']:.1f}x."
    )


if __name__ == "__main__":
    main()
