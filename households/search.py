"""Finding a household the way a grid worker asks: a name, a room, a number, a phone."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from common.validators import normalize_mobile, validate_mobile
from households.models import Household, Member

# "3栋2单元501", "3栋 501", "2单元501", "501": building, entrance and room, each optional
# but the room.
ROOM = re.compile(
    r"^(?:(?P<building>\d+)\s*[栋幢号楼]\s*)?(?:(?P<entrance>\d+)\s*单元\s*)?(?P<room>[0-9]{2,5}[A-Za-z]?)\s*室?$"
)
RESULTS = 50


def find_households(user, query: str):
    """Households in the user's scope that the query names, at most ``RESULTS``."""
    query = (query or "").strip()
    scope = Household.objects.select_related("building", "tier").visible_to(user)
    if not query:
        return scope.none()
    try:
        validate_mobile(query)
    except ValidationError:
        pass
    else:
        mobile = normalize_mobile(query)
        by_member = Member.objects.filter(mobile=mobile).values("household")
        return scope.filter(Q(phone=mobile) | Q(pk__in=by_member))[:RESULTS]
    room = ROOM.match(query)
    if room:
        matches = scope.filter(room__iexact=room["room"])
        if room["building"]:
            matches = matches.filter(building__name__in=[f"{room['building']}{c}" for c in "栋幢号楼"])
        if room["entrance"]:
            matches = matches.filter(entrance=int(room["entrance"]))
        return matches[:RESULTS]
    named = Member.objects.filter(name__contains=query).values("household")
    return scope.filter(Q(number=query) | Q(pk__in=named))[:RESULTS]
