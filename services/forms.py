import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.fields import MobileNumberFormField
from common.validators import NOTE_MAX_LENGTH, validate_mobile
from grids.models import Assignment
from services.door_cards import HELP_KINDS
from services.models import (
    MAX_HOURS_PER_RECORD,
    CaseCategory,
    CaseLevel,
    CaseStatus,
    PointRule,
    RewardItem,
    Urgency,
)


class ReportForm(forms.Form):
    """A problem a grid worker reports from the household card."""

    category = forms.ChoiceField(label=_("category"), choices=CaseCategory.choices, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(
        label=_("urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("description"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Made when the form is shown and sent back with it: a double tap, or the same report
    # sent again from the phone's outbox, finds the first case instead of opening another.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())
        self.fields["urgency"].help_text = ngettext(
            "An urgent problem must be answered within %(days)s working day.",
            "An urgent problem must be answered within %(days)s working days.",
            settings.CASE_URGENT_WORKING_DAYS,
        ) % {"days": settings.CASE_URGENT_WORKING_DAYS}


class CaseFilterForm(forms.Form):
    """The case list's filters, in the URL."""

    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", _("all")), *CaseCategory.choices]
    )
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("not closed")), ("all", _("all")), *CaseStatus.choices],
    )
    level = forms.ChoiceField(label=_("level"), required=False, choices=[("", _("all")), *CaseLevel.choices])
    overdue = forms.BooleanField(label=_("overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("category", "status", "level"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("note"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=CaseStatus.choices)
    text = forms.CharField(
        label=_("what was done, or why"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # No status chosen for the user: after "resolved" the first would be "closed", and
        # a case was closed by someone who only meant to add a line.
        self.fields["status"].choices = [("", _("choose…"))] + [
            (s, CaseStatus(s).label) for s in case.next_statuses
        ]


class HelpForm(forms.Form):
    """The door card's page: what kind of help, and optionally a number and a few words."""

    kind = forms.ChoiceField(
        choices=[(k, label) for k, (_c, label) in HELP_KINDS.items()], widget=forms.HiddenInput
    )
    # Checked and stored as every other mobile number: ASCII digits (full-width ones made
    # so), +86 and spaces dropped.
    phone = MobileNumberFormField(
        label=_("phone number to call back (optional)"), required=False, validators=[validate_mobile]
    )
    text = forms.CharField(
        label=_("a few words (optional)"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RedeemForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("item"), queryset=RewardItem.objects.filter(is_active=True, stock__gt=0)
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    # Made when the form is shown: a double click or a resent form redeems once (as the counter).
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())


class CounterLookupForm(forms.Form):
    """The 爱心超市 counter's lookup: a door card's code (scanned, or its address typed),
    or a building and a room. POSTed, as every search that could name a person."""

    code = forms.CharField(label=_("door card code"), required=False, max_length=400)
    building = forms.ModelChoiceField(label=_("building"), required=False, queryset=None)
    room = forms.CharField(
        label=_("room"),
        required=False,
        max_length=12,
        help_text=_("such as 501, or 2-501 with the entrance"),
    )

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        # The buildings where the user's scope has households: another community's is not
        # a choice (and is refused as one).
        from grids.models import GridUnit

        self.fields["building"].queryset = GridUnit.objects.filter(
            pk__in=households.values("building_id")
        ).order_by("path")
        self.fields["code"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})
        self.fields["room"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean_room(self):
        room = self.cleaned_data["room"].strip().replace("－", "-")
        if not room:
            return None
        entrance, _dash, number = room.rpartition("-")
        if entrance and not (entrance.isascii() and entrance.isdigit()):
            raise forms.ValidationError(_("A room is written 501, or 2-501 with the entrance."))
        if not (number.isascii() and number.isalnum()) or len(number) > 8:
            raise forms.ValidationError(_("A room is written 501, or 2-501 with the entrance."))
        return (int(entrance) if entrance else None, number)

    def clean(self):
        data = super().clean()
        if data.get("code", "").strip():
            return data
        if (data.get("building") is None or data.get("room") is None) and not self.errors:
            raise forms.ValidationError(
                _("Scan or type the door card's code, or choose a building and a room.")
            )
        return data


class EarnForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("activity"), queryset=PointRule.objects.all())
    hours = forms.DecimalField(
        label=_("hours"),
        min_value=0.5,
        max_value=MAX_HOURS_PER_RECORD,
        max_digits=5,
        decimal_places=1,
        required=False,
    )
    reason = forms.CharField(label=_("note"), max_length=200, required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("why"), max_length=200)


class AssignForm(forms.Form):
    """Whom a case may be handed to: the grid workers, grid heads and community staff in the
    user's scope, grouped by the unit they are assigned to with their role there, the units
    above the case's household first (a community has a hundred people; bare names told
    staff nothing about who covers that building)."""

    assigned_to = forms.TypedChoiceField(label=_("hand to"), coerce=int)

    def __init__(self, *args, user, household=None, **kwargs):
        from grids.models import Role
        from monitoring.followups import WORKER_ROLES

        super().__init__(*args, **kwargs)
        roles = [*WORKER_ROLES, Role.GRID_HEAD, Role.COMMUNITY_STAFF]
        assignments = (
            Assignment.objects.current()
            .visible_to(user)
            .filter(role__in=roles)
            .select_related("user", "unit")
            .order_by("unit__path", "role", "user__last_name", "user__first_name", "user__username")
        )
        groups: dict = {}
        self._people = {}
        for assignment in assignments:
            person = assignment.user
            self._people[person.pk] = person
            label = f"{_person_name(person)} · {assignment.get_role_display()}"
            groups.setdefault(assignment.unit, []).append((person.pk, label))
        home = household.unit.path if household is not None else ""

        def nearest_first(unit):
            above = home.startswith(unit.path)
            return (not above, -unit.depth if above else 0, unit.path)

        self.fields["assigned_to"].choices = [("", _("choose…"))] + [
            (str(unit), people)
            for unit, people in sorted(groups.items(), key=lambda item: nearest_first(item[0]))
        ]

    def clean_assigned_to(self):
        return self._people[self.cleaned_data["assigned_to"]]


def _person_name(user) -> str:
    return (
        f"{user.last_name}{user.first_name}" if (user.last_name or user.first_name) else user.get_username()
    )
