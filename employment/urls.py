from django.urls import path

from employment import views

app_name = "employment"

urlpatterns = [
    path("households/<int:pk>/income/", views.income, name="income"),
    path("members/<int:pk>/labour/", views.labour, name="labour"),
    path("employment/", views.figures, name="figures"),
    path("employment/warnings/", views.warnings, name="warnings"),
    path("employment/warnings/<int:pk>/propose/", views.propose, name="warning_propose"),
]
