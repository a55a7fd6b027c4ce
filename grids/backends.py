from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from common.fields import MobileNumberField


class UsernameOrMobileBackend(ModelBackend):
    """Log in with a username or with the mobile number in the user's profile."""

    def canonical_username(self, typed: str) -> str | None:
        """The username of the account a mobile number names (accounts.lockout: a lock
        holds whichever name is typed), or None."""
        try:
            mobile = MobileNumberField().clean(typed, None)
        except ValidationError:
            return None
        User = get_user_model()
        return (
            User._default_manager.filter(profile__mobile=mobile)
            .values_list(User.USERNAME_FIELD, flat=True)
            .first()
        )

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username:
            return user
        try:
            mobile = MobileNumberField().clean(username, None)
        except ValidationError:
            return None
        User = get_user_model()
        try:
            user = User._default_manager.get(profile__mobile=mobile)
        except User.DoesNotExist:
            # Spend the time a password check takes, as ModelBackend does, so that a
            # wrong number cannot be told from a wrong password by the clock.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
