"""An integration test through the client generated from the served schema (.ci/client-api):
what an integrator's first afternoon does. Run with the generated package on PYTHONPATH:
client_api_test.py BASE_URL TOKEN."""

import base64
import datetime
import json
import sys
import uuid
from io import BytesIO

from hhl_client import AuthenticatedClient
from hhl_client.api.v1 import v1_households_list, v1_visits_batch_create
from hhl_client.models import (
    BatchResult,
    Error,
    PaginatedHouseholdList,
    V1HouseholdsListOrderingItem,
    V1VisitsBatchCreateFilesBody,
    VisitBatchItemRequest,
)
from hhl_client.types import File

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


def post_visit(client, household, key) -> BatchResult:
    item = VisitBatchItemRequest(
        key=key,
        household=household.id,
        visited_at=datetime.datetime.now(datetime.UTC).replace(microsecond=0),
    )
    body = V1VisitsBatchCreateFilesBody(items=json.dumps([item.to_dict()]))
    body.additional_properties[f"photo-{key}"] = File(
        payload=BytesIO(PHOTO), file_name="photo.jpg", mime_type="image/jpeg"
    )
    result = v1_visits_batch_create.sync(client=client, body=body)
    assert isinstance(result, BatchResult), result
    return result


def main(base_url: str, token: str) -> None:
    client = AuthenticatedClient(
        base_url=base_url, token=token, prefix="Token", headers={"Accept-Language": "en"}, timeout=30
    )

    households = pull_households(client)
    ids = [household.id for household in households]
    assert ids and ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    print(f"pulled {len(ids)} households")

    key = uuid.uuid4()
    first = post_visit(client, households[0], key).results[0]
    again = post_visit(client, households[0], key).results[0]  # a retry after a lost answer
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


if __name__ == "__main__":
    main(*sys.argv[1:3])
