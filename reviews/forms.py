"""The agenda page's forms: the meeting (date, who came, minutes) and one small form per
household row, of which only the rows given a decision are read."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from common.validators import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from grids.models import GridUnit
from reviews.agenda import Why
from reviews.models import MINUTES_MAX_LENGTH, DecisionKind
from services.models import CaseCategory, Urgency


class AgendaChoiceForm(forms.Form):
    """Which unit and month (the page's GET)."""

    unit = forms.ModelChoiceField(label=_("unit"), queryset=GridUnit.objects.none())
    month = forms.CharField(
        label=_("month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
    )
    why = forms.ChoiceField(label=_("only"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["why"].choices = [("", _("every reason")), *Why.choices()]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False

    def clean_month(self):
        value = self.cleaned_data["month"]
        try:
            month = datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise ValidationError(_("Give the month as 2026-11.")) from None
        if month > timezone.localdate().replace(day=1):
            raise ValidationError(_("A month to come cannot be reviewed yet."))
        return month


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _name(obj)


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label=_("held on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    attendees = PeopleField(
        label=_("attendees"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    other_attendees = forms.CharField(
        label=_("other attendees"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("People without an account, one per line."),
    )
    minutes = forms.CharField(
        label=_("minutes"),
        required=False,
        max_length=MINUTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = people
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The attendees are written out by the template (a street's hundreds of people
        # through crispy's checkbox templates took a second).
        self.helper.layout = Layout(
            Row(Column("held_on", css_class="col-md-2"), Column("other_attendees", css_class="col-md-10")),
            "minutes",
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("A meeting cannot be recorded before it is held."))
        return held_on


class SelectOne(forms.CharField):
    """A choice among the row's own options (its household's tiers, its people), checked
    in ``RowForm.clean``: a ChoiceField normalises its choices again for every row."""


class RowForm(forms.Form):
    """One household's decision. Rendered by ``RowInputs`` in the agenda's table."""

    pick = forms.BooleanField(required=False)
    kind = forms.ChoiceField(label=_("decision"), required=False, choices=[("", "—"), *DecisionKind.choices])
    tier = SelectOne(label=_("tier"), required=False)
    reason = forms.CharField(label=_("reason or description"), required=False, max_length=REASON_MAX_LENGTH)
    # In the order of the table's columns.
    category = forms.ChoiceField(
        label=_("case category"), required=False, choices=[("", "—"), *CaseCategory.choices]
    )
    urgency = forms.ChoiceField(label=_("urgency"), required=False, choices=Urgency.choices)
    measure = forms.CharField(label=_("measure"), required=False, max_length=200)
    person = SelectOne(label=_("person responsible"), required=False)

    def __init__(self, *args, tiers, people, bulk_kind="", **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = {str(t.pk): t for t in tiers}
        self.people = {str(p.pk): p for p in people}
        self.bulk_kind = bulk_kind
        self.options = {
            "tier": (("", "—"), *((pk, t.name) for pk, t in self.tiers.items())),
            "person": (("", "—"), *((pk, _name(p)) for pk, p in self.people.items())),
        }

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or (self.bulk_kind if data.get("pick") else "")
        data["kind"] = kind
        for name, among in (("tier", self.tiers), ("person", self.people)):
            if data.get(name) and data[name] not in among:
                self.add_error(name, _("Choose one of those offered."))
            data[name] = among.get(data.get(name) or "")
        reason = data.get("reason", "").strip()
        data["reason"] = reason
        data["measure"] = data.get("measure", "").strip()
        if kind == DecisionKind.CHANGE_TIER:
            if data["tier"] is None:
                self.add_error("tier", _("Choose the new tier."))
            if not reason:
                self.add_error("reason", _("Say why the tier changes."))
        elif kind == DecisionKind.OPEN_CASE:
            if not data.get("category"):
                self.add_error("category", _("Choose what the case is about."))
            if not reason:
                self.add_error("reason", _("Describe the problem for the case."))
        elif kind == DecisionKind.MEASURE:
            if not data["measure"]:
                self.add_error("measure", _("Say what is to be done."))
            if data["person"] is None:
                self.add_error("person", _("Name the person who does it."))
        return data


def _name(user) -> str:
    return f"{user.last_name}{user.first_name}" or user.get_username()


class RowInputs:
    """The inputs of the agenda's rows, written out directly: a hundred rows of six
    selects through Django's widget templates took seconds (a street's page, with its
    people's names in every row, 30 s); the options of each distinct list are written
    once and shared, and each row marks its own value."""

    def __init__(self):
        self._options: dict = {}

    def _options_html(self, choices) -> str:
        key = tuple((str(value), str(label)) for value, label in choices)
        if key not in self._options:
            self._options[key] = format_html_join("", '<option value="{}">{}</option>', key)
        return self._options[key]

    def __call__(self, form) -> dict:
        inputs = {}
        for name, formfield in form.fields.items():
            bound = form[name]
            value = bound.value()
            label = formfield.label or _("pick")
            if name == "pick":
                inputs[name] = format_html(
                    '<input type="checkbox" name="{}" id="{}" class="form-check-input" aria-label="{}"{}>',
                    bound.html_name,
                    bound.auto_id,
                    label,
                    mark_safe(" checked") if value else "",
                )
            elif isinstance(formfield, forms.ChoiceField | SelectOne):
                choices = form.options[name] if isinstance(formfield, SelectOne) else formfield.choices
                options = self._options_html(choices)
                if value not in (None, ""):
                    marker = format_html('value="{}"', value)
                    options = mark_safe(options.replace(marker, f"{marker} selected", 1))
                inputs[name] = format_html(
                    '<select name="{}" id="{}" class="form-select form-select-sm" aria-label="{}">'
                    "{}</select>",
                    bound.html_name,
                    bound.auto_id,
                    label,
                    options,
                )
            else:
                inputs[name] = format_html(
                    '<input type="text" name="{}" id="{}" value="{}" maxlength="{}" '
                    'class="form-control form-control-sm" aria-label="{}">',
                    bound.html_name,
                    bound.auto_id,
                    value or "",
                    formfield.max_length,
                    label,
                )
        return inputs
