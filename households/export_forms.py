"""The export page's form: which unit, what, which days."""

from django import forms
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import GridLevel, GridUnit, scope_roots
from households.models import ExportKind, Household

# Visits and cases of more than a year are a different job (and a large file).
MAX_DAYS = {ExportKind.VISITS: 366, ExportKind.CASES: 366}
# The file of a larger unit is built by the worker (about 1 ms per household, nearly all of
# it openpyxl writing XML, and gunicorn gives a request 30 s); this many, in the request.
MAX_HOUSEHOLDS = 12_000

_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ExportForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("grid unit"), queryset=None, to_field_name="code", empty_label=None)
    kind = forms.ChoiceField(label=_("what to export"), choices=ExportKind.choices, widget=forms.RadioSelect)
    start = forms.DateField(label=_("from"), **_DATE)
    end = forms.DateField(label=_("to"), **_DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        today = timezone.localdate()
        units = GridUnit.objects.visible_to(user)
        field = self.fields["unit"]
        # Any unit in scope is accepted; the list offers those down to the buildings (a
        # county's floors would be thousands of options), plus the top of each of the
        # user's subtrees, so that a floor head still finds their floors.
        field.queryset = units
        offered = list(_offered(user, units))
        top_depth = min((u.depth for u in offered), default=1)
        field.choices = [(u.code, "\u3000" * (u.depth - top_depth) + str(u)) for u in offered]
        # The user's top unit (the first, in tree order) unless they chose another.
        field.initial = offered[0].code if offered else None
        self.fields["kind"].initial = ExportKind.HOUSEHOLDS
        self.fields["start"].initial = today.replace(day=1)
        self.fields["end"].initial = today

    def clean(self):
        data = super().clean()
        start, end, kind, unit = data.get("start"), data.get("end"), data.get("kind"), data.get("unit")
        # A unit too large to build during the request is built by the worker instead.
        data["in_background"] = bool(
            unit
            and kind
            and kind != ExportKind.EMPLOYMENT
            and Household.objects.below(unit).visible_to(self.user).count() > MAX_HOUSEHOLDS
        )
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period cannot come before its start."))
            elif kind in MAX_DAYS and (end - start).days + 1 > MAX_DAYS[kind]:
                self.add_error(
                    "end",
                    _("Export at most %(days)s days of visits or cases at a time.")
                    % {"days": MAX_DAYS[kind]},
                )
        return data


def _offered(user, units):
    if user.has_perm("grids.view_all_units"):
        tops = Q(depth=1)
    else:
        tops = Q(pk__in=[u.pk for u in scope_roots(user)])
    building = GridLevel.objects.filter(is_building=True).order_by("rank").values("rank")[:1]
    return units.filter(tops | Q(level__rank__lte=Subquery(building))).order_by("path")
