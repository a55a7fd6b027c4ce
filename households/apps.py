from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Households")

    def ready(self):
        # Every app's contributions to what households shows of it, as the admin finds
        # every app's admin.py: the sheets of the ledger exports (``exports.py``,
        # ``@register_sheet``) and the sections of the household card (``card.py``).
        autodiscover_modules("exports", "card")
