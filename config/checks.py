"""Deployment checks of our own, run by ``manage.py check --deploy``."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    # Each gunicorn worker would otherwise keep its own memory: a reveal token spent in
    # one worker could be replayed to another, and the help page's limits would count
    # per process.
    if settings.CACHE_URL:
        return []
    return [
        Warning(
            "CACHE_URL is not set: each process keeps its own cache.",
            hint="Point CACHE_URL at a Redis database of its own: one-time reveal tokens and rate "
            "limits must be shared by every worker process.",
            id="hhl.W001",
        )
    ]
