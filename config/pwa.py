"""The installable phone app: its manifest, its service worker (served from the site's root
so that its scope is every page), the page it shows offline when a page was never kept, and
the list of pages to keep for offline use, one version per household so that the phone
fetches again only the cards that changed.

The pages stay server-rendered; the service worker (static/offline/sw.js, Workbox) keeps
copies of them in a Cache Storage cache per user, and the page script (static/offline/app.js)
queues what the worker records offline in IndexedDB and sends it through the batch API."""

import hashlib
import json
import re
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.db.models import IntegerField, Max, OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from households.models import Household, Member
from monitoring.models import FollowUp, TierChange, Visit
from services.models import ServiceCase

THEME_COLOUR = "#d32f2f"  # the red tier's: the app's bar reads as 红黄绿 at a glance
BACKGROUND_COLOUR = "#ffffff"

# What the service worker keeps at install, so that a repeat visit fetches only the page:
# the shell's styles and scripts. Workbox itself is loaded by the worker with importScripts.
SHELL = [
    "vendor/bootstrap/bootstrap.min.css",
    "hhl.css",
    "vendor/idb/idb.umd.js",
    "offline/outbox.js",
    "offline/app.js",
    "offline/icon-192.png",
]
WORKBOX = [
    "vendor/workbox-core/workbox-core.prod.js",
    "vendor/workbox-routing/workbox-routing.prod.js",
    "vendor/workbox-strategies/workbox-strategies.prod.js",
    "vendor/workbox-precaching/workbox-precaching.prod.js",
    "vendor/idb/idb.umd.js",
    "offline/outbox.js",
    "offline/worker.js",
]
BATCH = {
    "visit": "/api/v1/visits/batch/",
    "proposal": "/api/v1/proposals/batch/",
    "problem": "/api/v1/cases/batch/",
}
# Forms whose native POST the worker keeps when the network fails (a page whose script did
# not load): their kind, and the URL name they post to.
FORMS = {"visit": "monitoring:log_visit", "problem": "services:report", "proposal": "monitoring:propose"}
NO_CACHE = ["/accounts/", "/admin/", "/api/", "/i18n/", "/exports/"]


@lru_cache(maxsize=64)
def _file_revision(path: str) -> str:
    """The file's content hash. Collected files carry theirs in their names already; the
    test and development servers serve names without one, and a revision makes Workbox
    fetch a file again when it changes (and the worker's bytes change with it)."""
    found = finders.find(path)
    if not found:
        return "missing"
    with open(found, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def manifest(request):
    body = {
        "name": _("Red-Yellow-Green household care"),
        "short_name": _("RYG care"),
        "description": _("Follow every household, visit and report, with or without a network."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("monitoring:today"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": static("offline/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("offline/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


def service_worker(request):
    shell = [{"url": static(path), "revision": _file_revision(path)} for path in SHELL]
    shell.append({"url": reverse("pwa:offline"), "revision": _offline_revision(request)})
    context = {
        "scripts": json.dumps([static(path) for path in WORKBOX]),
        "shell": json.dumps(shell),
        "offline_url": json.dumps(reverse("pwa:offline")),
        "pages_url": json.dumps(reverse("pwa:pages")),
        "batch": json.dumps(BATCH),
        "forms": json.dumps({kind: _pattern(name) for kind, name in FORMS.items()}),
        "card_url": json.dumps(reverse("households:card", args=[0])),
        "no_cache": json.dumps(NO_CACHE),
        "static_url": json.dumps(static("")),
        "worker": _file_revision("offline/worker.js"),
    }
    response = render(request, "pwa/sw.js", context, content_type="application/javascript")
    # A worker's scope is its own folder unless the server allows more; served from the
    # root, it covers every page without the header.
    response["Service-Worker-Allowed"] = "/"
    return response


def _pattern(url_name: str) -> str:
    """A URL with a household's id, as a regular expression for the worker's routes."""
    marker = "8675309"
    return "^" + re.escape(reverse(url_name, args=[int(marker)])).replace(marker, "(\\d+)") + "$"


def _offline_revision(request) -> str:
    # The offline page is the same for everyone in one language; its text changes only
    # with a release, which changes the catalogue.
    return f"{request.LANGUAGE_CODE}-{_file_revision('offline/app.js')}"


def offline(request):
    """Shown for a page the phone never kept, and the list of everything queued on it.

    Rendered as for no one: the worker keeps it in the cache every user of the phone
    shares, so it must carry nobody's name (the script finds the queue's owner itself)."""
    request.user = AnonymousUser()
    return render(request, "pwa/offline.html")


def _latest(model, **filters):
    return Subquery(
        model.objects.filter(household=OuterRef("pk"), **filters)
        .order_by()
        .values("household")
        .annotate(latest=Max("id"))
        .values("latest")[:1],
        output_field=IntegerField(),
    )


@require_GET
def pages(request):
    """The pages to keep for offline use, each with a version: the household's own change
    time, its newest visit, tier change, follow-up, case and member, and the day (a card
    says "3 days ago"). Also the session's CSRF token, so that a phone whose cached forms
    carry an older token can still send its queue, and the user it belongs to.

    An expired session answers 401 JSON, not the login page: the phone keeps its queue
    and asks for the password.

    ``households`` is null for a user who keeps none (no visits to make, or a scope of more
    than OFFLINE_MAX_HOUSEHOLDS): the phone then keeps Today and the pages the user opens."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Your session has ended; please log in again.")}, status=401)
    user = request.user
    # Kept for those who go to the doors (a building head has ~15 households, a grid worker a
    # few hundred), not for staff whose scope is a community: warming 5,000 cards from every
    # staff member's browser at the wall would be 20,000 page renders and audit rows each
    # quarter hour, for pages they read online. One row over the limit says "too many".
    limit = settings.OFFLINE_MAX_HOUSEHOLDS if user.has_perm("monitoring.add_visit") else 0
    households = (
        Household.objects.visible_to(user)
        .order_by("pk")
        .annotate(
            v=_latest(Visit),
            t=_latest(TierChange),
            f=_latest(FollowUp),
            c=_latest(ServiceCase),
            m=_latest(Member),
        )
        .values_list("pk", "updated_at", "v", "t", "f", "c", "m")[: limit + 1]
    )
    day = timezone.localdate().isoformat()
    # The addresses once, with 0 for the household: a county's grid worker has hundreds.
    urls = [reverse("households:card", args=[0])]
    if user.has_perm("monitoring.add_visit"):
        urls.append(reverse("monitoring:log_visit", args=[0]))
    if user.has_perm("services.add_servicecase"):
        urls.append(reverse("services:report", args=[0]))
    if user.has_perm("monitoring.add_tierproposal"):
        urls.append(reverse("monitoring:propose", args=[0]))
    kept = [
        [pk, hashlib.sha256(f"{day}|{updated_at.isoformat()}|{latest}".encode()).hexdigest()[:12]]
        for pk, updated_at, *latest in households
    ]
    if len(kept) > limit:
        kept = None
    return JsonResponse(
        {
            "user": _owner(user),
            "csrf": get_token(request),
            "today": {"url": reverse("monitoring:today"), "version": f"{day}-{timezone.now():%H%M}"},
            "urls": urls,
            "households": kept,
        }
    )


def _owner(user) -> str:
    """Who a queue and a page cache belong to: a digest of the user's id and name, not the
    name itself (the cache's name is visible to anyone holding the phone)."""
    return hashlib.sha256(f"{settings.SECRET_KEY[:8]}|{user.pk}|{user.get_username()}".encode()).hexdigest()[
        :16
    ]


def strings(request) -> dict:
    """What the page script needs from the server: its messages in the user's language,
    the endpoints, and who is logged in (none: a session that ended)."""
    user = request.user
    return {
        "user": _owner(user) if user.is_authenticated else None,
        "rendered": timezone.now().isoformat(),
        "sw": reverse("pwa:service_worker"),
        "pages": reverse("pwa:pages"),
        "outbox": reverse("pwa:offline"),
        "card": reverse("households:card", args=[0]),
        "login": reverse("login"),
        "logout": reverse("logout"),
        "batch": BATCH,
        # The names the forms give the fields, for the server's reasons next to a refused item.
        "labels": {
            "household": _("household"),
            "visited_at": _("visited at"),
            "mode": _("mode"),
            "notes": _("what was found"),
            "needs": _("needs"),
            "photo": _("photo"),
            "propose_tier": _("propose another tier"),
            "proposal_reason": _("why the tier should change"),
            "tier": _("tier"),
            "reason": _("reason"),
            "category": _("category"),
            "urgency": _("urgency"),
            "description": _("description"),
        },
        "t": {
            "pending": _("To upload %(n)s"),
            "upload": _("Upload"),
            "queued": _("Saved on the phone; it will be uploaded when the network returns."),
            "sent": _("Uploaded."),
            "state_pending": _("waiting to upload"),
            "state_sending": _("uploading"),
            "state_saved": _("uploaded"),
            "state_duplicate": _("already saved"),
            "state_refused": _("refused"),
            "kind_visit": _("visit"),
            "kind_problem": _("problem report"),
            "kind_proposal": _("tier proposal"),
            "resend": _("Send again"),
            "discard": _("Discard"),
            "discard_confirm": _("Discard this item for good? It has not been saved."),
            "remove_photo": _("Remove the photo"),
            "logout_warning": _(
                "%(n)s items on this phone are not uploaded yet. They stay on the phone for you; "
                "log out anyway?"
            ),
            "expired": _(
                "Your session has ended. Log in again to upload %(n)s items; they stay on the phone."
            ),
            "login": _("Log in"),
            "offline_copy": _("Offline copy, refreshed %(when)s."),
            "household": _("Household %(n)s"),
            "none": _("Nothing is waiting to be uploaded."),
            "on_phone": _("On this phone"),
        },
    }


urlpatterns = [
    path("manifest.webmanifest", manifest, name="manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path("offline/", offline, name="offline"),
    path("offline/pages.json", pages, name="pages"),
]
