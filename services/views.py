from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grids.scope import household_or_404
from households.models import Household
from monitoring.forms import add_errors
from services.forms import ReportForm
from services.services import open_case


@login_required
@permission_required("services.add_servicecase", raise_exception=True)
def report(request, pk):
    household = household_or_404(request.user, pk, Household.objects.select_related("tier", "building"))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = open_case(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error, default_field="description")
        else:
            messages.success(request, _("Problem reported; respond by %(due)s.") % {"due": case.due_on})
            return redirect("household", pk=household.pk)
    return render(request, "services/report.html", {"household": household, "form": form})
