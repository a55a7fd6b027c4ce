"""manage.py partitions: what the daily partitions.maintain job does, now (months ahead
made, rows waiting in DEFAULT moved into them, old months detached per
PARTITION_ATTACHED_MONTHS); with --list, the months each partitioned table has."""

from django.core.management.base import BaseCommand

from common import partitions
from config.partitions import maintain


class Command(BaseCommand):
    help = "Create the months ahead of the partitioned history tables and detach old ones."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="Only list each table's months.")

    def handle(self, *args, list=False, **options):
        if not list:
            for table, done in maintain().items():
                for month in done["created"]:
                    self.stdout.write(f"{table}: {month} created")
                for name in done["detached"]:
                    self.stdout.write(f"{table}: {name} detached")
        for table in partitions.partitioned_tables():
            months = partitions.months_of(table)
            span = f"{months[0]:%Y-%m} … {months[-1]:%Y-%m}" if months else "—"
            self.stdout.write(f"{table}: {span} ({len(months)} months) + DEFAULT")
