"""The SMS gateways: the logging default, and the HTTP gateway against a local server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from supervision import sms


class Provider(BaseHTTPRequestHandler):
    """A provider that records each request and answers with the status it is told."""

    answer = 200
    received: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Provider.received.append(
            {
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(Provider.answer)
        self.end_headers()
        self.wfile.write(b'{"error": "quota exceeded"}' if Provider.answer >= 400 else b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    Provider.answer, Provider.received = 200, []
    server = HTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms/send"
    server.shutdown()
    server.server_close()


def test_http_gateway_posts_json_with_the_token_and_sender(provider, settings):
    settings.SMS_BACKEND = "supervision.sms.HttpGateway"
    settings.SMS_GATEWAY_URL = provider
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    settings.SMS_SENDER = "市政府督查室"

    sms.get_gateway().send(phone="13800138000", text="事项 2026-0001 已退回")

    [request] = Provider.received
    assert request["path"] == "/sms/send"
    assert request["authorization"] == "Bearer secret-token"
    assert request["content_type"].startswith("application/json")
    assert request["body"] == {
        "to": "13800138000",
        "text": "事项 2026-0001 已退回",
        "sender": "市政府督查室",
    }


def test_http_gateway_raises_on_an_error_status(provider):
    Provider.answer = 503
    gateway = sms.HttpGateway(url=provider, token="", sender="", timeout=5)

    with pytest.raises(sms.SmsError, match="503.*quota exceeded"):
        gateway.send(phone="13800138000", text="t")


def test_http_gateway_raises_when_the_provider_is_unreachable(provider):
    gateway = sms.HttpGateway(url="http://127.0.0.1:9/sms", token="", sender="", timeout=2)

    with pytest.raises(sms.SmsError, match="unreachable"):
        gateway.send(phone="13800138000", text="t")


def test_http_gateway_needs_a_url(settings):
    settings.SMS_GATEWAY_URL = ""

    with pytest.raises(sms.SmsError):
        sms.HttpGateway()


def test_the_logging_gateway_is_the_default_and_keeps_what_it_sent(settings, caplog):
    sms.LoggingGateway.outbox.clear()
    assert settings.SMS_BACKEND == "supervision.sms.LoggingGateway"

    with caplog.at_level("INFO", logger="supervision.sms"):
        sms.get_gateway().send(phone="13800138000", text="你好")

    assert list(sms.LoggingGateway.outbox) == [sms.SentSms(phone="13800138000", text="你好")]
    assert "13800138000" in caplog.text
    sms.LoggingGateway.outbox.clear()
