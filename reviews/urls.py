from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.reviews, name="list"),
    path("reviews/agenda/", views.agenda, name="agenda"),
    path("reviews/<int:pk>/", views.minutes, name="minutes"),
]
