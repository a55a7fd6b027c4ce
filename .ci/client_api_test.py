"""An integration test through the client generated from the served schema (.ci/client-api):
what an integrator's first afternoon does, with what an administrator gave them (tokens, a
door card's code, a webhook's secret) and the README. Run with the generated package on
PYTHONPATH, the settings in the environment (.ci/client-api sets them):

    HHL_URL         the app
    HHL_TOKEN       a grid worker's token (the phone's calls; the county platform's nightly sync)
    HHL_STAFF_TOKEN a community staff's token (the changes the sync must bring)
    HHL_APP_TOKEN   the residents' app's system account (services.request_help only)
    HHL_DOOR_CARD   the code of a door card's QR code
    HHL_HOOK_PORT, HHL_HOOK_SECRET  where the registered webhook posts, and its secret
"""

import base64
import datetime
import json
import os
import pathlib
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

from hhl_client import AuthenticatedClient
from hhl_client.api.v1 import (
    v1_help_requests_create,
    v1_households_list,
    v1_households_partial_update,
    v1_households_retrieve,
    v1_visits_batch_create,
)
from hhl_client.models import (
    BatchResult,
    Error,
    HelpKindEnum,
    HelpRequestAnswer,
    HelpRequestRequest,
    Household,
    PaginatedHouseholdList,
    PatchedHouseholdRequest,
    V1HouseholdsListOrderingItem,
    V1VisitsBatchCreateFilesBody,
    VisitBatchItemRequest,
)
from hhl_client.types import UNSET, File

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"

# An 8x8 JPEG: the visit form checks that a photo is an image.
PHOTO = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDkKKKK8U/TD//Z"
)


def pull_households(client) -> list:
    """Every household in the worker's scope, page by page, newest id first."""
    rows, number = [], 1
    while True:
        page = v1_households_list.sync(
            client=client, page=number, page_size=20, ordering=[V1HouseholdsListOrderingItem("-id")]
        )
        assert isinstance(page, PaginatedHouseholdList), page
        rows += page.results
        if not page.next_:
            assert len(rows) == page.count, (len(rows), page.count)
            return rows
        number += 1


def post_visit(client, household, key, visited_at) -> BatchResult:
    item = VisitBatchItemRequest(key=key, household=household.id, visited_at=visited_at)
    body = V1VisitsBatchCreateFilesBody(items=json.dumps([item.to_dict()]))
    body.additional_properties[f"photo-{key}"] = File(
        payload=BytesIO(PHOTO), file_name="photo.jpg", mime_type="image/jpeg"
    )
    result = v1_visits_batch_create.sync(client=client, body=body)
    assert isinstance(result, BatchResult), result
    return result


def readme_verify():
    """The README's ``verify`` (section "Events pushed to you"), taken from the README itself,
    so that the code an integrator copies is the code checked here."""
    text = README.read_text(encoding="utf-8")
    start = text.index("```python\nimport hashlib")
    block = text[start + len("```python\n") : text.index("```", start + 10)]
    code = block[: block.index("\nseen = set()")]  # its imports and verify, not its server
    namespace: dict = {}
    exec(compile(code, "README.md (verify)", "exec"), namespace)
    return namespace["verify"]


def sync(client, copy: dict, cursor: str) -> tuple[str, list[int], int]:
    """The README's nightly sync of households, through the generated client: apply every page
    until has_more is false. Returns the cursor to keep, the ids sent, and the requests made."""
    sent, requests = [], 0
    while True:
        page = v1_households_list.sync(client=client, cursor=cursor, page_size=20)
        requests += 1
        assert isinstance(page, PaginatedHouseholdList), page
        assert isinstance(page.cursor, str) and isinstance(page.has_more, bool), page
        for row in page.results:
            copy[row.id] = row.to_dict()
            sent.append(row.id)
        for gone in page.removed or []:
            copy.pop(gone, None)
        cursor = page.cursor
        if not page.has_more:
            assert page.next_ is None or page.next_ is UNSET, page.next_
            return cursor, sent, requests


def nightly_sync(client, staff) -> None:
    """(a) A full pull from an empty cursor; staff change two households through the API (one
    with If-Match); the next pull brings exactly those two, and the copy is the database's."""
    copy: dict[int, dict] = {}
    cursor, sent, requests = sync(client, copy, "")
    assert copy and len(sent) == len(copy), (len(sent), len(copy))
    first_pages = requests
    cursor, sent, requests = sync(client, copy, cursor)
    assert sent == [] and requests == 1, (sent, requests)  # up to date: one request, nothing sent

    changed = sorted(copy)[:2]
    phones = {}
    for number, household_id in enumerate(changed):
        read = v1_households_retrieve.sync_detailed(household_id, client=staff)
        assert read.status_code == 200, read
        tag = read.headers["ETag"]
        phones[household_id] = f"139{time.time_ns() % 10**7:07d}{number}"
        answer = v1_households_partial_update.sync_detailed(
            household_id,
            client=staff,
            body=PatchedHouseholdRequest(phone=phones[household_id]),
            if_match=tag if number == 0 else UNSET,
        )
        assert answer.status_code == 200 and isinstance(answer.parsed, Household), answer
        assert answer.headers["ETag"] != tag
    stale = v1_households_partial_update.sync_detailed(
        changed[0], client=staff, body=PatchedHouseholdRequest(phone="13900000000"), if_match=tag
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, Error), stale  # a lost update refused

    cursor, sent, requests = sync(client, copy, cursor)
    assert sorted(sent) == changed, (sent, changed)
    assert all(copy[i]["phone"] == phones[i] for i in changed), [copy[i]["phone"] for i in changed]
    fresh: dict[int, dict] = {}
    sync(client, fresh, "")
    assert copy == fresh, sorted(set(copy.items()) ^ set(fresh.items()))
    print(
        f"synced {len(copy)} households ({first_pages} pages), then the 2 changed by staff in "
        f"{requests} request(s), has_more false; the copy equals a full pull; a stale If-Match: 412"
    )


def push_help_request(app, door_card: str) -> int:
    """(b) The residents' app pushes a help request with a retry: one case, the same answer,
    the retry marked as replayed; the same key with another body is a 422."""
    key = str(uuid.uuid4())
    body = HelpRequestRequest(door_card=door_card, kind=HelpKindEnum.DAILY, text="CI: the tap leaks")
    first = v1_help_requests_create.sync_detailed(client=app, body=body, idempotency_key=key)
    assert first.status_code == 201 and isinstance(first.parsed, HelpRequestAnswer), first
    assert first.parsed.new_case and "Idempotent-Replayed" not in first.headers, first
    again = v1_help_requests_create.sync_detailed(client=app, body=body, idempotency_key=key)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true", again
    assert again.content == first.content, (first.content, again.content)
    other = HelpRequestRequest(door_card=door_card, kind=HelpKindEnum.MONEY)
    misused = v1_help_requests_create.sync_detailed(client=app, body=other, idempotency_key=key)
    assert misused.status_code == 422 and isinstance(misused.parsed, Error), misused
    assert "Idempotency-Key" in misused.parsed.fields.additional_properties, misused.parsed
    print(f"help request sent twice under one key: case {first.parsed.case}, retry replayed; other body: 422")
    return first.parsed.case


class Hooks:
    """The receiving system: a real HTTP server on loopback that checks every request with the
    README's verify before reading it, and answers 204."""

    def __init__(self, port: int, secret: str):
        self.secret, self.verify, self.events = secret, readme_verify(), queue.Queue()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not hooks.verify(hooks.secret, self.headers, body):
                    self.send_response(401)
                    self.end_headers()
                    hooks.events.put(("refused", dict(self.headers.items()), body))
                    return
                hooks.events.put(("verified", dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, types: set[str], timeout: float = 60) -> dict[str, dict]:
        got, deadline = {}, time.monotonic() + timeout
        while set(got) < types:
            try:
                verdict, headers, body = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no webhook for {types - set(got)} in {timeout} s") from None
            assert verdict == "verified", (verdict, headers)
            event = json.loads(body)
            assert headers["X-HHL-Event-Type"] == event["type"]
            assert headers["X-HHL-Event-Id"] == str(event["id"])
            got[event["type"]] = event
        return got


def main() -> None:
    env = os.environ
    base_url = env["HHL_URL"]

    def client_for(token: str) -> AuthenticatedClient:
        return AuthenticatedClient(
            base_url=base_url, token=token, prefix="Token", headers={"Accept-Language": "en"}, timeout=30
        )

    client, staff = client_for(env["HHL_TOKEN"]), client_for(env["HHL_STAFF_TOKEN"])
    app = client_for(env["HHL_APP_TOKEN"])
    hooks = Hooks(int(env["HHL_HOOK_PORT"]), env["HHL_HOOK_SECRET"])

    nightly_sync(client, staff)

    households = pull_households(client)
    ids = [household.id for household in households]
    assert ids and ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    print(f"pulled {len(ids)} households")

    # A retry sends the same visit again: the same key, the same time (a time read again
    # could fall in the next second, another visit under a used key, refused).
    key, visited_at = uuid.uuid4(), datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    first = post_visit(client, households[0], key, visited_at).results[0]
    again = post_visit(client, households[0], key, visited_at).results[0]  # after a lost answer
    assert first.status == "created" and again.status == "duplicate" and again.id == first.id, (first, again)
    print(f"visit {first.id} recorded with its photo; the retry answered duplicate")

    past_the_end = v1_households_list.sync_detailed(client=client, page=10_000)
    assert past_the_end.status_code == 404 and isinstance(past_the_end.parsed, Error)
    assert past_the_end.parsed.code == "not_found", past_the_end.parsed

    bogus = v1_households_list.sync_detailed(client=client, tier="bogus")
    assert bogus.status_code == 400 and isinstance(bogus.parsed, Error)
    assert bogus.parsed.code == "invalid" and "tier" in bogus.parsed.fields.additional_properties

    chinese = client.get_httpx_client().get("/api/v1/no-such-list/", headers={"Accept-Language": "zh-hans"})
    assert chinese.status_code == 404 and chinese.json()["code"] == "not_found"
    assert not chinese.json()["message"].isascii(), chinese.json()
    print("errors read: a page past the end, an unknown tier, an unknown path (in Chinese)")

    started = time.monotonic()
    case = push_help_request(app, env["HHL_DOOR_CARD"])
    events = hooks.wait_for({"case.opened", "help_request.received"})
    opened, received = events["case.opened"], events["help_request.received"]
    assert opened["data"]["case"] == received["data"]["case"] == case, events
    assert received["data"]["new_case"] is True and opened["id"] < received["id"], events
    assert opened["data"]["category"] == "help" and opened["data"]["status"] == "open", opened
    assert set(received["unit"]) == {"id", "code"}, received
    print(
        f"webhooks received, signatures checked with the README's verify: case.opened "
        f"#{opened['id']} and help_request.received #{received['id']} for case {case}, "
        f"{time.monotonic() - started:.1f} s after the request (Celery worker)"
    )
    hooks.server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
