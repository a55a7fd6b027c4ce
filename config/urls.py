from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import api
from employment import views as employment_views
from grids.forms import LoginForm
from households import ledger_views
from households import views as household_views
from monitoring import views as monitoring_views
from services import views as service_views

urlpatterns = [
    path("", monitoring_views.today, name="home"),
    path("grid/", household_views.overview, name="overview"),
    path("households/find/", household_views.find, name="find"),
    path("exports/", household_views.export, name="export"),
    path("exports/<int:pk>/", household_views.prepared_export, name="prepared_export"),
    path("exports/<int:pk>/download/", household_views.download_export, name="download_export"),
    path("households/import/", ledger_views.upload, name="ledger_upload"),
    path("households/import/template.xlsx", ledger_views.template, name="ledger_template"),
    path("households/import/<int:pk>/", ledger_views.detail, name="ledger_import"),
    path("households/import/<int:pk>/confirm/", ledger_views.confirm, name="ledger_confirm"),
    path("households/<int:pk>/", household_views.card, name="household"),
    path(
        "households/<int:pk>/panel/",
        household_views.card,
        {"template_name": "households/card_panel.html"},
        name="household_panel",
    ),
    path("households/<int:pk>/photo/", household_views.photo, name="household_photo"),
    path("households/<int:pk>/visit/", monitoring_views.log_visit, name="log_visit"),
    path("households/<int:pk>/propose/", monitoring_views.propose, name="propose"),
    path("households/<int:pk>/report/", service_views.report, name="report"),
    path("households/<int:pk>/income/", employment_views.income, name="income"),
    path("members/<int:pk>/labour/", employment_views.labour, name="labour"),
    path("employment/", employment_views.figures, name="employment"),
    path("employment/warnings/", employment_views.warnings, name="warnings"),
    path("employment/warnings/<int:pk>/propose/", employment_views.propose, name="warning_propose"),
    path("households/<int:pk>/door-card/", service_views.door_card, name="door_card"),
    path("households/<int:pk>/points/", service_views.points, name="points"),
    path("cases/", service_views.cases, name="cases"),
    path("cases/<int:pk>/", service_views.case, name="case"),
    path("help/<str:token>/", service_views.help_request, name="help"),
    path("visits/<int:pk>/photo/", monitoring_views.visit_photo, name="visit_photo"),
    path("wall/", monitoring_views.wall, name="wall"),
    path("wall/tiles/", monitoring_views.wall_tiles, name="wall_tiles"),
    path("proposals/", monitoring_views.proposals, name="proposals"),
    path("proposals/<int:pk>/decide/", monitoring_views.decide, name="decide"),
    path("inbox/", monitoring_views.inbox, name="inbox"),
    path("inbox/read/", monitoring_views.mark_read, name="mark_read"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(api.router().urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
