"""Strict readers for settings taken from the environment.

A value that cannot be read is a deployment mistake, so each reader raises
``ImproperlyConfigured`` naming the variable instead of guessing (``DEBUG=yes please``
must not quietly mean ``False``).
"""

import os
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def redis_database(url: str) -> tuple[str, int, int] | None:
    """Which Redis database a URL names, as (host, port, number); None if not Redis.

    ``redis://h``, ``redis://h:6379/0`` and ``redis://h/?db=0`` are the same database.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        return None
    number = parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0]
    try:
        return (parts.hostname or "localhost", parts.port or 6379, int(number))
    except ValueError:
        # Not the URL itself: it may carry a password.
        raise ImproperlyConfigured(f"A Redis URL's database must be a number, not {number!r}.") from None
