"""Run in a process of its own, as an operator's commands are, against the database that
DATABASE_URL names and the MEDIA_ROOT of the environment:

    python -m tests.config.backup_data seed     households with members, visits, photos
    python -m tests.config.backup_data sample   what they hold, read through the models, as JSON
"""

import datetime
import hashlib
import io
import json
import sys


def photo(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def seed() -> None:
    from django.core.files.base import ContentFile

    from households.models import Relation, Sex
    from tests.grids.factories import GridUnitFactory, UserFactory, level
    from tests.households.factories import HouseholdFactory, MemberFactory, default_tier
    from tests.monitoring.factories import VisitFactory, at

    county = GridUnitFactory(level=level("县"), name="幸福县", code="XF")
    building = GridUnitFactory(parent=county, level=level("楼栋"), name="1栋", code="B1")
    worker = UserFactory(username="worker")
    for number, (head, spouse, tier) in enumerate(
        [("王小红", "李大山", "red"), ("张丽", "赵强", "yellow"), ("阿卜杜拉·买买提", None, "green")]
    ):
        household = HouseholdFactory(unit=building, tier=default_tier(tier), room=f"50{number}")
        household.photo.save("front.png", ContentFile(photo((200, 40 * number, 10))))
        MemberFactory(
            household=household, name=head, sex=Sex.FEMALE, birth_date=datetime.date(1968, 3, 9 + number)
        )
        if spouse:
            MemberFactory(
                household=household,
                name=spouse,
                relation=Relation.SPOUSE,
                birth_date=datetime.date(1966, 11, 20 + number),
            )
        visit = VisitFactory(
            household=household, visited_by=worker, visited_at=at(datetime.date(2026, 11, 2 + number))
        )
        visit.photo.save(f"visit-{number}.png", ContentFile(photo((10, 40 * number, 200))))


def sample() -> dict:
    from django.core.files.storage import default_storage

    from households.models import Household, Member
    from monitoring.models import Visit

    def digest(name: str) -> str:
        with default_storage.open(name, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()

    households = Household.objects.order_by("pk")
    visits = Visit.objects.order_by("pk")
    return {
        "members": [
            [m.pk, m.household_id, m.name, m.birth_date.isoformat(), m.id_number, m.relation, m.sex]
            for m in Member.objects.order_by("pk")
        ],
        "households": [[h.pk, h.number, h.room, h.tier.code, h.photo.name] for h in households],
        "visits": [[v.pk, v.household_id, v.visited_at.isoformat(), v.notes, v.photo.name] for v in visits],
        "photos": {
            name: digest(name)
            for name in [h.photo.name for h in households] + [v.photo.name for v in visits]
            if name
        },
    }


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "seed":
        seed()
    else:
        print(json.dumps(sample(), ensure_ascii=False))
