from django.core.management.base import BaseCommand

from monitoring.followups import generate_follow_ups


class Command(BaseCommand):
    help = (
        "Mark ended follow-ups missed and give every active household its current one "
        "(what the daily job does)."
    )

    def handle(self, *args, **options):
        created = generate_follow_ups()
        self.stdout.write(f"{created} follow-ups written.")
