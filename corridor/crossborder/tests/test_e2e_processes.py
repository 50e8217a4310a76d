"""Two real Corridor instances, Italy and Nigeria: two server processes, two SQLite databases,
two signing keys, on loopback. Italy sends a woman's case to Nigeria for her return and
reintegration; Nigeria accepts and reports her follow-up; Italy withdraws and Nigeria stops.
Then Nigeria's server goes down while Italy sends two more cases: nothing is lost, and when
Nigeria comes back every message arrives exactly once.

Everything goes through each instance's JSON API, its management commands and HTTP between
the two processes; the test's own database is not involved.
"""

import json

import pytest

from corridor.crossborder.e2e import Node, free_port

pytestmark = pytest.mark.processes  # starts servers, workers or whole instances

COUNT_SCRIPT = """
import json, django
django.setup()
from corridor.crossborder.models import OutboxMessage, ReceivedMessage, TransnationalReferral
print(json.dumps({
    "received": ReceivedMessage.objects.count(),
    "received_ids": sorted(str(m) for m in ReceivedMessage.objects.values_list(
        "message_id", flat=True)),
    "sent_ids": sorted(str(m) for m in OutboxMessage.objects.filter(
        status="delivered").values_list("message_id", flat=True)),
    "pending": OutboxMessage.objects.filter(status="pending").count(),
    "incoming": TransnationalReferral.objects.filter(direction="incoming").count(),
}))
"""


@pytest.fixture
def instances(tmp_path):
    try:
        italy_port, nigeria_port = free_port(), free_port()
    except OSError as exc:
        pytest.skip(f"cannot bind a loopback port for the two instances: {exc}")
    italy = Node("IT", tmp_path / "it", italy_port)
    nigeria = Node("NG", tmp_path / "ng", nigeria_port)
    try:
        yield italy, nigeria
    finally:
        italy.stop()
        nigeria.stop()


def counts(node: Node) -> dict:
    return json.loads(node.python("-c", COUNT_SCRIPT))


def record_consent(italy: Node, token: str, case: dict) -> None:
    status, data = italy.api(
        "POST",
        f"/persons/{case['person']}/consents",
        token,
        {
            "purposes": ["return_reintegration"],
            "data_categories": ["identity", "contact", "case", "health"],
            "method": "guardian" if case["minor"] else "written",
            "recipient_countries": ["NG"],
            "case": case["case"],
        },
    )
    assert status == 201, data


def send(italy: Node, token: str, case: dict) -> dict:
    status, data = italy.api(
        "POST",
        f"/cases/{case['case']}/transnational-referrals",
        token,
        {"partner_country": "NG", "purpose": "return_reintegration"},
    )
    assert status == 201, data
    return data


def queue(nigeria: Node, token: str) -> list[dict]:
    status, data = nigeria.api("GET", "/crossborder/queue?limit=100", token)
    assert status == 200, data
    return data["items"]


def detail(node: Node, token: str, reference: str) -> dict:
    status, data = node.api("GET", f"/crossborder/referrals/{reference}", token)
    assert status == 200, data
    return data


def test_a_case_crosses_the_border_between_two_running_instances(instances):
    italy, nigeria = instances

    # Each administrator makes a key and registers the other's card (exchanged out of band).
    italy_card = italy.prepare(victims=6)
    nigeria_card = nigeria.prepare(victims=0)
    assert italy_card["country"] == "IT" and nigeria_card["base_url"] == nigeria.url
    assert "registered" in italy.register(nigeria_card, "NAPTIP Nigeria")
    assert "registered" in nigeria.register(italy_card, "Italy NRM")
    italy.start()
    nigeria.start()

    italy_setup, nigeria_setup = italy.coordinator_setup(), nigeria.coordinator_setup()
    it_token, ng_token = italy_setup["token"], nigeria_setup["token"]
    cases = italy_setup["cases"]
    assert len(cases) >= 3, "the demo coordinator needs three cases to send"
    assert queue(nigeria, ng_token) == []

    # Italy records her consent and sends her case.
    record_consent(italy, it_token, cases[0])
    sent = send(italy, it_token, cases[0])
    assert sent["status"] == "sent" and sent["direction"] == "outgoing"
    assert "delivered" in italy.deliver()

    # Nigeria's coordinator finds it in her queue, under Italy's reference, with Italy's
    # details, and accepts it.
    [received] = queue(nigeria, ng_token)
    assert received["reference"] == received["partner_reference"] == sent["reference"]
    assert received["partner_country"] == "IT"
    assert received["sender"]["case_reference"] == cases[0]["case"]
    assert received["status"] == "received"
    status, accepted = nigeria.api(
        "POST",
        f"/crossborder/referrals/{received['reference']}/accept",
        ng_token,
        {"version": received["version"]},
    )
    assert status == 200, accepted
    assert accepted["status"] == "accepted" and accepted["case_reference"]
    nigeria.deliver()
    on_italy = detail(italy, it_token, sent["reference"])
    assert on_italy["status"] == "accepted"
    assert on_italy["partner_reference"] == sent["reference"]  # one reference on both sides

    # Nigeria reports that she was assisted; Italy sees it on its referral.
    status, reported = nigeria.api(
        "POST",
        f"/crossborder/referrals/{received['reference']}/status",
        ng_token,
        {"status": "assisted"},
    )
    assert status == 200, reported
    nigeria.deliver()
    on_italy = detail(italy, it_token, sent["reference"])
    assert on_italy["status"] == "assisted"
    assert [r["status"] for r in on_italy["reports"]][-1] == "assisted"

    # Italy withdraws; Nigeria must stop processing.
    status, withdrawn = italy.api(
        "POST",
        f"/crossborder/referrals/{sent['reference']}/withdraw",
        it_token,
        {"reason": "She asked to stay in Italy."},
    )
    assert status == 200, withdrawn
    italy.deliver()
    on_nigeria = detail(nigeria, ng_token, received["reference"])
    assert on_nigeria["status"] == "withdrawn"
    assert on_nigeria["withdraw_reason"] == "She asked to stay in Italy."

    # Nigeria's server goes down; Italy sends two more cases. Delivery fails and is retried.
    nigeria.stop()
    more = []
    for case in cases[1:3]:
        record_consent(italy, it_token, case)
        more.append(send(italy, it_token, case))
    for _attempt in range(2):
        report = italy.deliver()
        assert "0 delivered" in report and "to retry" in report, report
    assert counts(italy)["pending"] == 2

    # Nigeria comes back: both arrive, once each; a further pass sends nothing again.
    nigeria.start()
    italy.deliver()
    italy.deliver()
    assert counts(italy)["pending"] == 0
    incoming = {r["sender"]["case_reference"]: r for r in queue(nigeria, ng_token)}
    assert set(incoming) == {c["case"] for c in cases[:3]}
    assert {incoming[c["case"]]["status"] for c in cases[1:3]} == {"received"}
    for referral in more:
        assert detail(italy, it_token, referral["reference"])["status"] == "received"

    italy_counts, nigeria_counts = counts(italy), counts(nigeria)
    assert nigeria_counts["incoming"] == 3
    # offer, withdrawal and two offers from Italy: each received exactly once.
    assert nigeria_counts["received"] == len(set(nigeria_counts["received_ids"])) == 4
    assert set(italy_counts["sent_ids"]) == set(nigeria_counts["received_ids"])
