"""The channels a message can take: the app's inbox, e-mail, 企业微信 (an app message to
one person, or a group robot's post), SMS through Aliyun, and the console for the demo.

Each channel's ``send(message, contact)`` answers an ``Outcome``: sent, failed for good,
to be tried again, or sent without an answer (a timeout after the request left). What a
provider answers is kept as its code; what was sent (text, phone number) is never logged.

The providers' addresses are settings (WECOM_API_URL, ALIYUN_SMS_URL), so that the tests
point them at a server on loopback that speaks their protocol and checks signatures.

SMS: Aliyun's SendSms (dysmsapi, version 2017-05-25) with its RPC signature v1,
HMAC-SHA1 over the sorted, percent-encoded parameters. Chosen over Tencent Cloud's TC3 for
being the common provider of county and street offices, and because the request is a
plain form whose signature is fully specified by a few lines: a server on loopback checks
it exactly. Sent as a POST form, so that the phone number is in no URL (nor in any proxy's
access log).
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail

from messaging.models import Channel


@dataclass
class Outcome:
    sent: bool = False
    retry: bool = False  # not sent: try again later
    uncertain: bool = False  # no answer after the request left: it may have arrived
    http_status: int | None = None
    code: str = ""  # the provider's answer code (errcode, Code), or ours
    provider_id: str = ""
    error: str = ""  # timeout, connection, no_address, config
    duration_ms: int = 0


class NoAddress(Exception):
    """The user has no address on this channel."""


@dataclass
class Reply:
    status: int | None
    data: dict
    error: str
    duration_ms: int


_connections = threading.local()


def _connection(parts) -> tuple[http.client.HTTPConnection, bool]:
    """A kept-alive connection to the provider's host, per thread (a morning's thousand
    digests cost one TCP and TLS handshake, not a thousand); True if it is reused."""
    pool = _connections.__dict__.setdefault("pool", {})
    key = (parts.scheme, parts.hostname, parts.port)
    if key in pool:
        return pool[key], True
    timeout = settings.MESSAGES_TIMEOUT_SECONDS
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pool[key] = connection
    return connection, False


def _drop(parts) -> None:
    connection = _connections.__dict__.get("pool", {}).pop((parts.scheme, parts.hostname, parts.port), None)
    if connection is not None:
        connection.close()


def _http(method: str, url: str, *, body: bytes | None = None, headers=None) -> Reply:
    """One request with the messages' timeout; JSON back (an empty dict when it is not).
    A timeout after the request was written is reported as such: the caller decides
    whether the provider may have got it."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.perf_counter()
    status, data, error = None, {}, ""
    for fresh_try in (False, True):
        try:
            connection, reused = _connection(parts)
        except OSError:
            error = "connection"  # never reached the provider: safe to try again
            break
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            status, raw = response.status, response.read(256 * 1024)
            if response.will_close:
                _drop(parts)
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                data = {}
            if not isinstance(data, dict):
                data = {}
            break
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # A kept-alive connection the provider had closed while idle: once more, anew.
            _drop(parts)
            if not reused or fresh_try:
                error = "no_answer"
                break
        except TimeoutError:
            _drop(parts)
            error = "timeout"
            break
        except (OSError, http.client.HTTPException):
            _drop(parts)
            error = "no_answer"
            break
    return Reply(status, data, error, round((time.perf_counter() - started) * 1000))


def _after_no_reply(reply: Reply, *, deduplicated: bool) -> Outcome:
    """No usable reply: a connection never made is tried again; a request that left
    without an answer is tried again only where the provider drops duplicates."""
    if reply.error == "connection" or deduplicated:
        return Outcome(retry=True, error=reply.error, duration_ms=reply.duration_ms)
    return Outcome(uncertain=True, error=reply.error, duration_ms=reply.duration_ms)


def text_of(message) -> str:
    text = f"{message.subject}\n{message.body}"
    if message.link:
        text += f"\n{settings.MESSAGES_SITE_URL.rstrip('/')}{message.link}"
    return text


class Backend:
    channel: str
    # Buzzes a phone: held back during quiet hours unless urgent.
    interrupts = True

    def send(self, message, contact) -> Outcome:
        raise NotImplementedError


class InApp(Backend):
    """The inbox has the notification already: nothing leaves the app."""

    channel = Channel.INAPP
    interrupts = False

    def send(self, message, contact) -> Outcome:
        return Outcome(sent=True, code="inbox")


class Console(Backend):
    """For the demo: the message printed on the worker process's standard output, as
    Django's console e-mail backend does (not through logging: the text is personal)."""

    channel = Channel.CONSOLE
    stream = None

    def send(self, message, contact) -> Outcome:
        stream = self.stream or sys.stdout
        stream.write(
            f"--- message #{message.pk} to {message.recipient} [{message.kind}]\n{text_of(message)}\n"
        )
        stream.flush()
        return Outcome(sent=True, code="console")


class Email(Backend):
    channel = Channel.EMAIL
    interrupts = False

    def send(self, message, contact) -> Outcome:
        address = message.recipient.email
        if not address:
            raise NoAddress
        body = message.body
        if message.link:
            body += f"\n\n{settings.MESSAGES_SITE_URL.rstrip('/')}{message.link}"
        started = time.perf_counter()
        try:
            send_mail(message.subject, body, None, [address], fail_silently=False)
        except Exception as error:  # smtplib's errors, a refused connection: try later
            return Outcome(retry=True, error="smtp", code=type(error).__name__[:64])
        return Outcome(sent=True, code="250", duration_ms=round((time.perf_counter() - started) * 1000))


# -- 企业微信 ------------------------------------------------------------------------------

# errcodes (developer.work.weixin.qq.com, 全局错误码): the token is stale or invalid; the
# platform is busy or the rate is exceeded (try later). Any other non-zero code is final.
WECOM_TOKEN_ERRORS = {40014, 42001, 40082}
WECOM_TRY_LATER = {-1, 45009, 45033, 45047}
TOKEN_CACHE_KEY = "messaging:wecom-token:{corp}"


def wecom_url(path: str, **query) -> str:
    return f"{settings.WECOM_API_URL.rstrip('/')}{path}?{urlencode(query)}"


def wecom_token(*, refresh: bool = False) -> tuple[str | None, Outcome | None]:
    """The app's access_token, from the cache while it lives (7,200 s, less a margin)."""
    key = TOKEN_CACHE_KEY.format(corp=settings.WECOM_CORP_ID)
    if not refresh and (token := cache.get(key)):
        return token, None
    reply = _http(
        "GET", wecom_url("/cgi-bin/gettoken", corpid=settings.WECOM_CORP_ID, corpsecret=settings.WECOM_SECRET)
    )
    if reply.error:
        return None, _after_no_reply(reply, deduplicated=True)  # asking for a token sends nothing
    errcode = reply.data.get("errcode", -1 if reply.status != 200 else 0)
    token = reply.data.get("access_token")
    if errcode != 0 or not token:
        return None, Outcome(
            retry=errcode in WECOM_TRY_LATER or (reply.status or 0) >= 500,
            http_status=reply.status,
            code=f"gettoken:{errcode}",
            error="config" if errcode not in WECOM_TRY_LATER else "",
            duration_ms=reply.duration_ms,
        )
    lives = int(reply.data.get("expires_in") or 7200)
    cache.set(key, token, max(lives - 300, 60))
    return token, None


def _wecom_outcome(reply: Reply, *, deduplicated: bool) -> Outcome:
    if reply.error:
        return _after_no_reply(reply, deduplicated=deduplicated)
    errcode = reply.data.get("errcode")
    if reply.status != 200 or errcode is None:
        return Outcome(
            retry=True, http_status=reply.status, code=str(errcode or ""), duration_ms=reply.duration_ms
        )
    if errcode == 0 and not reply.data.get("invaliduser"):
        return Outcome(
            sent=True,
            http_status=200,
            code="0",
            provider_id=str(reply.data.get("msgid") or "")[:100],
            duration_ms=reply.duration_ms,
        )
    if errcode == 0:  # accepted, but the user is not in the app's address book
        return Outcome(http_status=200, code="invaliduser", error="no_address", duration_ms=reply.duration_ms)
    return Outcome(
        retry=errcode in WECOM_TRY_LATER, http_status=200, code=str(errcode), duration_ms=reply.duration_ms
    )


class WeComApp(Backend):
    """An app message (应用消息) to one member: message/send with the app's access_token.

    Sent with WeCom's duplicate check on (``enable_duplicate_check``): the platform drops
    the same text to the same member within half an hour, so a try that timed out may be
    sent again without reaching anyone twice."""

    channel = Channel.WECOM
    DUPLICATE_CHECK_SECONDS = 1800

    def send(self, message, contact) -> Outcome:
        if contact is None or not contact.wecom_userid:
            raise NoAddress
        body = json.dumps(
            {
                "touser": contact.wecom_userid,
                "msgtype": "text",
                "agentid": settings.WECOM_AGENT_ID,
                "text": {"content": text_of(message)},
                "safe": 0,
                "enable_duplicate_check": 1,
                "duplicate_check_interval": self.DUPLICATE_CHECK_SECONDS,
            },
            ensure_ascii=False,
        ).encode()
        for refresh in (False, True):
            token, failed = wecom_token(refresh=refresh)
            if failed is not None:
                return failed
            reply = _http(
                "POST",
                wecom_url("/cgi-bin/message/send", access_token=token),
                body=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
            if not reply.error and reply.data.get("errcode") in WECOM_TOKEN_ERRORS and not refresh:
                continue  # the token expired early or was replaced: once more with a new one
            return _wecom_outcome(reply, deduplicated=True)
        return _wecom_outcome(reply, deduplicated=True)


class WeComRobot(Backend):
    """A post to a work group by its robot (群机器人, webhook/send?key=…), naming the member.

    Everyone in the group reads it: the texts carry household numbers and counts, never a
    name or a phone number. The robot drops no duplicates, so a try without an answer is
    not sent again by itself."""

    channel = Channel.WECOM_ROBOT

    def send(self, message, contact) -> Outcome:
        if contact is None or not contact.wecom_robot_key:
            raise NoAddress
        text = {"content": text_of(message)}
        if contact.wecom_userid:
            text["mentioned_list"] = [contact.wecom_userid]
        reply = _http(
            "POST",
            wecom_url("/cgi-bin/webhook/send", key=contact.wecom_robot_key),
            body=json.dumps({"msgtype": "text", "text": text}, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        return _wecom_outcome(reply, deduplicated=False)


# -- Aliyun SMS ---------------------------------------------------------------------------

ALIYUN_TRY_LATER = {"isp.SYSTEM_ERROR", "isv.BUSINESS_LIMIT_CONTROL", "Throttling", "ServiceUnavailable"}


def percent_encode(value: str) -> str:
    """RFC 3986, as Aliyun's signature wants: space as %20, * as %2A, ~ as is."""
    return quote(str(value), safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    mac = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def sms_params(message) -> str:
    """The template's parameters: the kind and the subject, cut short (a variable of an
    approved template may hold 35 characters); the page behind the login has the rest."""
    return json.dumps(
        {"kind": str(message.get_kind_display())[:20], "summary": message.subject[:35]},
        ensure_ascii=False,
        separators=(",", ":"),
    )


class AliyunSms(Backend):
    channel = Channel.SMS

    def send(self, message, contact) -> Outcome:
        if contact is None or not contact.mobile:
            raise NoAddress
        params = {
            "AccessKeyId": settings.ALIYUN_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": str(message.pk),
            "PhoneNumbers": contact.mobile,
            "RegionId": settings.ALIYUN_SMS_REGION,
            "SignName": settings.ALIYUN_SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": settings.ALIYUN_SMS_TEMPLATE_CODE,
            "TemplateParam": sms_params(message),
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, settings.ALIYUN_SMS_ACCESS_KEY_SECRET)
        reply = _http(
            "POST",
            settings.ALIYUN_SMS_URL,
            body=urlencode(params, quote_via=quote).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        if reply.error:
            return _after_no_reply(reply, deduplicated=False)
        code = str(reply.data.get("Code") or "")
        if reply.status == 200 and code == "OK":
            return Outcome(
                sent=True,
                http_status=200,
                code="OK",
                provider_id=str(reply.data.get("BizId") or "")[:100],
                duration_ms=reply.duration_ms,
            )
        return Outcome(
            retry=code in ALIYUN_TRY_LATER or code.startswith("Throttling") or (reply.status or 0) >= 500,
            http_status=reply.status,
            code=code[:64],
            duration_ms=reply.duration_ms,
        )


BACKENDS: dict[str, Backend] = {
    backend.channel: backend
    for backend in (InApp(), Console(), Email(), WeComApp(), WeComRobot(), AliyunSms())
}


def backend(channel: str) -> Backend:
    return BACKENDS[channel]
