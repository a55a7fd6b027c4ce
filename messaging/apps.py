from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The morning digest's sections, contributed by the apps above from their digest.py
        # (monitoring: visits due, misses; services: cases due), as the admin finds admin.py.
        autodiscover_modules("digest")
