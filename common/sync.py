"""The change feed: what changed in a list after a point, for another system that keeps a
copy (a county platform pulling nightly, an offline phone).

A list declared with ``pagination_class = ChangeFeed`` keeps its numbered pages for people
(``?page=``); ``?cursor=`` switches it to the feed. An empty cursor starts from the
beginning (a full pull); every answer carries the cursor to send next. The feed walks the
rows in the order they last changed (``updated_at``, then ``id``), and answers:

- ``results``: rows changed after the cursor that the caller sees, as the list shows them;
- ``removed``: the ids of rows changed after it that the caller no longer sees (moved out,
  left, closed and so outside the caller's filters, or moved to a unit outside their
  scope). Ids only: a tombstone says nothing about who. Only rows the caller could have
  seen are named (``once_visible_to``: their scope now, or the model's history of it);
- ``cursor`` and ``has_more``: call again with the cursor while ``has_more`` is true;
  keep the last one for the next pull.

A full pull followed by incremental pulls leaves the caller with the rows the list shows
them now, each as it is now.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from common.api import Pages

# Rows of the still-unsettled tail already sent, carried in the cursor (see below). Past
# this many, the feed pauses at the tail until it settles: a cursor stays short enough
# for a URL (about 2 KB).
MAX_UNSETTLED = 100
# How far apart the application's clocks and the database's may be, and how long a
# transaction may hold a row between its save() (which stamps updated_at) and its first
# write (from which PostgreSQL lists it as writing).
CLOCK_MARGIN = datetime.timedelta(seconds=5)
_SALT = "hhl.api.change-feed.v1"
_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class ScopeChanged(APIException):
    status_code = 410
    default_code = "scope_changed"


def _micros(moment: datetime.datetime) -> int:
    return (moment - _EPOCH) // datetime.timedelta(microseconds=1)


def _moment(micros: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(microseconds=micros)


def settled_before() -> datetime.datetime:
    """The moment before which every row's latest change is committed and visible.

    A row's ``updated_at`` is stamped at save(), before its transaction commits; on
    PostgreSQL transactions commit in any order, so a row stamped 10:00:00 may become
    visible after one stamped 10:00:01 was sent. A cursor that had moved past 10:00:01
    would skip it for good. Two ways out were weighed: a sequence stamped at commit (a
    trigger per table, and a second clock for clients to reason about), or a look-back
    with de-duplication. This is the look-back: rows stamped after this moment (the
    unsettled tail) are sent as they are found, but the cursor does not move past them;
    it carries their (id, updated_at) instead, so that the next call sends them no
    second time and sends a late-committing row it had not seen. The window is not a
    guess: it reaches back to the start of the oldest transaction now writing to this
    database (``pg_stat_activity``), so that however long a transaction runs (an Excel
    import), its rows are found; a clock margin covers the rest. SQLite commits one
    writer at a time: the margin alone does.
    """
    horizon = timezone.now() - CLOCK_MARGIN
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Our own transaction excepted: what it wrote, this request sees.
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
            oldest = cursor.fetchone()[0]
        if oldest is not None:
            horizon = min(horizon, oldest - CLOCK_MARGIN)
    return horizon


def scope_signature(user) -> str:
    """Where the user's scope is rooted, from the function the settings name (the grid
    owns it; this module lies below it)."""
    return import_string(settings.API_SCOPE_SIGNATURE)(user)


def touch_dependents(instance, *, at: datetime.datetime | None = None, depth: int = 2) -> None:
    """Mark as changed every row that hangs off ``instance`` (by a foreign key, down to
    ``depth`` steps) and carries ``updated_at``: called when ``instance`` moves to another
    unit, so that a caller into whose scope it came receives its members, visits and
    cases, and one out of whose scope it went is told they left. Rows keep no other trace
    of such a move; a household's history lies with the household."""
    at = at or timezone.now()
    _touch(type(instance)._base_manager.filter(pk=instance.pk), type(instance), at, depth)


def _touch(parents, model, at, depth) -> None:
    if depth == 0:
        return
    for relation in model._meta.related_objects:
        related = relation.related_model
        names = {field.name for field in related._meta.concrete_fields}
        # A history's copies (simple_history) are records of the past, not rows to sync.
        if not relation.one_to_many or "updated_at" not in names or "history_id" in names:
            continue
        rows = related._base_manager.filter(**{f"{relation.field.name}__in": parents.values("pk")})
        rows.update(updated_at=at)
        _touch(rows, related, at, depth - 1)


class ChangeFeed(Pages):
    """Numbered pages, or, with ``?cursor=``, the change feed (see the module)."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.feed = self.cursor_query_param in request.query_params
        if not self.feed:
            # Ties broken by id: sorted by a column many rows share (updated_at after a
            # bulk change), pages otherwise overlap and skip.
            order = [str(field) for field in queryset.query.order_by]
            if not {"id", "-id", "pk", "-pk"} & set(order):
                queryset = queryset.order_by(*order, "pk")
            return super().paginate_queryset(queryset, request, view)
        return self._feed_page(queryset, request, view)

    # The feed -----------------------------------------------------------------------

    def _feed_page(self, queryset, request, view):
        refused = {
            name: [_("Not with a cursor: the change feed is ordered by updated time, then id.")]
            for name in ("page", "ordering")
            if name in request.query_params
        }
        if refused:
            raise ValidationError(refused)
        self.request = request
        size = self.get_page_size(request)
        context = self._context(request, view)
        position, unsettled = self._read(request.query_params[self.cursor_query_param], context)
        horizon = settled_before()

        model = queryset.model
        entitled = model._default_manager.all()
        entitled = (
            entitled.once_visible_to(request.user) if hasattr(entitled, "once_visible_to") else queryset
        )
        if position is not None:
            moment, pk = _moment(position[0]), position[1]
            entitled = entitled.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
        # One query for the page's ids, whether each is in the list as filtered (a result)
        # or not (a tombstone); its rows in a second, joined and prefetched as the list asks.
        candidates = list(
            entitled.annotate(shown=Exists(queryset.filter(pk=OuterRef("pk"))))
            .order_by("updated_at", "pk")
            .values_list("pk", "updated_at", "shown")[: size + len(unsettled) + 1]
        )
        shown, removed = [], []
        more = False
        for pk, updated_at, is_shown in candidates:
            key = (_micros(updated_at), pk)
            settled = updated_at <= horizon
            if key not in unsettled:  # else sent by an earlier call, while it was unsettled
                if len(shown) + len(removed) == size:
                    more = True
                    break
                if not settled and len(unsettled) >= MAX_UNSETTLED:
                    break  # paused at the tail until it settles: the next pull takes it
                (shown if is_shown else removed).append(pk)
            # The rows come in order and the settled ones first: the cursor moves past
            # each settled one, and remembers each unsettled one instead.
            if settled:
                position = key
            else:
                unsettled.add(key)
        if position is not None:
            unsettled = {key for key in unsettled if key > tuple(position)}  # passed: forgotten
        self.removed = removed
        self.has_more = more
        self.next_cursor = self._write(position, unsettled, context)
        rows = {row.pk: row for row in self._rows(queryset, shown)}
        return [rows[pk] for pk in shown if pk in rows]

    @staticmethod
    def _rows(queryset, ids):
        if not ids:
            return []
        # A filter through a relation may match a row twice: the caller keys them by id.
        return queryset.filter(pk__in=ids).order_by()

    def _context(self, request, view) -> dict:
        """What a cursor is valid for: this list, these filters, this user."""
        filters = sorted(
            (name, value)
            for name, values in request.query_params.lists()
            if name not in (self.cursor_query_param, self.page_size_query_param)
            for value in values
        )
        digest = hashlib.sha256(
            json.dumps([request.path, request.user.pk, filters], ensure_ascii=True).encode()
        ).hexdigest()[:16]
        return {"for": digest, "scope": scope_signature(request.user)}

    def _read(self, raw: str, context: dict):
        if raw == "":
            return None, set()
        try:
            payload = signing.loads(raw, salt=_SALT)
            position = payload["p"]
            unsettled = {(int(micros), int(pk)) for micros, pk in payload["u"]}
            if position is not None:
                position = (int(position[0]), int(position[1]))
            given_for, scope = payload["f"], payload["s"]
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        _("Unknown cursor: send one this list answered, or an empty one.")
                    ]
                }
            ) from None
        if given_for != context["for"]:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        _("This cursor was given for another list or other filters: send those again.")
                    ]
                }
            )
        if scope != context["scope"]:
            raise ScopeChanged(
                {
                    self.cursor_query_param: [
                        _("Your scope has changed since this cursor: pull again from an empty cursor.")
                    ]
                }
            )
        return position, unsettled

    def _write(self, position, unsettled, context) -> str:
        return signing.dumps(
            {"p": position, "u": sorted(unsettled), "f": context["for"], "s": context["scope"]},
            salt=_SALT,
            compress=True,
        )

    def get_paginated_response(self, data):
        if not self.feed:
            return super().get_paginated_response(data)
        url = self.request.build_absolute_uri()
        following = (
            replace_query_param(url, self.cursor_query_param, self.next_cursor) if self.has_more else None
        )
        return Response(
            {
                "results": data,
                "removed": self.removed,
                "cursor": self.next_cursor,
                "has_more": self.has_more,
                "next": following,
            }
        )

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"].update(
            {
                "removed": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": _(
                        "With a cursor: ids of rows that changed and that you no longer see "
                        "(outside your filters or your scope). Delete them from your copy."
                    ),
                },
                "cursor": {
                    "type": "string",
                    "description": _(
                        "With a cursor: send it as `cursor` to continue, or keep it for the next pull."
                    ),
                },
                "has_more": {
                    "type": "boolean",
                    "description": _("With a cursor: more changes wait; call again with `cursor` at once."),
                },
            }
        )
        paged["properties"]["next"]["nullable"] = True
        paged["required"] = ["results"]
        return paged

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": _(
                    "The change feed: empty for everything from the start, or the `cursor` of the "
                    "previous answer for what changed since, ordered by updated time then id, with "
                    "`removed` ids. Not with `page` or `ordering`. An unknown cursor, or one given "
                    "for other filters, is a 400 naming `cursor`; one given before your scope "
                    "changed is a 410 (pull again from an empty cursor)."
                ),
                "schema": {"type": "string"},
            },
        ]
