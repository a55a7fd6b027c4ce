"""The developer's and the demo's settings: DEBUG on, a throwaway key, loopback hosts."""

from config.env import env_bool, env_list, env_str

from .base import *  # noqa: F403
from .base import DEVELOPMENT_BACKUP_KEY

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-local-development-only")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo's messages are printed by the Celery worker (var/celery.log), whatever a user's
# addresses: nothing leaves the machine.
MESSAGES_DEFAULT_CHANNEL = env_str("MESSAGES_DEFAULT_CHANNEL", "console")
# A newcomer's demo is not stopped by a phone they have not set up; OTP_REQUIRED=1 tries it.
OTP_REQUIRED = env_bool("OTP_REQUIRED", False)

# Static files come from STATIC_ROOT, as `make demo` collects them (with a compressed copy
# of each), not from static/ as edited: a phone's first load of the demo should weigh
# what it weighs in production. After changing static/, run `make static` again.
WHITENOISE_USE_FINDERS = False

# A published key for development and the demo only: production refuses it.
BACKUP_KEY = env_str("BACKUP_KEY", DEVELOPMENT_BACKUP_KEY)
FIELD_ENCRYPTION_KEYS = env_str("FIELD_ENCRYPTION_KEYS", DEVELOPMENT_ENCRYPTION_KEYS)  # noqa: F405
FIELD_BLIND_INDEX_KEYS = env_str("FIELD_BLIND_INDEX_KEYS", DEVELOPMENT_BLIND_INDEX_KEYS)  # noqa: F405
