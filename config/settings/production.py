"""Production: refuses to start without its secrets, and passes ``check --deploy``."""

from django.core.exceptions import ImproperlyConfigured

from common.crypto import CIPHERS, HASHES, parse_keys
from config.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")

# The keys that encrypt resident ID numbers and hash them for search (common.crypto):
# from the environment only, never the published development ones.
FIELD_ENCRYPTION_KEYS = env_str("FIELD_ENCRYPTION_KEYS")
FIELD_BLIND_INDEX_KEYS = env_str("FIELD_BLIND_INDEX_KEYS")
for _name, _value, _published in [
    ("FIELD_ENCRYPTION_KEYS", FIELD_ENCRYPTION_KEYS, DEVELOPMENT_ENCRYPTION_KEYS),  # noqa: F405
    ("FIELD_BLIND_INDEX_KEYS", FIELD_BLIND_INDEX_KEYS, DEVELOPMENT_BLIND_INDEX_KEYS),  # noqa: F405
]:
    _keys = parse_keys(_name, _value)
    if set(_keys.values()) & set(parse_keys(_name, _published).values()):
        raise ImproperlyConfigured(f"{_name} must not hold the published development key.")
if FIELD_ENCRYPTION_CIPHER not in CIPHERS or FIELD_BLIND_INDEX_HASH not in HASHES:  # noqa: F405
    raise ImproperlyConfigured(
        f"FIELD_ENCRYPTION_CIPHER must be one of {CIPHERS}, FIELD_BLIND_INDEX_HASH of {HASHES}."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the hosts this site answers to.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# One connection per gunicorn worker, kept between requests: opening one costs more than
# a page of households. (Not in development: runserver's thread per request defeats it.)
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

# A second factor for administrators and whoever sees full ID numbers (等保 L3 身份鉴别 d),
# whatever the environment says (OTP_REQUIRED_FOR_EVERYONE may extend it to everyone).
OTP_REQUIRED = True

# Backups: the key is given to the backup job only (docker-compose.yml), so production may
# start without it; never with the development key everyone can read.
if BACKUP_KEY == DEVELOPMENT_BACKUP_KEY:  # noqa: F405
    raise ImproperlyConfigured("BACKUP_KEY is the published development key: make one of your own.")

# Never users with a published password on a real deployment (households.seed_demo).
DEMO_DATA_ALLOWED = False

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# Events leave for other systems over TLS, whatever the environment says; plain http only
# to the hosts named in WEBHOOK_PLAIN_HTTP_HOSTS.
WEBHOOK_REQUIRE_HTTPS = True
