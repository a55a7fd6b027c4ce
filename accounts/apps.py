from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and security")

    def ready(self):
        from axes.signals import user_locked_out

        from accounts import schema  # noqa: F401 (registers the token scheme)
        from accounts.lockout import audit_lock

        user_locked_out.connect(audit_lock, dispatch_uid="accounts.audit_lock")
