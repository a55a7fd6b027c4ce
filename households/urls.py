from django.urls import path

from households import ledger_views, views

app_name = "households"

urlpatterns = [
    path("grid/", views.overview, name="overview"),
    path("households/find/", views.find, name="find"),
    path("exports/", views.export, name="export"),
    path("exports/<int:pk>/", views.prepared_export, name="prepared_export"),
    path("exports/<int:pk>/download/", views.download_export, name="download_export"),
    path("households/import/", ledger_views.upload, name="ledger_upload"),
    path("households/import/template.xlsx", ledger_views.template, name="ledger_template"),
    path("households/import/<int:pk>/", ledger_views.detail, name="ledger_import"),
    path("households/import/<int:pk>/confirm/", ledger_views.confirm, name="ledger_confirm"),
    path("households/<int:pk>/", views.card, name="card"),
    path(
        "households/<int:pk>/panel/",
        views.card,
        {"template_name": "households/card_panel.html"},
        name="card_panel",
    ),
    path("households/<int:pk>/photo/", views.photo, name="photo"),
    path("members/<int:pk>/reveal/", views.reveal_id_number, name="reveal_id_number"),
]
