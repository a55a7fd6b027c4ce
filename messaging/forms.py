from django import forms
from django.utils.translation import gettext_lazy as _

from messaging import registry
from messaging.models import Channel, Contact, Preference

SAME = ""


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["channel", "wecom_userid", "wecom_robot_key", "mobile", "quiet_hours"]
        labels = {"channel": _("Usual channel")}


class PreferencesForm(forms.Form):
    """One choice per kind of message: the usual channel, or another."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
        choices = [(SAME, _("As usual")), *Channel.choices]
        for kind in registry.kinds(listed_only=True):
            self.fields[f"kind_{kind.code}"] = forms.ChoiceField(
                label=kind.label,
                choices=choices,
                required=False,
                initial=chosen.get(kind.code, SAME),
                help_text=_("Urgent: sent at once, even in quiet hours.") if kind.urgent else "",
            )

    def save(self) -> None:
        for kind in registry.kinds(listed_only=True):
            channel = self.cleaned_data.get(f"kind_{kind.code}") or SAME
            if channel == SAME:
                Preference.objects.filter(user=self.user, kind=kind.code).delete()
            else:
                Preference.objects.update_or_create(
                    user=self.user, kind=kind.code, defaults={"channel": channel}
                )
