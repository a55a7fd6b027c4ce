from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/generate/", views.generate_chosen, name="generate_chosen"),
    path("reports/<str:code>/<str:month>/", views.report, name="report"),
    path("reports/<str:code>/<str:month>/report.pdf", views.report_pdf, name="pdf"),
    path("reports/<str:code>/<str:month>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("reports/<str:code>/<str:month>/generate/", views.generate, name="generate"),
]
