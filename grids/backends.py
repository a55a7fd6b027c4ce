from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from common.fields import MobileNumberField


class UsernameOrMobileBackend(ModelBackend):
    """Log in with a username or with the mobile number in the user's profile."""

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
