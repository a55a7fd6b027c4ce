import copy

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from common.admin import ScopedAdminMixin
from grids.models import Assignment, GridLevel, GridUnit


@admin.register(GridLevel)
class GridLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "rank", "is_building"]
    ordering = ["rank"]


class IdListFilter(admin.SimpleListFilter):
    """A list filter whose value is a row's id. Anything else (``?tier=abc``, ``?unit=²``)
    is answered as the admin answers a bad lookup of its own filters, with the list
    without its filters and ``?e=1``: a SimpleListFilter's errors are not caught for it,
    and the query raised a 500."""

    def id(self) -> int | None:
        value = self.value()
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):
            raise IncorrectLookupParameters(f"{self.parameter_name} is not an id")
        return int(value)


class ParentFilter(IdListFilter):
    """Drill down the hierarchy one level at a time: ``?parent=<id>`` lists its children."""

    title = _("parent unit")
    parameter_name = "parent"

    def lookups(self, request, model_admin):
        parent = self._parent(request)
        return [(str(parent.pk), str(parent))] if parent else []

    def _parent(self, request):
        if (pk := self.id()) is not None:
            return GridUnit.objects.visible_to(request.user).filter(pk=pk).select_related("level").first()
        return None

    def queryset(self, request, queryset):
        parent = self._parent(request)
        if parent is None:
            return queryset
        return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)


class GridUnitForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        GridUnit.objects.none(),
        required=False,
        label=_("parent unit"),
        empty_label=_("(top of the hierarchy)"),
    )

    class Meta:
        model = GridUnit
        fields = ["level", "name", "code", "symbol"]

    def clean(self):
        cleaned = super().clean()
        parent, level = cleaned.get("parent"), cleaned.get("level")
        if self.instance.pk is None and parent is None and self.fields["parent"].required:
            self.add_error("parent", _("Open the unit this one belongs under and add it there."))
        if parent is not None and level is not None and parent.level.rank >= level.rank:
            self.add_error(
                "level",
                _("A unit must lie lower than its parent (%(level)s).") % {"level": parent.level.name},
            )
        return cleaned


@admin.register(GridUnit)
class GridUnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The hierarchy, navigable: each unit links to the units below it and to its lineage.

    New units are added under a parent (``add/?parent=<id>``), so that no page ever has
    to list every unit of a county in one drop-down. Apps above the grid add to this page
    by registering a subclass in its place (monitoring's tier scheme: monitoring/admin.py).
    """

    form = GridUnitForm
    list_display = ["indented_name", "level", "code", "symbol", "units_below"]
    list_filter = [ParentFilter, "level"]
    list_select_related = ["level"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    readonly_fields = ["lineage", "units_below"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["parent", "level", "name", "code", "symbol"]
        return ["lineage", "level", "name", "code", "symbol", "units_below"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The class is new, but its field objects are GridUnitForm's own: copy before
        # changing one, or the change leaks into every later request.
        if obj is not None:
            form.base_fields.pop("parent")
            return form
        parent_id = request.GET.get("parent") or request.POST.get("parent") or ""
        field = form.base_fields["parent"] = copy.deepcopy(form.base_fields["parent"])
        field.queryset = (
            self.get_queryset(request).filter(pk=parent_id)
            if parent_id.isascii() and parent_id.isdigit()
            else GridUnit.objects.none()
        )
        field.required = not request.user.has_perm("grids.view_all_units")
        field.initial = parent_id or None
        return form

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, unit):
        return format_html('<span style="padding-left:{}em">{}</span>', 1.5 * (unit.depth - 1), unit.name)

    @admin.display(description=_("units below"))
    def units_below(self, unit):
        changelist = reverse("admin:grids_gridunit_changelist")
        add = reverse("admin:grids_gridunit_add")
        return format_html(
            '<a href="{}?parent={}">{}</a> · <a href="{}?parent={}">{}</a>',
            changelist,
            unit.pk,
            _("%(count)s units") % {"count": unit.numchild},
            add,
            unit.pk,
            _("add one"),
        )

    @admin.display(description=_("place in the hierarchy"))
    def lineage(self, unit):
        return format_html_join(
            " › ",
            '<a href="{}">{}</a>',
            ((reverse("admin:grids_gridunit_change", args=[u.pk]), u.name) for u in unit.lineage()),
        )

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        parent = form.cleaned_data.get("parent")
        if parent is not None:
            GridUnit.objects.add_child(parent, instance=obj)
        else:
            GridUnit.objects.add_root(instance=obj)


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "unit", "starts_on", "ends_on", "covering_for"]
    list_filter = ["role", "starts_on", "ends_on"]
    list_select_related = ["user", "unit__level", "covering_for"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit", "covering_for"]
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            group = obj.join_role_group()
        if group is not None:
            self.message_user(
                request,
                _("%(user)s has the permissions of the role group %(group)s.")
                % {"user": obj.user, "group": _(group.name)},
            )
