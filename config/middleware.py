import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

LOGGED_IN_AT = "hhl_logged_in_at"
LAST_SEEN_AT = "hhl_last_seen_at"


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English with the switch in the header.

    Django's own middleware would follow the browser's Accept-Language, and the PC
    driving a service hall's wall screen or a second-hand phone often says English
    although the people in front of it read Chinese. The choice is a cookie, so it
    sticks once made.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and translation.check_for_language(chosen):
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
