import time
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from whitenoise.middleware import WhiteNoiseFileResponse

from audit.events import record
from audit.models import Action, Outcome
from common.personal import carries_personal_number

LOGGED_IN_AT = "hhl_logged_in_at"
LAST_SEEN_AT = "hhl_last_seen_at"


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English with the switch in the header.

    Django's own middleware would follow the browser's Accept-Language, and the PC
    driving a service hall's wall screen or a second-hand phone often says English
    although the people in front of it read Chinese. The choice is a cookie, so it
    sticks once made.

    The API is the exception: a program states its Accept-Language on purpose, and its
    errors answer in it (Chinese when it names no language we have).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        elif chosen and translation.check_for_language(chosen):
            language = translation.get_supported_language_variant(chosen)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip, BREACH mitigation included, for what compresses: pages, JSON, the
    schema. Photos and spreadsheets are compressed already: gzip would spend a core on
    them and take away their Content-Length (a download without a progress bar)."""

    COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/vnd.oai.openapi")

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if not content_type.startswith(self.COMPRESSIBLE) and not content_type.endswith("+json"):
            return response
        return super().process_response(request, response)


class SessionLimitsMiddleware:
    """End a session after SESSION_MAX_SECONDS since login or SESSION_IDLE_SECONDS idle.

    A grid worker stays logged in through a working day on a shared or lost phone, but
    not for ever. The last-seen time is written at most once a minute, not on every
    request, so that a page of thumbnails does not write the session row each time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(LOGGED_IN_AT, now)
            seen = session.get(LAST_SEEN_AT, now)
            if now - started > settings.SESSION_MAX_SECONDS or now - seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("Your session has ended; please log in again."))
                return redirect_to_login(request.get_full_path())
            if now - seen >= 60 or LAST_SEEN_AT not in session:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


# Powers no page of ours uses, switched off for every page and every frame in it: a
# script that got in still cannot reach the camera or the microphone. The visit form's
# photos come through <input type="file" capture>, which opens the phone's camera app and
# needs none of these.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivateResponsesMiddleware:
    """Permissions-Policy on every response, and ``Cache-Control: no-store`` on every one
    that is not a static file: a page, a photo or an API answer may carry personal data,
    and a shared or lost phone's browser cache must not keep it.

    It stands outside WhiteNoise, which answers static files itself and keeps their long
    cache (their names carry their hash)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not isinstance(response, WhiteNoiseFileResponse):
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


class NoPersonalDataInURLMiddleware:
    """Refuse a request whose query string carries something shaped like a resident ID or
    mobile number, before any view runs: a URL ends up in access logs, proxies' logs and
    the browser's history. Searches by those numbers are POSTed (the Find pages).

    The refusal is audited, without the value. Which parameter and which value were
    refused is deliberately not said anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        pairs = parse_qsl(query, keep_blank_values=True) if query else []
        if carries_personal_number(" ".join(f"{name} {value}" for name, value in pairs)):
            record(
                Action.SEARCHED,
                request=request,
                outcome=Outcome.REFUSED,
                detail={"reason": "personal data in the query string", "path": request.path},
            )
            # The page must not echo it either (base.html's language switch returns to
            # the page's full path).
            request.META["QUERY_STRING"] = ""
            request.GET = QueryDict()
            return render(request, "personal_data_in_url.html", status=400)
        return self.get_response(request)
