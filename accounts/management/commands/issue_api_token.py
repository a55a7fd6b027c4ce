"""``manage.py issue_api_token <username> --purpose "民政局数据同步"``: a new API token for
another system, printed once (the database keeps its hash only)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Make an API token for a user and print its key, once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--purpose", required=True, help="what the token is for, e.g. 民政局数据同步")

    def handle(self, *args, username, purpose, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"username: no user is called {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"username: {username!r} is deactivated; a token would be refused.")
        if not purpose.strip():
            raise CommandError("purpose: say what the token is for.")
        token, key = issue_token(user=user, purpose=purpose)
        self.stderr.write(f"Expires {token.expires_at:%Y-%m-%d %H:%M %Z}. Shown once: keep it now.")
        self.stdout.write(key)
