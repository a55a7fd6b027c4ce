"""The edit history of households and members in the admin, for reading only."""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import ManyToManyField
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from common.admin import ScopedAdminMixin

_READ = ("GET", "HEAD")


class MaskingContextHelper(HistoricalRecordContextHelper):
    """The list of versions shows each change of a masked field masked on both sides."""

    def __init__(self, model, historical_record, *, masks: dict[str, Callable[[str], str]]):
        super().__init__(model, historical_record)
        self.masks = masks

    def prepare_delta_change_value(self, change, value):
        if change.field in self.masks:
            return self.masks[change.field](value or "")
        return super().prepare_delta_change_value(change, value)


class HistoryForReadingAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """django-simple-history's pages, the list of a record's versions and each version,
    made for reading.

    The library finds the record without the admin's queryset: the list fell back to the
    newest historical copy of a record outside the user's scope, and a version was fetched
    from the history table alone, so anyone with the view permission read every household.
    A version's page was a form that, on POST, saved the whole old row (its tier and status
    too) with the view permission alone. Here both pages find the record through
    ``get_queryset`` (the user's scope) like the change view, and answer 404 outside it,
    for a record that no longer exists too; they need the view or change permission like
    the change view; they answer only GET; and a version is shown read-only, with the
    ``history_masked_fields`` masked for viewers without ``households.view_id_number``.

    There is no revert (SIMPLE_HISTORY_REVERT_DISABLED): an old version restores every
    field at once, past the services an edit goes through (a tier only by
    ``change_tier``, with its reason and its follow-ups). To go back to an old value,
    read it here and enter it in the change form.
    """

    # field name -> how it is shown to a viewer who may not see it in full
    history_masked_fields: dict[str, Callable[[str], str]] = {}

    def history_view(self, request, object_id, extra_context=None):
        self.history_object(request, object_id)
        if request.method not in _READ:
            return HttpResponseNotAllowed(_READ)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.history_object(request, object_id)
        if request.method not in _READ:
            return HttpResponseNotAllowed(_READ)
        if not (version_id.isascii() and version_id.isdigit()):  # "²".isdigit() is True
            raise Http404
        opts = self.model._meta
        record = get_object_or_404(
            self.model.history.filter(**{opts.pk.attname: obj.pk}), history_id=version_id
        )
        version = record.instance
        version._state.adding = False
        for field, mask in self.masks_for(request).items():
            setattr(version, field, mask(getattr(version, field) or ""))

        fieldsets = [
            (name, {**options, "fields": [self._version_field(f) for f in options["fields"]]})
            for name, options in self.get_history_fieldsets(request, version)
        ]
        form = forms.modelform_factory(self.model, fields=())(instance=version)
        admin_form = helpers.AdminForm(
            form, fieldsets, {}, readonly_fields=flatten_fieldsets(fieldsets), model_admin=self
        )
        url = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        when = date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("%(record)s as of %(date)s") % {"record": obj, "date": when},
            "subtitle": None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "media": mark_safe(self.media + admin_form.media),
            "errors": [],
            "app_label": opts.app_label,
            "original_opts": opts,
            "changelist_url": reverse(f"{url}_changelist"),
            "change_url": reverse(f"{url}_change", args=(obj.pk,)),
            "history_url": reverse(f"{url}_history", args=(obj.pk,)),
            "change_history": False,
            "revert_disabled": True,
            "add": False,
            "change": True,
            "has_add_permission": False,
            "has_view_permission": True,
            "has_change_permission": False,
            "has_delete_permission": False,
            "has_editable_inline_admin_formsets": False,
            "has_file_field": False,
            "has_absolute_url": False,
            "form_url": "",
            "opts": opts,
            "content_type_id": self.content_type_model_cls.objects.get_for_model(self.model).id,
            "save_as": False,
            "save_on_top": False,
            "root_path": getattr(self.admin_site, "root_path", None),
            **(extra_context or {}),
        }
        return self.render_history_view(request, self.object_history_form_template, context)

    def history_object(self, request, object_id):
        """The record as its change view finds it: a 403 without the permission (whether
        the record exists or not, as there), else a 404 outside the user's scope."""
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if obj is None:
            raise Http404
        return obj

    def get_history_fieldsets(self, request, version):
        """The fields a version shows; by default those of the change view."""
        return self.get_fieldsets(request, version)

    def masks_for(self, request) -> dict[str, Callable[[str], str]]:
        if request.user.has_perm("households.view_id_number"):
            return {}
        return self.history_masked_fields

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskingContextHelper(self.model, historical_record, masks=self.masks_for(request))

    def revert_disabled(self, request, obj=None):
        return True

    def _version_field(self, name):
        """A many-to-many field read from the version's own rows, not today's."""
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:  # an admin method
            return name
        if not isinstance(field, ManyToManyField):
            return name
        related = get_m2m_reverse_field_name(field)

        @admin.display(description=capfirst(field.verbose_name))
        def of_the_version(version):
            rows = getattr(to_historic(version), field.name).select_related(related).order_by(related)
            return ", ".join(str(getattr(row, related)) for row in rows)

        of_the_version.__name__ = field.name
        return of_the_version
