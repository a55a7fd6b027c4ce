from django.urls import path

from accounts import otp_views

app_name = "second_factor"

urlpatterns = [
    path("me/", otp_views.account, name="account"),
    path("second-factor/", otp_views.verify, name="verify"),
    path("second-factor/enrol/", otp_views.enrol, name="enrol"),
    path("second-factor/recovery-codes/", otp_views.recovery_codes, name="recovery_codes"),
    path("second-factor/remove/", otp_views.remove, name="remove"),
]
