"""The follow-up engine's answers to what households tells (``households.signals``).

Connected in ``MonitoringConfig.ready()``; each runs inside the sender's transaction, so a
household's change and the follow-ups it settles commit together.
"""

from monitoring.followups import close_for_departure, resume_follow_ups


def follow_ups_end_on_departure(sender, *, household, **kwargs) -> None:
    close_for_departure(household=household)


def follow_ups_resume_on_return(sender, *, household, **kwargs) -> None:
    resume_follow_ups(household=household)
