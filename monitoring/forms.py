"""Forms of the phone pages (a visit, a tier proposal, a decision on one) and the wall's filters."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import add_errors
from common.validators import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from grids.models import GridUnit
from households.forms import TierChangeForm
from households.models import Label, SpecialGroup
from households.photos import clean_photo
from households.photos import taken_at as photo_taken_at
from monitoring.followups import CLOCK_GRACE, validate_visit
from monitoring.marks import mark_choices
from monitoring.models import Need, Tier, VisitMode
from monitoring.services import tier_choices
from monitoring.wall import WallFilters


class VisitForm(forms.Form):
    """A visit as a grid worker logs it at the door, with an optional tier proposal."""

    mode = forms.ChoiceField(
        label=_("mode"), choices=VisitMode.choices, initial=VisitMode.DOOR, widget=forms.RadioSelect
    )
    visited_at = forms.DateTimeField(
        label=_("visited at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    notes = forms.CharField(
        label=_("what was found"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs = forms.MultipleChoiceField(
        label=_("needs"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    photo = forms.FileField(
        label=_("photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("Optional. At most 5 MB; location data is removed."),
    )
    # The time of the photo's file on the phone, which sends it since shrinking the photo
    # drops its EXIF: a photo taken after the moment it arrives is refused, as a visit is.
    photo_taken_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    propose_tier = forms.ModelChoiceField(
        label=_("propose another tier"),
        queryset=Tier.objects.none(),
        required=False,
        empty_label=_("— keep the tier —"),
    )
    proposal_reason = forms.CharField(
        label=_("why the tier should change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Made when the form is shown and sent back with it: a double tap, or the same form
    # sent again when the network returns, finds the first visit instead of a second.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["propose_tier"].queryset = tier_choices(household)
        if not self.is_bound:
            self.initial.setdefault("visited_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("key", uuid.uuid4())

    def clean_visited_at(self):
        # A phone's ISO time may carry any offset Python reads, some of which PostgreSQL
        # refuses (beyond ±15:59): kept in the local time zone, as the page's input is.
        try:
            return timezone.localtime(self.cleaned_data["visited_at"])
        except OverflowError:
            raise ValidationError(
                self.fields["visited_at"].error_messages["invalid"], code="invalid"
            ) from None

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return clean_photo(photo) if photo else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("visited_at"):
            try:
                validate_visit(household=self.household, visited_at=cleaned["visited_at"])
            except ValidationError as error:
                add_errors(self, error)
        # The phone's file time where it sent one (its shrunk copy has no EXIF), else the
        # camera's own, read from the photo as uploaded.
        taken = cleaned.get("photo_taken_at")
        if cleaned.get("photo") and taken is None:
            taken = photo_taken_at(self.files["photo"])
        if cleaned.get("photo") and taken and taken > timezone.now() + CLOCK_GRACE:
            self.add_error("photo", _("The photo was taken after this moment: check the phone's clock."))
        if cleaned.get("propose_tier") and not (cleaned.get("proposal_reason") or "").strip():
            self.add_error("proposal_reason", _("Say why the tier should change."))
        return cleaned


class ProposalForm(TierChangeForm):
    """The tier change a grid worker asks staff for: the same fields as staff's own."""

    # As on the visit form: the same proposal sent twice finds the first.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].label = _("proposed tier")
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())


class DecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))])
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to reject: the proposer will see it."),
    )


class WallFilterForm(forms.Form):
    """The wall's filters, read from the URL so that a view can be bookmarked and shared.

    Units, labels and groups are named by their codes (``?unit=XF-S01-C01&tier=red``):
    readable, and stable when a database is reloaded.
    """

    unit = forms.ModelChoiceField(
        label=_("grid unit"), queryset=GridUnit.objects.none(), to_field_name="code", required=False
    )
    tier = forms.ChoiceField(label=_("tier"), required=False)
    label = forms.ModelChoiceField(
        label=_("label"),
        queryset=Label.objects.select_related("subcategory"),
        to_field_name="code",
        required=False,
        empty_label=_("all labels"),
    )
    group = forms.ModelChoiceField(
        label=_("special group"),
        queryset=SpecialGroup.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("all groups"),
    )
    # Choices from the marks registered when the apps were ready (monitoring.marks).
    mark = forms.ChoiceField(label=_("marked"), required=False)

    def __init__(self, data, *, user, tiers):
        super().__init__(data)
        self.fields["unit"].queryset = GridUnit.objects.visible_to(user)
        codes = {}
        for tier in tiers:
            codes.setdefault(tier.code, tier.name)
        self.fields["tier"].choices = [("", _("all tiers")), *codes.items()]
        self.fields["mark"].choices = [("", _("all households")), *mark_choices()]
        self.fields["label"].label_from_instance = lambda label: f"{label.subcategory.name} › {label.name}"
        for name in ("tier", "label", "group", "mark"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> WallFilters:
        data = self.cleaned_data
        return WallFilters(
            unit=data["unit"], tier=data["tier"], label=data["label"], group=data["group"], mark=data["mark"]
        )
