from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.today, name="today"),
    path("households/<int:pk>/visit/", views.log_visit, name="log_visit"),
    path("households/<int:pk>/propose/", views.propose, name="propose"),
    path("visits/<int:pk>/photo/", views.visit_photo, name="visit_photo"),
    path("wall/", views.wall, name="wall"),
    path("wall/tiles/", views.wall_tiles, name="wall_tiles"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/decide/", views.decide, name="decide"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_read, name="mark_read"),
]
