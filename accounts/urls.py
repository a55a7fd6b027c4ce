from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/password/", views.PasswordChange.as_view(), name="password_change"),
    path("api/v1/auth/token/", views.TokenView.as_view(), name="token"),
]
