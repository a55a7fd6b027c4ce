from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from messaging.forms import ContactForm, PreferencesForm
from messaging.models import Contact, Digest, Message


@login_required
def preferences(request):
    """Where my messages go: my addresses, my usual channel, and a channel per kind."""
    contact = Contact.objects.filter(user=request.user).first() or Contact(user=request.user)
    if request.method == "POST":
        contact_form = ContactForm(request.POST, instance=contact)
        kinds_form = PreferencesForm(request.POST, user=request.user)
        if contact_form.is_valid() and kinds_form.is_valid():
            with transaction.atomic():
                contact_form.save()
                kinds_form.save()
            flash.success(request, _("Your message settings are saved."))
            return redirect("messaging:preferences")
        status = 400
    else:
        contact_form, kinds_form, status = (
            ContactForm(instance=contact),
            PreferencesForm(user=request.user),
            200,
        )
    recent = Message.objects.filter(recipient=request.user).order_by("-id")[:20]
    return render(
        request,
        "messaging/preferences.html",
        {"contact_form": contact_form, "kinds_form": kinds_form, "recent": recent},
        status=status,
    )


@login_required
def digest(request, pk):
    """A morning digest, whole: only its recipient sees it."""
    return render(
        request, "messaging/digest.html", {"digest": get_object_or_404(Digest, pk=pk, user=request.user)}
    )
