"""What every app's admin shares."""


def _scoped(model):
    return hasattr(model._default_manager.get_queryset(), "visible_to")


class ScopedAdminMixin:
    """Only the rows in the user's scope exist for them, as on the pages and in the API:
    in the list, on the change pages, and among the choices of every foreign key (a raw
    id typed for a household outside it is refused like an id that does not exist).

    Each model's default queryset says what its scope is (``visible_to``, see
    ``grids.scope``); models outside the grid are left as they are."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.visible_to(request.user) if _scoped(self.model) else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and _scoped(db_field.related_model):
            kwargs["queryset"] = db_field.related_model._default_manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyMixin:
    """Rows written by the system (history, the engine's work): shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
