from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username or mobile number (see grids.backends)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or mobile number")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "inputmode": "text"})
