"""Settings come from the environment and refuse values they cannot read."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "FIELD_ENCRYPTION_KEYS",
            "FIELD_BLIND_INDEX_KEYS",
            "CACHE_URL",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_environment() -> dict[str, str]:
    """Everything production settings require to start, and nothing else: the one place
    to add a variable when production comes to require one more (a key, a URL)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + "-production-only-secret-0123456789abcdef",
        "ALLOWED_HOSTS": "hhl.example.org",
        "FIELD_ENCRYPTION_KEYS": "p1:" + "cHJvZHVjdGlvbi1vbmx5LWZpZWxkLWtleS0wMDAwMDE=",
        "FIELD_BLIND_INDEX_KEYS": "p1:" + "cHJvZHVjdGlvbi1vbmx5LWluZGV4LWtleS0wMDAwMDE=",
        "DATABASE_URL": "postgres://hhl:hhl@db.example.org:5432/hhl",
        "CACHE_URL": "redis://cache.example.org:6379/1",
    }


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("true", True), ("Yes", True), ("off", False), ("0", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("SOME_FLAG", raw)

    assert env_bool("SOME_FLAG", not value) is value


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("DEBUG", "yes please")

    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,")

    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="hhl.example.org"
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_bad_debug_value():
    result = run_manage("check", **production_environment() | {"DEBUG": "yes please"})

    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_passes_the_deployment_checks_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_environment())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_cookies_are_secure_http_only_and_same_site():
    cookies = ("SESSION", "CSRF", "LANGUAGE")
    result = settings_value(
        ", ".join(f"settings.{c}_COOKIE_SECURE, settings.{c}_COOKIE_SAMESITE" for c in cookies)
        + ", settings.SESSION_COOKIE_HTTPONLY, settings.LANGUAGE_COOKIE_HTTPONLY",
        **production_environment(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "Lax"] * 3 + ["True", "True"]


def test_the_demo_keeps_its_cookies_usable_over_plain_http():
    result = settings_value("settings.SESSION_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SECURE")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def settings_value(expression, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL"}
    }
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cache_is_the_redis_database_cache_url_names_not_the_brokers():
    result = settings_value(
        "settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'], "
        "settings.CELERY_BROKER_URL",
        REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/1",
        "redis://127.0.0.1:6379/0",
    ]


def test_without_cache_url_the_cache_is_the_processs_memory_even_with_a_broker():
    result = settings_value("settings.CACHES['default']['BACKEND']", REDIS_URL="redis://127.0.0.1:6379/0")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize(
    ("broker", "cache"),
    [
        ("redis://127.0.0.1:6379/2", "redis://127.0.0.1:6379/2"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1/0"),
        ("redis://:secret@127.0.0.1:6379/0", "redis://127.0.0.1:6379/?db=0"),
    ],
)
def test_settings_refuse_a_cache_in_the_brokers_database(broker, cache):
    result = settings_value("settings.CACHES", REDIS_URL=broker, CACHE_URL=cache)

    assert result.returncode != 0
    assert "CACHE_URL must name a Redis database of its own" in result.stderr
    assert "secret" not in result.stderr


def test_production_refuses_to_start_without_field_encryption_keys():
    env = {k: v for k, v in production_environment().items() if k != "FIELD_ENCRYPTION_KEYS"}

    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_the_published_development_keys():
    from config.settings import base

    result = run_manage(
        "check", **{**production_environment(), "FIELD_BLIND_INDEX_KEYS": base.DEVELOPMENT_BLIND_INDEX_KEYS}
    )

    assert result.returncode != 0
    assert "FIELD_BLIND_INDEX_KEYS must not hold the published development key" in result.stderr


def test_production_without_a_shared_cache_fails_the_deployment_checks():
    environment = {k: v for k, v in production_environment().items() if k != "CACHE_URL"}

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **environment)

    assert result.returncode != 0
    assert "hhl.W001" in result.stderr + result.stdout


SENTINELS = "sentinel://10.0.0.1:26379/0;sentinel://10.0.0.2:26379/0"


def test_a_sentinel_broker_without_the_masters_name_refuses_to_start_naming_the_setting():
    result = settings_value("settings.CELERY_BROKER_URL", CELERY_BROKER_URL=SENTINELS)

    assert result.returncode != 0
    assert "CELERY_BROKER_MASTER_NAME must be set" in result.stderr


def test_a_sentinel_broker_asks_the_sentinels_for_the_master_the_environment_names():
    app = "__import__('config.celery').celery.app"
    result = settings_value(
        f"sorted(settings.CELERY_BROKER_TRANSPORT_OPTIONS.items()), "
        f"{app}.conf.broker_transport_options['master_name'], {app}.connection_for_write().transport_cls",
        CELERY_BROKER_URL=SENTINELS,
        CELERY_BROKER_MASTER_NAME="hhl-broker",
        BROKER_KEY_PREFIX="hhl:",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[('global_keyprefix', 'hhl:'), ('master_name', 'hhl-broker')] hhl-broker sentinel"
    )


def test_a_plain_redis_broker_needs_no_masters_name():
    result = settings_value("settings.CELERY_BROKER_TRANSPORT_OPTIONS", REDIS_URL="redis://127.0.0.1:6379/0")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{}"


def test_a_sentinel_cache_url_is_refused_since_only_the_broker_speaks_sentinel():
    result = settings_value(
        "settings.CACHES",
        CELERY_BROKER_URL=SENTINELS,
        CELERY_BROKER_MASTER_NAME="hhl-broker",
        CACHE_URL=SENTINELS,
    )

    assert result.returncode != 0
    assert "CACHE_URL must be a redis:// or rediss:// URL" in result.stderr


@pytest.mark.parametrize("months", ["-1", "12"])
def test_detaching_months_the_pages_still_read_is_refused_naming_the_setting(months):
    result = settings_value("settings.PARTITION_ATTACHED_MONTHS", PARTITION_ATTACHED_MONTHS=months)

    assert result.returncode != 0
    assert "PARTITION_ATTACHED_MONTHS must be 0 (never detach) or at least 13 months" in result.stderr


def test_keeping_a_year_and_a_month_attached_is_accepted():
    result = settings_value("settings.PARTITION_ATTACHED_MONTHS", PARTITION_ATTACHED_MONTHS="13")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "13"


def test_large_reports_drawn_by_a_worker_need_a_shared_cache_or_the_settings_refuse():
    result = settings_value("settings.REPORTS_IN_WORKER_HOUSEHOLDS", REPORTS_IN_WORKER_HOUSEHOLDS="50000")

    assert result.returncode != 0
    assert "REPORTS_IN_WORKER_HOUSEHOLDS needs CACHE_URL" in result.stderr
