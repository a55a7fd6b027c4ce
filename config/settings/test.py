"""Settings for the test suite: fast hashing, in-memory mail, no real media folder."""

import tempfile

from config.env import env_str

from .base import *  # noqa: F403
from .base import DEVELOPMENT_BACKUP_KEY

SECRET_KEY = env_str("SECRET_KEY", "test-only-secret-key")
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="hhl-test-media-")
# Pages render without collected static files (no manifest: names as in static/); the
# tests that serve collected files run collectstatic themselves (tests/config).
STATIC_ROOT = tempfile.mkdtemp(prefix="hhl-test-static-")
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Off, as in the demo; tests of the second factor turn it on (the ``settings`` fixture).
OTP_REQUIRED = False
OTP_REQUIRED_FOR_EVERYONE = False

# A published key for development and the demo only: production refuses it.
BACKUP_KEY = env_str("BACKUP_KEY", DEVELOPMENT_BACKUP_KEY)
