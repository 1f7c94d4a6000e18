"""SMS gateways: one small interface, chosen by the SMS_BACKEND setting (a dotted path).

`LoggingGateway` (the default) sends nothing: it logs each message and keeps it in
`outbox`, so the embedded default and the tests need no provider. `HttpGateway` POSTs
JSON to the provider's endpoint configured by SMS_GATEWAY_URL / SMS_GATEWAY_TOKEN /
SMS_SENDER / SMS_GATEWAY_TIMEOUT; a provider with another API gets a subclass.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway did not accept the message; the delivery is retried later."""


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str


class SmsGateway:
    """Sends one text message to one mainland mobile number, or raises SmsError."""

    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingGateway(SmsGateway):
    """Logs the message instead of sending it; `outbox` keeps the last ones 'sent' (the
    delivery log keeps them all)."""

    outbox: deque[SentSms] = deque(maxlen=1000)

    def send(self, *, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)
        LoggingGateway.outbox.append(SentSms(phone=phone, text=text))


class HttpGateway(SmsGateway):
    """POSTs {"to", "text", "sender"} as JSON with a bearer token; non-2xx is an error."""

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
    ):
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.sender = sender if sender is not None else settings.SMS_SENDER
        self.timeout = timeout if timeout is not None else settings.SMS_GATEWAY_TIMEOUT
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set")

    def send(self, *, phone: str, text: str) -> None:
        payload = json.dumps({"to": phone, "text": text, "sender": self.sender}).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            body = error.read(500).decode(errors="replace")
            raise SmsError(f"gateway answered {error.code}: {body}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"gateway unreachable: {error}") from error
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered {status}")


def get_gateway() -> SmsGateway:
    return import_string(settings.SMS_BACKEND)()
