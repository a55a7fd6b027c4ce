"""Forms of the employment pages: a member's labour status in a few taps, a household's
income, a tier proposal from a warning."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.validators import REASON_MAX_LENGTH
from employment.models import LabourStatus, WelfarePost, Workshop


class LabourForm(forms.Form):
    status = forms.ChoiceField(
        label=_("labour status"), choices=LabourStatus.choices, widget=forms.RadioSelect
    )
    starts_on = forms.DateField(
        label=_("since"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    province = forms.CharField(label=_("province"), max_length=16, required=False)
    city = forms.CharField(label=_("city"), max_length=16, required=False)
    workshop = forms.ModelChoiceField(label=_("workshop"), queryset=Workshop.objects.none(), required=False)
    post = forms.ModelChoiceField(
        label=_("public-welfare post"), queryset=WelfarePost.objects.none(), required=False
    )
    employer = forms.CharField(label=_("employer"), max_length=64, required=False)
    monthly_income = forms.DecimalField(
        label=_("monthly income (yuan)"), min_value=0, max_digits=9, decimal_places=2, required=False
    )

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()
        # The workshops and posts of the household's own community, area or street.
        near = {"unit__path__in": household.unit.ancestor_paths(), "is_open": True}
        self.fields["workshop"].queryset = Workshop.objects.filter(**near)
        self.fields["post"].queryset = WelfarePost.objects.filter(**near)


class EndLabourForm(forms.Form):
    ends_on = forms.DateField(
        label=_("ended on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class IncomeForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2010)
    per_capita = forms.DecimalField(
        label=_("per-capita net income (yuan)"), min_value=0, max_digits=10, decimal_places=2, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1

    def clean_year(self):
        # Here as well as in record_income: "compute" reads the year before the service runs.
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year cannot be in the future."), code="future")
        return year


class WarningProposalForm(forms.Form):
    tier = forms.ModelChoiceField(label=_("proposed tier"), queryset=None)
    reason = forms.CharField(
        label=_("reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, household, **kwargs):
        from monitoring.services import tier_choices

        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = tier_choices(household)
