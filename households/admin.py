from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit import events
from audit.models import Action
from common.admin import ReadOnlyMixin
from common.forms import add_errors
from grids.admin import IdListFilter
from grids.models import GridUnit
from households.admin_history import HistoryForReadingAdmin
from households.forms import (
    FindPersonForm,
    HouseholdAddForm,
    HouseholdForm,
    MemberForm,
    MemberFormSet,
    TierChangeForm,
)
from households.models import (
    ExportLog,
    Household,
    Label,
    LabelCategory,
    LabelSubcategory,
    LedgerImport,
    LedgerImportStatus,
    Member,
    Relation,
    SpecialGroup,
    mask_id_number,
    mask_mobile,
)
from households.services import register_household, update_household
from monitoring.models.tiers import Tier
from monitoring.services import change_tier


def can_see_id_numbers(request) -> bool:
    return request.user.has_perm("households.view_id_number")


def record_full_numbers_shown(request, response, member_ids) -> None:
    """A page that showed full ID numbers (a change form, a version) is a read to record:
    only when it was drawn (not a save's redirect) for a viewer who sees them."""
    if response.status_code == 200 and can_see_id_numbers(request) and member_ids:
        events.record(
            Action.VIEWED, request=request, target=Member, ids=member_ids, detail={"full_id_numbers": True}
        )


class ScopedMemberFormMixin:
    """Members are edited with the viewer's scope known, and ID numbers masked for roles
    that do not need them."""

    def get_fields(self, request, obj=None):
        fields = list(MemberForm.Meta.fields)
        if not can_see_id_numbers(request):
            fields[fields.index("id_number")] = "masked_id_number"
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [] if can_see_id_numbers(request) else ["masked_id_number"]

    def viewer_form(self, request):
        return type("ViewerMemberForm", (MemberForm,), {"viewer": request.user})

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, member):
        return member.masked_id_number if member else ""


class MemberInline(ScopedMemberFormMixin, admin.StackedInline):
    model = Member
    formset = MemberFormSet
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = self.viewer_form(request)
        return super().get_formset(request, obj, **kwargs)


class TierFilter(IdListFilter):
    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return [(t.pk, f"{t.scheme.name} · {t.name}") for t in Tier.objects.select_related("scheme")]

    def queryset(self, request, queryset):
        pk = self.id()
        return queryset if pk is None else queryset.filter(tier=pk)


class UnitSubtreeFilter(IdListFilter):
    """Households under a unit, at any depth; lists the units above buildings."""

    title = _("grid unit")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        units = (
            GridUnit.objects.visible_to(request.user)
            .filter(level__is_building=False)
            .filter(
                level__rank__lt=GridUnit.objects.filter(level__is_building=True)
                .values("level__rank")
                .order_by("level__rank")[:1]
            )
            .select_related("level")
            .order_by("path")[:200]
        )
        return [(u.pk, format_html("{}{} {}", "\u2003" * (u.depth - 1), u.level.name, u.name)) for u in units]

    def queryset(self, request, queryset):
        if (pk := self.id()) is None:
            return queryset
        unit = GridUnit.objects.filter(pk=pk).first()
        return queryset.filter(unit__path__startswith=unit.path) if unit else queryset.none()


_ADDRESS = (_("Address"), {"fields": ["building", "entrance", "floor", "room", "unit"]})
_CONTACT = (
    _("Contact and origin"),
    {"fields": ["phone", "photo", "relocated_on", "origin_county", "origin_township", "origin_village"]},
)
_LABELS = (_("Labels"), {"fields": ["labels"]})


@admin.register(Household)
class HouseholdAdmin(HistoryForReadingAdmin):
    list_display = ["number", "head_name", "address_display", "tier_badge", "status"]
    list_filter = [TierFilter, "status", UnitSubtreeFilter, "labels"]
    list_select_related = ["building", "tier"]
    # ID and phone numbers are found through the POSTed search (find/), not ?q=, so that
    # they never stand in a URL or an access log. See get_search_results for the rest.
    search_fields = ["number"]
    show_full_result_count = False
    search_help_text = _(
        'Household number or a member\'s name. For ID and phone numbers, use "Find by ID or phone number".'
    )
    autocomplete_fields = ["building", "unit"]
    filter_horizontal = ["labels"]
    # The apps above add theirs with contribute_inline (monitoring: the tier history).
    inlines = [MemberInline]
    readonly_fields = ["tier_display", "tier_changed_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["number", "status", "moved_out_on"]}),
        _ADDRESS,
        (_("Tier"), {"fields": ["tier_display", "tier_changed_at"]}),
        _CONTACT,
        _LABELS,
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    # A new household is given its first tier, with a reason, instead of a status.
    add_fieldsets = [
        (None, {"fields": ["number"]}),
        _ADDRESS,
        (_("Tier"), {"fields": ["tier", "tier_reason"]}),
        _CONTACT,
        _LABELS,
    ]
    change_list_template = "admin/households/household/change_list.html"
    history_masked_fields = {"phone": mask_mobile}
    # A version shows its tier without the button that changes today's, and leaves out
    # what history does not keep (the time of the last save) or cannot show (a photo is
    # served only through its scoped view).
    history_fieldsets = [
        (None, {"fields": ["number", "status", "moved_out_on"]}),
        _ADDRESS,
        (_("Tier"), {"fields": ["tier", "tier_changed_at"]}),
        (_CONTACT[0], {"fields": [f for f in _CONTACT[1]["fields"] if f != "photo"]}),
        _LABELS,
        (_("Record"), {"fields": ["created_at"]}),
    ]

    @classmethod
    def contribute_inline(cls, inline) -> None:
        """Show ``inline`` (about a household, from an app above households) on every
        household's page, after those already there. Called from that app's admin.py,
        which the admin imports after households' (INSTALLED_APPS order), before the
        system checks look at the inlines."""
        if inline not in cls.inlines:
            cls.inlines = [*cls.inlines, inline]

    def get_queryset(self, request):
        head = Member.objects.filter(
            household=OuterRef("pk"), relation=Relation.HEAD, status="active"
        ).values("name")[:1]
        return super().get_queryset(request).annotate(head_name=Subquery(head))

    def get_search_results(self, request, queryset, search_term):
        """Household number or a member's name.

        Members are matched in a subquery rather than through a join, so the list needs
        no DISTINCT: on a county's 370,000 members that is the difference between tens
        of milliseconds and seconds.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        named = Member.objects.filter(name__contains=term).values("household_id")
        return queryset.filter(Q(number__icontains=term) | Q(pk__in=named)), False

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and can_see_id_numbers(request):
            # The members inline shows every member's full number.
            members = (
                Member.objects.filter(household_id=object_id).order_by("pk").values_list("pk", flat=True)
            )
            record_full_numbers_shown(request, response, list(members))
        return response

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = HouseholdAddForm if obj is None else HouseholdForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_history_fieldsets(self, request, version):
        return self.history_fieldsets

    def save_model(self, request, obj, form, change):
        if change:
            # Through the service, as the API's edits: a move-out closes the follow-ups.
            m2m = {field.name for field in obj._meta.many_to_many}
            changes = {name: getattr(obj, name) for name in form.changed_data if name not in m2m}
            update_household(household=obj, changes=changes, by=request.user)
        else:
            register_household(household=obj, reason=form.cleaned_data["tier_reason"], by=request.user)

    @admin.display(description=_("head of household"), ordering="head_name")
    def head_name(self, household):
        return household.head_name or "—"

    @admin.display(description=_("address"), ordering="building__path")
    def address_display(self, household):
        return household.address

    @admin.display(description=_("tier"), ordering="tier__severity")
    def tier_badge(self, household):
        return format_html(
            '<span style="display:inline-block;min-width:2.5em;padding:0 .4em;border-radius:3px;'
            'background:{};color:#fff;font-weight:bold;text-align:center">{}</span>',
            household.tier.colour,
            household.tier.name,
        )

    @admin.display(description=_("tier"))
    def tier_display(self, household):
        url = reverse("admin:households_household_change_tier", args=[household.pk])
        return format_html(
            '{} <a class="button" href="{}">{}</a>', self.tier_badge(household), url, gettext("Change tier")
        )

    def get_urls(self):
        urls = [
            path("find/", self.admin_site.admin_view(self.find_view), name="households_household_find"),
            path(
                "<int:object_id>/change-tier/",
                self.admin_site.admin_view(self.change_tier_view),
                name="households_household_change_tier",
            ),
        ]
        return urls + super().get_urls()

    def change_tier_view(self, request, object_id):
        household = get_object_or_404(
            self.get_queryset(request).select_related("building", "unit", "tier"), pk=object_id
        )
        if not request.user.has_perm("monitoring.add_tierchange"):
            raise PermissionDenied
        form = TierChangeForm(request.POST or None, household=household)
        if request.method == "POST" and form.is_valid():
            try:
                change_tier(
                    household=household,
                    tier=form.cleaned_data["tier"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("The tier of %(household)s is now %(tier)s.")
                    % {"household": household.number, "tier": household.tier.name},
                )
                return redirect("admin:households_household_change", household.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "household": household,
            "title": gettext("Change the tier of %(household)s") % {"household": household.number},
        }
        return TemplateResponse(request, "admin/households/household/change_tier.html", context)

    def find_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = FindPersonForm(request.POST or None)
        results = None
        if request.method == "POST" and form.is_valid():
            id_number, mobile = form.normalized()
            results = (
                self.get_queryset(request)
                .filter(Q(members__id_number=id_number) | Q(members__mobile=mobile) | Q(phone=mobile))
                .distinct()
                .select_related("building", "unit", "tier")[:50]
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "results": results,
            "title": gettext("Find a household by ID or phone number"),
        }
        return TemplateResponse(request, "admin/households/household/find.html", context)


@admin.register(Member)
class MemberAdmin(ScopedMemberFormMixin, HistoryForReadingAdmin):
    list_display = ["name", "household", "relation", "sex", "birth_date", "masked_id_number", "status"]
    list_filter = ["status", "relation", "sex", "is_labour_force", "special_groups", "ethnicity"]
    list_select_related = ["household"]
    search_fields = ["name", "household__number"]
    autocomplete_fields = ["household"]
    history_masked_fields = {"id_number": mask_id_number, "mobile": mask_mobile}

    def get_history_fieldsets(self, request, version):
        # The version's own values, masked by history_masked_fields where the viewer may
        # not see them.
        return [(None, {"fields": ["household", *MemberForm.Meta.fields]})]

    def get_fields(self, request, obj=None):
        return ["household", *super().get_fields(request, obj)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if str(object_id).isdigit():  # drawn for an existing member (else a 404 or redirect)
            record_full_numbers_shown(request, response, [int(object_id)])
        return response

    def history_view(self, request, object_id, extra_context=None):
        # The list of versions shows each change of the number, in full to this viewer.
        response = super().history_view(request, object_id, extra_context)
        record_full_numbers_shown(request, response, [int(object_id)] if str(object_id).isdigit() else [])
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        record_full_numbers_shown(request, response, [int(object_id)] if str(object_id).isdigit() else [])
        return response

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = self.viewer_form(request)
        return super().get_form(request, obj, **kwargs)


class LabelSubcategoryInline(admin.TabularInline):
    model = LabelSubcategory
    extra = 0


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0


@admin.register(LabelCategory)
class LabelCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    inlines = [LabelSubcategoryInline]


@admin.register(LabelSubcategory)
class LabelSubcategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "code", "order"]
    list_filter = ["category"]
    inlines = [LabelInline]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "subcategory", "code"]
    list_filter = ["subcategory__category"]
    search_fields = ["name", "code"]


@admin.register(SpecialGroup)
class SpecialGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who took which data out, and when: for administrators to read. Written only by the
    export page, never here, not even by a superuser."""

    list_display = [
        "exported_at",
        "exported_by",
        "kind",
        "unit",
        "period_start",
        "period_end",
        "rows",
        "full_id_numbers",
    ]
    list_filter = ["kind", "full_id_numbers", "exported_at"]
    list_select_related = ["exported_by", "unit"]
    date_hierarchy = "exported_at"
    search_fields = ["exported_by__username", "exported_by__last_name", "unit__name", "unit__code"]


@admin.register(LedgerImport)
class LedgerImportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What came of each ledger upload, for administrators; made only by the import page.
    Others see their own: a summary names heads of household of the uploader's units."""

    list_display = ["created_at", "created_by", "unit", "file_name", "status", "rows_total", "outcome"]
    list_filter = ["status", "created_at"]
    list_select_related = ["created_by", "unit"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "created_by",
        "unit",
        "file_name",
        "status",
        "rows_total",
        "queued_at",
        "finished_at",
        "summary",
        "errors",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.has_perm("grids.view_all_units"):
            return queryset
        return queryset.filter(created_by=request.user)

    @admin.display(description=_("outcome"))
    def outcome(self, upload):
        if upload.status == LedgerImportStatus.INVALID:
            return _("%(count)s problems") % {"count": upload.summary.get("problems", len(upload.errors))}
        if "households" in upload.summary:
            return _("%(households)s households, %(members)s people") % upload.summary
        return ""
