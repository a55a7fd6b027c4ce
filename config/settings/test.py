"""Settings for the test suite: fast hashing, in-memory mail, no real media folder."""

import os
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

# Fixed keys of the suite's own (not the demo's published ones): servers the tests start
# under the production settings are given them to read the test database.
FIELD_ENCRYPTION_KEYS = env_str("FIELD_ENCRYPTION_KEYS", "test1:aGhsLXRlc3Qtc3VpdGUtb25seS1maWVsZC1rZXktMDE=")
FIELD_BLIND_INDEX_KEYS = env_str(
    "FIELD_BLIND_INDEX_KEYS", "test1:aGhsLXRlc3Qtc3VpdGUtb25seS1pbmRleC1rZXktMDE="
)

# ``make test`` runs the suite in several processes (pytest-xdist), which share CACHE_URL's
# Redis database: each keeps its keys apart (a token, a rate limit, a user's replica pin
# are named alike in every worker's database), and so do the servers a test starts, which
# inherit the variable.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    CACHES["default"]["KEY_PREFIX"] = f"{CACHES['default'].get('KEY_PREFIX', '')}-{worker}"  # noqa: F405
