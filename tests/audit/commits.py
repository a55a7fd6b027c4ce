"""What a commit would run, told apart: the audit log's rows (audit.receivers records a
change once it commits) and the rest (the tasks a page queues)."""

from functools import partial

from audit.events import record


def queued_tasks(callbacks) -> list:
    """Run the audit rows among ``callbacks``, as the commit would; return the others."""
    others = []
    for callback in callbacks:
        if isinstance(callback, partial) and callback.func is record:
            callback()
        else:
            others.append(callback)
    return others
