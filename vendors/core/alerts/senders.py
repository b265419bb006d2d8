"""Sending one notification: a webhook's JSON (HMAC-signed), a Slack message, an email.

A webhook's URL is a team admin's choice, so it goes through the vendors' outbound policy at every
connection (vendors/core/outbound.py), never follows a redirect, and its answer is read bounded and
never relayed: a failure is said as `HTTP 500 from host:port (text/html, 3 KB)`. The URL is a secret
(Slack's carries its key): no message here names more of it than its host and port.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import EmailMessage

from console import redaction
from vendors.core import answers, outbound
from vendors.core.alerts.models import Channel, ChannelKind, Delivery
from vendors.core.alerts.notifications import FIELDS
from vendors.core.http import tls_context

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
SIGNATURE_HEADER = "X-Console-Signature"
#: Slack's documented error answers are short codes in plain text ("no_service", "invalid_payload")
_SLACK_ERROR = re.compile(r"[a-z_]{2,64}")
_HEADS = {Delivery.Event.FIRING: "Firing", Delivery.Event.REMINDER: "Still firing",
          Delivery.Event.RESOLVED: "Resolved", Delivery.Event.TEST: "Test"}


class SendFailed(Exception):
    """A sentence for the channel's page (no secret, no stranger's words); `retry`: worth another try."""

    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact body sent, keyed with the channel's signing secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def where(url: str) -> str:
    """`host:port` of a URL: all of it a message may name."""
    try:
        parts = urlsplit(url)
        port = parts.port or outbound.DEFAULT_PORTS.get(parts.scheme, 443)
    except ValueError:
        return "an unusable URL"
    return f"{parts.hostname}:{port}" if parts.hostname else "an unusable URL"


def send(channel: Channel, payload: dict, event: str) -> str:
    """Send one notification; returns a sentence saying where it went, raises SendFailed."""
    if channel.kind == ChannelKind.EMAIL:
        return _email(channel, payload, event)
    url = channel.secrets.get("url")
    if not url:
        raise SendFailed("The channel has no URL: set one on its page.", retry=False)
    secret = channel.secrets.get("signing_secret")
    redaction.register(url, urlsplit(url).path if len(urlsplit(url).path) > 12 else None, secret)
    if channel.kind == ChannelKind.SLACK:
        body = body_of(slack_message(payload, event))
        headers = {"Content-Type": "application/json"}
    else:
        body = body_of({name: payload.get(name) for name in FIELDS})
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SIGNATURE_HEADER] = signature(secret, body)
    _post(url, body, headers, slack=channel.kind == ChannelKind.SLACK)
    return f"Posted to {where(url)}."


def _post(url: str, body: bytes, headers: dict, *, slack: bool) -> None:
    target = where(url)
    transport = outbound.guarded_transport(verify=tls_context())
    with httpx.Client(transport=transport, timeout=TIMEOUT, follow_redirects=False,
                      headers={"User-Agent": "ops-console/1.0"}) as client:
        try:
            request = client.build_request("POST", url, content=body, headers=headers)
            response = client.send(request, stream=True)
        except outbound.OutboundRefused as refused:
            raise SendFailed(str(refused), retry=False) from None
        except httpx.TimeoutException:
            raise SendFailed(f"{target} did not answer within {TIMEOUT.read:g} s.", retry=True) from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise SendFailed(f"Could not reach {target} ({exc.__class__.__name__}).", retry=True) from None
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            raise SendFailed(f"The channel's URL cannot be used ({exc.__class__.__name__}).", retry=False) from None
        try:
            answers.read_bounded(response, vendor=target)
        except (answers.AnswerTooLarge, httpx.HTTPError):
            response._content = b""  # the status is what counts; a body too large or cut is not read
    if response.is_success:
        return
    message = answers.described(response)
    text = response.content.decode("utf-8", "replace").strip() if len(response.content) <= 64 else ""
    if slack and _SLACK_ERROR.fullmatch(text):  # Slack's own documented error words
        message = f"Slack answered HTTP {response.status_code}: {text}"
    status = response.status_code
    raise SendFailed(message + ".", retry=status in (408, 425, 429) or status >= 500)


def _mrkdwn(text: str) -> str:
    """Slack's escaping: only &, < and > are control characters in its text."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(payload: dict, event: str) -> dict:
    """Slack's incoming-webhook format: `text` (the notification's fallback) and Block Kit `blocks`."""
    head = f"{_HEADS.get(event, 'Firing')} · {payload['severity']}"
    title = _mrkdwn(payload["title"])
    link = f"<{payload['url']}|{title}>" if str(payload.get("url", "")).startswith("http") else title
    context = " · ".join(_mrkdwn(part) for part in (
        payload.get("vendor"), payload.get("connection"), f"team {payload.get('team')}",
        f"since {payload.get('since')}" if payload.get("since") else "") if part)
    section = f"*{_mrkdwn(head)}*: {link}"
    if payload.get("detail"):
        section += f"\n{_mrkdwn(payload['detail'])[:2500]}"
    return {"text": f"[{head}] {title}",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": section}},
                       {"type": "context", "elements": [{"type": "mrkdwn", "text": context or "ops console"}]}]}


def email_message(payload: dict, event: str) -> tuple[str, str]:
    head = _HEADS.get(event, "Firing")
    subject = f"[{head}] {payload['severity']}: {payload['title']}"
    lines = [payload["title"], "", payload.get("detail") or "", "",
             f"Status: {head.lower()}", f"Severity: {payload['severity']}",
             f"Vendor: {payload.get('vendor')}", f"Connection: {payload.get('connection') or '-'}",
             f"Team: {payload.get('team')}", f"Since: {payload.get('since') or '-'}"]
    if payload.get("url"):
        lines.append(f"Open: {payload['url']}")
    return " ".join(subject.split())[:200], "\n".join(lines) + "\n"


def _email(channel: Channel, payload: dict, event: str) -> str:
    if not getattr(settings, "EMAIL_URL", ""):
        raise SendFailed("EMAIL_URL is not set: the console has no mail server to send through.", retry=False)
    if not channel.recipients:
        raise SendFailed("The channel has no recipient: add one on its page.", retry=False)
    subject, text = email_message(payload, event)
    server = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    try:
        EmailMessage(subject, text, to=list(channel.recipients)).send()
    except smtplib.SMTPRecipientsRefused:
        raise SendFailed(f"The mail server {server} refused every recipient.", retry=False) from None
    except smtplib.SMTPResponseException as exc:
        raise SendFailed(f"The mail server {server} answered {exc.smtp_code}.", retry=400 <= exc.smtp_code < 500) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailed(f"Could not send through the mail server {server} ({exc.__class__.__name__}).",
                         retry=True) from None
    return f"Mailed to {len(channel.recipients)} recipient(s) through {server}."
