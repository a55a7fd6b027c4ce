import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.snapshots import backfill_tier_snapshots


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Dates are written YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Write tier snapshots for past days, replayed from the tier history."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=_date, required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument(
            "--to", dest="last", type=_date, help="Last day (default: yesterday, the last that has ended)."
        )
        parser.add_argument("--every", type=int, default=7, help="Days between snapshots (default 7).")

    def handle(self, *args, first, last, every, **options):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        last = last or yesterday
        if last < first:
            raise CommandError("--to must not be before --from.")
        if last > yesterday:
            # A day's snapshot is the end of that day: today's is not known yet.
            raise CommandError(f"--to must be a day that has ended: {yesterday} at the latest.")
        if every < 1:
            raise CommandError("--every must be at least 1.")
        rows = backfill_tier_snapshots(first, last, every)
        self.stdout.write(f"{rows} snapshot rows written from {first} to {last}.")
