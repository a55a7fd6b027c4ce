from django.db import DatabaseError

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
