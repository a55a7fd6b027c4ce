from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from common.api import not_found
from config import api, pwa
from config.day import DayView
from config.schema import SCHEMA_RENDERERS
from grids.api import MeView
from grids.forms import LoginForm

# Each app's pages under its own namespace ("households:card", "monitoring:wall"); the
# paths are the same as before the split, so bookmarks and printed door cards still work.
urlpatterns = [
    # The phone app's manifest and service worker sit at the root: a worker's scope is
    # the folder it is served from.
    path("", include((pwa.urlpatterns, "pwa"))),
    path("", include("monitoring.urls")),
    path("", include("households.urls")),
    path("", include("employment.urls")),
    path("", include("services.urls")),
    path("", include("messaging.urls")),
    path("", include("reports.urls")),
    path("", include("reviews.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
    path("accounts/", include("accounts.otp_urls")),
    path("api/v1/me/", MeView.as_view(), name="api_me"),
    path("api/v1/me/day/", DayView.as_view(), name="api_me_day"),
    path("api/v1/", include(api.router().urls)),
    # The API's map is for its users: the schema answers 401 without a token or a session,
    # the docs page sends a visitor to log in. The split view serves Swagger UI's starter
    # as a script file of its own (?script=), which the Content-Security-Policy allows;
    # the plain view writes it inline.
    path(
        "api/schema/",
        # Its YAML quotes every string a reader could take for a number or a boolean.
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated], renderer_classes=SCHEMA_RENDERERS),
        name="schema",
    ),
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[IsAuthenticated])
        ),
        name="api_docs",
    ),
    # Any other path under /api/ answers in the API's shape, not the site's HTML page.
    re_path(r"^api/", not_found, name="api_not_found"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "common.api.server_error"
