"""What every app's admin shares."""

from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError


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
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, ForeignKeyRawIdWidget):
            formfield.widget = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using"), in_scope=formfield.queryset
            )
        return formfield


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """The id box with the name of what it holds, found among the field's choices: Django's
    own looks the name up among every row, so ``add/?member=<id>`` showed the name of a
    resident outside the user's scope."""

    def __init__(self, rel, admin_site, *, in_scope, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.in_scope = in_scope  # not "choices": the form field sets those on its widget

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            visible = self.in_scope.filter(**{key: value}).exists()
        except (ValueError, ValidationError):
            visible = False  # not an id at all: no name, as Django answers
        return super().label_and_url_for_value(value) if visible else ("", "")


class ReadOnlyMixin:
    """Rows written by the system (history, the engine's work, a log): shown, never edited
    here, not even by a superuser."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
