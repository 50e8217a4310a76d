"""The real HTTP transport (standard library) and the delivery command, against a small HTTP
server on the loopback interface."""

import io
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from corridor.crossborder import services
from corridor.crossborder.models import OutboxMessage
from corridor.crossborder.outbox import TransportError, http_transport


class Recorder(BaseHTTPRequestHandler):
    answers: list = []
    seen: list = []

    def do_POST(self):  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append(
            {"path": self.path, "type": self.headers["Content-Type"], "body": body}
        )
        status, data = (
            type(self).answers.pop(0) if type(self).answers else (200, {"status": "accepted"})
        )
        payload = json.dumps(data).encode()
        self.send_response(status)
        if status in (301, 302, 307):
            self.send_header("Location", "https://elsewhere.example.org/crossborder/inbox")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.answers, Recorder.seen = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Recorder
    httpd.shutdown()
    httpd.server_close()


def test_it_posts_the_signed_message_and_reads_the_answer(server):
    url, recorder = server
    recorder.answers = [(200, {"status": "accepted"}), (409, {"error": "message_id_reused"})]
    assert http_transport(f"{url}/crossborder/inbox", b"a.b.c") == (200, {"status": "accepted"})
    assert http_transport(f"{url}/crossborder/inbox", b"a.b.c") == (
        409,
        {"error": "message_id_reused"},
    )
    assert recorder.seen[0] == {
        "path": "/crossborder/inbox",
        "type": "application/jose",
        "body": b"a.b.c",
    }


def test_it_follows_no_redirect(server):
    url, recorder = server
    recorder.answers = [(302, {})]
    status, _data = http_transport(f"{url}/crossborder/inbox", b"a.b.c")
    assert status == 302 and len(recorder.seen) == 1


def test_it_sends_nothing_in_clear_text_beyond_this_machine():
    with pytest.raises(TransportError):
        http_transport("http://corridor.naptip.gov.ng/crossborder/inbox", b"a.b.c")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_delivery_command_retries_a_partner_that_is_down_then_delivers(
    world, partners, consent, server
):
    url, recorder = server
    services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="return_reintegration",
    )
    partner = partners.nigeria
    partner.base_url = f"http://127.0.0.1:{closed_port()}"
    partner.save()
    out = io.StringIO()
    call_command("crossborder_deliver", "--once", stdout=out)
    assert "retry in" in out.getvalue() and "0 delivered, 1 to retry" in out.getvalue()
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and "Connection" in message.last_error

    partner.base_url = url
    partner.save()
    OutboxMessage.objects.update(next_attempt_at=message.created_at)  # its retry time came
    out = io.StringIO()
    call_command("crossborder_deliver", "--once", "--partner", "ng", stdout=out)
    assert "delivered (200)" in out.getvalue() and "1 delivered" in out.getvalue()
    assert OutboxMessage.objects.get().status == "delivered"
    assert recorder.seen[0]["body"].count(b".") == 2
