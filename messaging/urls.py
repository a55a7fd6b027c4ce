from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/settings/", views.preferences, name="preferences"),
    path("messages/digest/<int:pk>/", views.digest, name="digest"),
]
