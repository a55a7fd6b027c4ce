from celery import current_app
from django.core.cache import cache
from django.db import DatabaseError, transaction

# What every periodic job is written for: it may run twice or concurrently (late
# acknowledgement re-delivers a task whose worker died), so the services it calls are.
RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 10,
    "retry_backoff_max": 300,  # well under Redis' one-hour visibility timeout
    "max_retries": 5,
}


def send_once(claim: str, seconds: int, name: str, args: list) -> bool:
    """Queue the task ``name`` after the commit, unless one was queued under the same
    ``claim`` in the last ``seconds`` (many people pressing or looking at once ask one
    worker); False then. The task deletes its claim when done; a lost worker's claim
    lapses. Needs a cache every process shares."""
    if not cache.add(claim, 1, seconds):
        return False
    transaction.on_commit(lambda: current_app.send_task(name, args=args))
    return True
