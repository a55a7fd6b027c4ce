from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Grids")

    def ready(self):
        from django.db.models import ForeignKey

        from grids.lookups import AnyOf
        from grids.roles import create_missing_role_groups

        ForeignKey.register_lookup(AnyOf)
        # Like contenttypes and permissions: the role groups exist right after migrate,
        # on a new deployment and on the test database alike.
        post_migrate.connect(create_missing_role_groups, sender=self)
