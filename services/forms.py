from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import CaseCategory, Urgency


class ReportForm(forms.Form):
    """A problem a grid worker reports from the household card."""

    category = forms.ChoiceField(label=_("category"), choices=CaseCategory.choices, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(
        label=_("urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 4}))
