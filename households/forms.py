from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _

from common.validators import REASON_MAX_LENGTH, normalize_resident_id
from grids.models import GridLevel, GridUnit
from households.models import NOT_A_BUILDING, Household, Member, MemberStatus, Relation
from households.photos import clean_photo
from households.search import search_kind
from households.services import active_elsewhere_error
from monitoring.models.tiers import Tier
from monitoring.services import tier_choices


class MemberForm(forms.ModelForm):
    """A member, told where else a person is registered when the viewer may know it.

    ``viewer`` is set on a subclass per request (see the admin), because the message
    names the other household only if it lies in the viewer's scope.
    """

    viewer = None

    class Meta:
        model = Member
        fields = [
            "name",
            "relation",
            "sex",
            "ethnicity",
            "birth_date",
            "id_number",
            "mobile",
            "is_labour_force",
            "special_groups",
            "status",
            "left_on",
        ]

    def clean_id_number(self):
        value = normalize_resident_id(self.cleaned_data.get("id_number", ""))
        candidate = Member(
            pk=self.instance.pk,
            id_number=value,
            status=self.data.get(self.add_prefix("status"), self.instance.status),
        )
        if error := active_elsewhere_error(candidate, self.viewer):
            raise error
        return value


class MemberFormSet(forms.BaseInlineFormSet):
    """A household's members together: one head among them."""

    def clean(self):
        super().clean()
        heads = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("relation") == Relation.HEAD
            and form.cleaned_data.get("status", MemberStatus.ACTIVE) == MemberStatus.ACTIVE
        ]
        if len(heads) > 1:
            raise forms.ValidationError(
                _("A household has one head; %(count)s are marked as head.") % {"count": len(heads)},
                code="heads",
            )


class HouseholdForm(forms.ModelForm):
    """A household in the admin: a new photo is cleaned like a visit's (EXIF and GPS gone)."""

    class Meta:
        model = Household
        fields = ["photo"]  # the admin's fieldsets name the rest

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return clean_photo(photo)
        return photo


class HouseholdAddForm(HouseholdForm):
    tier_reason = forms.CharField(
        label=_("reason for this tier"),
        initial=_("Initial assessment"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Household
        fields = [
            "number",
            "building",
            "unit",
            "entrance",
            "floor",
            "room",
            "tier",
            "phone",
            "relocated_on",
            "origin_county",
            "origin_township",
            "origin_village",
            "photo",
            "labels",
        ]
        error_messages = {"building": {"invalid_choice": NOT_A_BUILDING}}


class TierChangeForm(forms.Form):
    tier = forms.ModelChoiceField(Tier.objects.none(), label=_("new tier"))
    reason = forms.CharField(
        label=_("reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = tier_choices(household)


class FindPersonForm(forms.Form):
    """Search by resident ID number or phone: POSTed, so the number stays out of URLs."""

    query = forms.CharField(label=_("resident ID number or phone number"), max_length=32)

    def clean(self):
        cleaned = super().clean()
        if "query" in cleaned:
            cleaned["kind"] = search_kind(cleaned["query"])
            if cleaned["kind"] is None:
                self.add_error(
                    "query",
                    _("Enter a full resident ID number (18 characters) or a mobile number (11 digits)."),
                )
        return cleaned


class LedgerUploadForm(forms.Form):
    """An .xlsx ledger and the unit whose buildings it lists."""

    MAX_BYTES = 20 * 1024 * 1024  # 20,000 households with their members take about 3 MB

    unit = forms.ModelChoiceField(GridUnit.objects.none(), label=_("grid unit"), to_field_name="code")
    file = forms.FileField(
        label=_("ledger (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = importable_units(user)
        first = self.fields["unit"].queryset.first()
        if first is not None:
            self.fields["unit"].initial = first.code

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx file (Excel 2007 or later, or WPS)."), code="type")
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="size")
        return upload


def importable_units(user):
    """Units in scope above the buildings: a ledger lists the buildings of one of these."""
    building_rank = GridLevel.objects.filter(is_building=True).order_by("rank").values("rank")[:1]
    return (
        GridUnit.objects.visible_to(user)
        .filter(level__rank__lt=Subquery(building_rank))
        .select_related("level")
        .order_by("path")
    )
