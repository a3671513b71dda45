"""SMS transports: the outbox folder and LINK Mobility's REST API against a local server speaking its shapes."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from civic.outreach.sms import (
    LinkMobilityTransport,
    OutboxSmsTransport,
    SmsAmbiguousError,
    SmsMessage,
    SmsPermanentError,
    SmsTransientError,
    list_sms_outbox,
    sms_transport_from_config,
)

MESSAGE = SmsMessage(
    ref_id="42", to="+4791234567", text="Hei Kari! Svar her: https://x/p/abc", sender="BydelBjerke", organisation_id=7
)


# --- outbox -----------------------------------------------------------------------------------------------


def test_outbox_writes_one_file_per_ref_id_and_a_retry_rewrites_it(tmp_path):
    transport = OutboxSmsTransport(tmp_path / "sms")
    assert transport.send(MESSAGE) == "outbox-42"
    transport.send(MESSAGE)
    transport.send(SmsMessage(ref_id="43", to="+4799999999", text="Hallo æøå 🙂", sender="Civic", organisation_id=7))
    transport.send(SmsMessage("44", "+4798888888", "Another organisation", "Alna", organisation_id=8))
    files = sorted(p.name for p in (tmp_path / "sms").iterdir())
    assert files == ["42.json", "43.json", "44.json"]
    data = json.loads((tmp_path / "sms" / "43.json").read_text(encoding="utf-8"))
    assert data["text"] == "Hallo æøå 🙂"
    assert data["to"] == "+4799999999"
    listed = list_sms_outbox(tmp_path / "sms", organisation_id=7)
    assert [m.ref_id for m in listed] == ["43", "42"]  # newest first, only this organisation's
    assert listed[1].sender == "BydelBjerke"


def test_outbox_file_names_are_safe(tmp_path):
    OutboxSmsTransport(tmp_path / "sms").send(SmsMessage(ref_id="../../etc", to="+47", text="x", sender="C"))
    assert [p.name for p in (tmp_path / "sms").iterdir()] == [".._.._etc.json"]


def test_list_sms_outbox_skips_broken_files_and_missing_folders(tmp_path):
    assert list_sms_outbox(tmp_path / "none", organisation_id=7) == []
    folder = tmp_path / "sms"
    folder.mkdir()
    (folder / "bad.json").write_text("{not json", encoding="utf-8")
    OutboxSmsTransport(folder).send(MESSAGE)
    assert [m.ref_id for m in list_sms_outbox(folder, organisation_id=7)] == ["42"]


def test_transport_is_chosen_by_config(tmp_path):
    assert isinstance(
        sms_transport_from_config({"SMS_TRANSPORT": "outbox", "SMS_OUTBOX_FOLDER": str(tmp_path)}), OutboxSmsTransport
    )
    link = sms_transport_from_config(
        {
            "SMS_TRANSPORT": "link",
            "SMS_LINK_URL": "https://wsx.sp247.net",
            "SMS_LINK_USERNAME": "u",
            "SMS_LINK_PASSWORD": "p",
            "SMS_LINK_PLATFORM_ID": "SMS",
            "SMS_LINK_PLATFORM_PARTNER_ID": "123",
            "SMS_LINK_GATE_ID": "gate1",
        }
    )
    assert isinstance(link, LinkMobilityTransport)
    assert link.gate_id == "gate1"
    with pytest.raises(ValueError, match="SMS_LINK_URL"):
        sms_transport_from_config({"SMS_TRANSPORT": "link"})
    with pytest.raises(ValueError, match="unknown SMS_TRANSPORT"):
        sms_transport_from_config({"SMS_TRANSPORT": "pigeon"})


# --- LINK Mobility --------------------------------------------------------------------------------------------

Reply = Callable[[BaseHTTPRequestHandler, dict], None]


class FakeLink:
    """A local server answering like LINK's /sms/send; each request takes the next reply from ``replies``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.replies: list[Reply] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                reply = fake.replies.pop(0) if fake.replies else ok()
                reply(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def transport(self, **overrides) -> LinkMobilityTransport:
        fields = {
            "base_url": self.url,
            "username": "civic",
            "password": "s3cret",
            "platform_id": "SMS",
            "platform_partner_id": "4711",
            "gate_id": "civic-dlr",
            "connect_timeout": 2.0,
            # Generous: a loaded CI machine can take well over half a second to answer; the read-timeout test
            # sets its own short one.
            "read_timeout": 10.0,
        }
        fields.update(overrides)
        return LinkMobilityTransport(**fields)


def respond(status: int, payload: dict | None = None, headers: dict | None = None) -> Reply:
    def _reply(handler: BaseHTTPRequestHandler, body: dict) -> None:
        raw = json.dumps(payload or {}).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(raw)

    return _reply


def ok(code: int = 1005) -> Reply:
    def _reply(handler, body):
        answer = {"messageId": f"link-{body['refId']}", "resultCode": code, "description": "Queued", "smsCount": 1}
        respond(200, answer)(handler, body)

    return _reply


def hang(seconds: float) -> Reply:
    def _reply(handler, body):
        time.sleep(seconds)

    return _reply


def reset(handler, body):
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    handler.connection.close()


@pytest.fixture
def link() -> Iterator[FakeLink]:
    fake = FakeLink()
    fake.thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def test_send_posts_links_shape_with_basic_auth(link):
    assert link.transport().send(MESSAGE) == "link-42"
    [request] = link.requests
    assert request["path"] == "/sms/send"
    assert request["auth"] == "Basic " + base64.b64encode(b"civic:s3cret").decode()
    assert request["body"] == {
        "source": "BydelBjerke",
        "sourceTON": "ALPHANUMERIC",
        "destination": "+4791234567",
        "userData": "Hei Kari! Svar her: https://x/p/abc",
        "platformId": "SMS",
        "platformPartnerId": "4711",
        "useDeliveryReport": True,
        "deliveryReportGates": ["civic-dlr"],
        "refId": "42",
    }


def test_result_1000_is_accepted_too(link):
    link.replies = [ok(1000)]
    assert link.transport().send(MESSAGE) == "link-42"


def test_429_is_transient_with_retry_after(link):
    link.replies = [respond(429, {}, {"Retry-After": "7"})]
    with pytest.raises(SmsTransientError) as caught:
        link.transport().send(MESSAGE)
    assert caught.value.reason == "http_429"
    assert caught.value.retry_after == 7.0


def test_500_is_transient(link):
    link.replies = [respond(503, {"description": "busy"})]
    with pytest.raises(SmsTransientError) as caught:
        link.transport().send(MESSAGE)
    assert caught.value.reason == "http_503"
    assert caught.value.retry_after is None


def test_400_is_permanent_with_links_code(link):
    link.replies = [respond(400, {"resultCode": 2106, "description": "Destination +4791234567 invalid"})]
    with pytest.raises(SmsPermanentError) as caught:
        link.transport().send(MESSAGE)
    assert caught.value.reason == "link_2106"
    assert "4791234567" not in str(caught.value)  # the gateway's text (which may echo the number) is dropped


def test_400_without_a_code_is_permanent(link):
    link.replies = [respond(401)]
    with pytest.raises(SmsPermanentError) as caught:
        link.transport().send(MESSAGE)
    assert caught.value.reason == "http_401"


def test_200_with_a_permanent_result_code_is_permanent(link):
    link.replies = [respond(200, {"resultCode": 2104, "description": "Unknown subscriber"})]
    with pytest.raises(SmsPermanentError) as caught:
        link.transport().send(MESSAGE)
    assert caught.value.reason == "link_2104"


def test_read_timeout_is_ambiguous(link):
    link.replies = [hang(1.5)]
    with pytest.raises(SmsAmbiguousError) as caught:
        link.transport(read_timeout=0.3).send(MESSAGE)
    assert caught.value.reason == "read_timeout"
    assert len(link.requests) == 1  # the gateway did get the request


def test_connection_reset_after_sending_is_ambiguous(link):
    link.replies = [reset]
    with pytest.raises(SmsAmbiguousError) as caught:
        link.transport().send(MESSAGE)
    assert caught.value.reason == "connection_lost"


def test_refused_connection_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = LinkMobilityTransport(
        base_url=f"http://127.0.0.1:{port}", username="u", password="p", platform_id="SMS", platform_partner_id="1"
    )
    with pytest.raises(SmsTransientError) as caught:
        transport.send(MESSAGE)
    assert caught.value.reason == "connect_error"
