from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("households/<int:pk>/report/", views.report, name="report"),
    path("households/<int:pk>/door-card/", views.door_card, name="door_card"),
    path("buildings/<int:pk>/door-cards/", views.building_door_cards, name="building_door_cards"),
    path("households/<int:pk>/points/", views.points, name="points"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("help/<str:token>/", views.help_request, name="help"),
]
