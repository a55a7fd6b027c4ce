from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Every app's notification kinds, from its notices.py (monitoring.notices).
        autodiscover_modules("notices")
