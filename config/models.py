from django.db import models


class Heartbeat(models.Model):
    """When a periodic job last ran, by name: the health check reads "beat" (written every
    minute by config.heartbeat, which beat sends and a worker runs), so a stale row means
    beat or every worker of its queue is down."""

    name = models.CharField(max_length=50, unique=True)
    ran_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.ran_at:%Y-%m-%d %H:%M:%S}"
