import time

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.module_loading import autodiscover_modules
from tqdm import tqdm

from grids.demo import DEMO_USERS, DemoContext, demo_steps
from grids.models import GridUnit
from households.models import Household


class Command(BaseCommand):
    help = (
        "Build a believable demo settlement: a county of streets, communities, areas, "
        "buildings and floors; households with members, labels and tiers; grid workers "
        "for about 15 households each; and one demo user per role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--households",
            type=int,
            default=2800,
            help="How many households (default 2,800, as in 铜源社区).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")
        parser.add_argument("--password", default="Hhl-demo-2026", help="The password every demo user gets.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has households.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")
        parser.add_argument(
            "--history-days",
            type=int,
            default=7,
            help="Days of past follow-ups and visits to make (0: none, as for benchmarks).",
        )
        parser.add_argument(
            "--trend-every-days",
            type=int,
            default=30,
            help=(
                "Replay the tier history into daily counts every this many days since the "
                "last family moved in, for the wall's trend chart (default 30; 0: none)."
            ),
        )

    def handle(
        self,
        *args,
        households,
        seed,
        password,
        if_empty,
        no_progress,
        history_days,
        trend_every_days,
        **options,
    ):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo refuses to run under production settings: it creates users, an "
                "administrator among them, whose password is published. Create real users "
                "with createsuperuser and the admin; try the demo under config.settings.local."
            )
        if households < 1:
            raise CommandError("--households must be at least 1.")
        if not 0 <= history_days <= 62:
            raise CommandError("--history-days must be between 0 and 62.")
        if not 0 <= trend_every_days <= 366:
            raise CommandError("--trend-every-days must be between 0 and 366.")
        try:
            # The rules every password meets (accounts.validators), the demo's included.
            password_validation.validate_password(password)
        except ValidationError as error:
            raise CommandError(f"--password: {' '.join(error.messages)}") from None
        existing = Household.objects.count()
        if existing or GridUnit.objects.exists():
            if if_empty:
                self.stdout.write(f"The database already holds {existing} households; not seeding.")
                return
            raise CommandError(
                f"The database already holds {existing} households and a grid. Seed an empty "
                "database (for example: manage.py flush), or pass --if-empty to skip."
            )
        # Each app builds its own part of the settlement in its demo module, as the admin
        # finds each app's admin.py; grids.demo lists the steps and their order.
        autodiscover_modules("demo")
        started = time.monotonic()
        bar = tqdm(total=households, unit="hh", desc="households", disable=no_progress, file=self.stderr._out)
        context = DemoContext(
            households=households,
            seed=seed,
            password=password,
            progress=bar.update,
            options={"history_days": history_days, "trend_every_days": trend_every_days},
        )
        # One transaction: a failure leaves an empty database, never half a settlement.
        with transaction.atomic():
            for step in demo_steps():
                step.build(context)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # fresh statistics for everything the steps wrote
        bar.close()
        elapsed = time.monotonic() - started
        figures = dict(context.figures)
        made = [f"{figures.pop('households', 0)} households"]
        made += [f"{count} {what}" for what, count in figures.items()]
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {', '.join(made[:-1])} and {made[-1]} in {elapsed:.1f} s.")
        )
        self.stdout.write(f"Demo users (password: {password}):")
        for username, _role, description in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {description}")
        self.stdout.write("Other grid workers: staff00001, flr00002 … (same password).")
