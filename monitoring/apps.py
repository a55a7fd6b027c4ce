from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        # The wall's marks: monitoring's own in monitoring/wall.py, and those the apps
        # above contribute from their wall.py (monitoring.marks).
        autodiscover_modules("wall")

        from households.signals import household_departed, household_returned
        from monitoring import receivers

        # A dispatch_uid each: ready() may run twice (a test runner reloading the apps)
        # and a household must not be closed for twice.
        household_departed.connect(
            receivers.follow_ups_end_on_departure, dispatch_uid="monitoring.follow_ups_end_on_departure"
        )
        household_returned.connect(
            receivers.follow_ups_resume_on_return, dispatch_uid="monitoring.follow_ups_resume_on_return"
        )

        # Every app's notification kinds, from its notices.py (monitoring.notices).
        autodiscover_modules("notices")

        from messaging.digest import digests_written
        from monitoring import outbound

        digests_written.connect(outbound.digests_in_inbox, dispatch_uid="monitoring.digests_in_inbox")
