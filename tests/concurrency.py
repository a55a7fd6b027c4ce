"""The same code from two database connections at once, for the races PostgreSQL must
settle (SQLite serialises writers, so these tests run on PostgreSQL only)."""

import threading

from django.db import connections


def at_once(job, times: int = 2) -> list:
    """Run ``job()`` in ``times`` threads released together, each on a connection of its
    own; what each returned or raised, in the order they finished."""
    barrier = threading.Barrier(times)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(job())
        except Exception as error:  # the caller decides what an error means
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
