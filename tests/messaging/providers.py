"""The providers, played by real HTTP servers on loopback in a thread of the test process:
企业微信's API (gettoken, message/send, the group robot's webhook/send) and Aliyun's SMS
API (SendSms with its RPC signature v1). Each speaks the provider's request format,
checks what the provider checks (the token, the signature, a used nonce, the time), keeps
what it accepted, and answers what the test tells it to.

The signature is checked here with code of its own, written from Aliyun's documentation,
not with the code under test."""

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.servers import free_port

CORP_ID = "ww-test-corp"
SECRET = "wecom-test-secret"
AGENT_ID = 1000002
ROBOT_KEY = "robot-key-693a91f6"
ACCESS_KEY_ID = "LTAI-test-key"
ACCESS_KEY_SECRET = "aliyun-test-secret"
SIGN_NAME = "红黄绿"
TEMPLATE_CODE = "SMS_460000001"


class Provider:
    """A server on loopback; ``answers``: what to answer next, in turn (then the normal
    answer); ``stall``: seconds to wait before answering the next requests (a timeout)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[dict] = []  # every request: path, query, headers, body
        self.answers: list = []
        self.stall: list[float] = []
        self._server = None

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple[int, dict]:
        raise NotImplementedError

    def start(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the providers answer
            # The answer in one write, as a real server sends it: headers and body written
            # apart on a kept-alive connection wait on the client's delayed ACK (40 ms).
            wbufsize = -1
            disable_nagle_algorithm = True

            def _serve(self, method):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                provider.requests.append(
                    {"path": parts.path, "query": query, "headers": dict(self.headers.items()), "body": body}
                )
                if provider.stall:
                    time.sleep(provider.stall.pop(0))
                status, answer = provider.handle(method, parts.path, query, self.headers, body)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def next_answer(self):
        return self.answers.pop(0) if self.answers else None


class WeCom(Provider):
    """qyapi.weixin.qq.com: tokens live until ``expire_tokens()``; app messages are
    dropped as duplicates when the same text reaches the same member within the interval
    asked for (as the platform does with enable_duplicate_check)."""

    def __init__(self):
        super().__init__()
        self.tokens: set[str] = set()
        self._numbers = itertools.count(1)
        self.delivered: list[dict] = []  # app messages that reached a member
        self.robot_posts: list[dict] = []
        self._seen: dict[tuple[str, str], float] = {}

    def expire_tokens(self):
        self.tokens.clear()

    def handle(self, method, path, query, headers, body):
        if path == "/cgi-bin/gettoken":
            if method != "GET":
                return 405, {}
            if query.get("corpid") != CORP_ID or query.get("corpsecret") != SECRET:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"token-{next(self._numbers)}"
            self.tokens.add(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if path == "/cgi-bin/message/send":
            if query.get("access_token") not in self.tokens:
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}
            answer = self.next_answer()
            if isinstance(answer, int) and answer >= 100 and answer < 600:
                return answer, {}
            if answer is not None:
                return 200, {"errcode": answer, "errmsg": "scripted"}
            message = json.loads(body)
            if (
                message.get("msgtype") != "text"
                or message.get("agentid") != AGENT_ID
                or not message.get("touser")
                or not message.get("text", {}).get("content")
            ):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}
            if message["touser"] == "nobody":
                return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "nobody", "msgid": ""}
            seen = (message["touser"], message["text"]["content"])
            now = time.monotonic()
            window = (
                message.get("duplicate_check_interval", 1800) if message.get("enable_duplicate_check") else 0
            )
            if not (window and seen in self._seen and now - self._seen[seen] < window):
                self.delivered.append(message)
            self._seen[seen] = now
            return 200, {
                "errcode": 0,
                "errmsg": "ok",
                "invaliduser": "",
                "msgid": f"msg-{len(self.requests)}",
            }
        if path == "/cgi-bin/webhook/send":
            if query.get("key") != ROBOT_KEY:
                return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
            answer = self.next_answer()
            if answer is not None:
                return 200, {"errcode": answer, "errmsg": "scripted"}
            self.robot_posts.append(json.loads(body))
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": 404, "errmsg": "not found"}


def aliyun_expected_signature(params: dict, secret: str, method: str) -> str:
    """Aliyun's RPC signature v1, from its documentation: sort the parameters by name,
    percent-encode names and values (RFC 3986: space %20, * %2A, ~ kept), join with & and
    =; sign "METHOD&%2F&" + the encoded query with HMAC-SHA1 under "secret&"; base64."""

    def encode(value):
        return urllib.parse.quote(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

    query = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))
    text = f"{method}&{encode('/')}&{encode(query)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), text.encode(), hashlib.sha1).digest()).decode()


class AliyunSms(Provider):
    """dysmsapi.aliyuncs.com: SendSms with its signature checked, its nonce used once, its
    timestamp within 15 minutes; ``sent`` keeps what reached a phone."""

    REQUIRED = {
        "AccessKeyId",
        "Action",
        "Format",
        "PhoneNumbers",
        "RegionId",
        "SignName",
        "SignatureMethod",
        "SignatureNonce",
        "SignatureVersion",
        "TemplateCode",
        "TemplateParam",
        "Timestamp",
        "Version",
    }

    def __init__(self):
        super().__init__()
        self.sent: list[dict] = []
        self.nonces: set[str] = set()

    def handle(self, method, path, query, headers, body):
        params = (
            dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)) if method == "POST" else {}
        )
        params |= query
        request_id = f"req-{len(self.requests)}"
        missing = self.REQUIRED - set(params)
        if missing:
            return 400, {
                "Code": "MissingParameter",
                "Message": ",".join(sorted(missing)),
                "RequestId": request_id,
            }
        signature = params.pop("Signature", "")
        if params["AccessKeyId"] != ACCESS_KEY_ID:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "RequestId": request_id}
        if not hmac.compare_digest(signature, aliyun_expected_signature(params, ACCESS_KEY_SECRET, method)):
            return 400, {"Code": "SignatureDoesNotMatch", "RequestId": request_id}
        stamp = time.mktime(time.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        if abs(time.time() - stamp) > 900:
            return 400, {"Code": "InvalidTimeStamp.Expired", "RequestId": request_id}
        if params["SignatureNonce"] in self.nonces:
            return 400, {"Code": "SignatureNonceUsed", "RequestId": request_id}
        self.nonces.add(params["SignatureNonce"])
        if (params["Action"], params["Version"], params["SignatureMethod"]) != (
            "SendSms",
            "2017-05-25",
            "HMAC-SHA1",
        ):
            return 400, {"Code": "InvalidParameter", "RequestId": request_id}
        answer = self.next_answer()
        if isinstance(answer, int):
            return answer, {"Code": "ServiceUnavailable", "RequestId": request_id}
        if answer is not None:
            return 200, {"Code": answer, "Message": "scripted", "RequestId": request_id}
        if not params["PhoneNumbers"].isdigit() or len(params["PhoneNumbers"]) != 11:
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "RequestId": request_id}
        json.loads(params["TemplateParam"])
        self.sent.append(params)
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{len(self.sent)}", "RequestId": request_id}
