"""Finding a household the way a grid worker asks: a name, a room, a number, a phone."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.events import record
from audit.models import Action, Outcome
from common.validators import normalize_mobile, normalize_resident_id, validate_mobile
from households.models import Household, Member, id_number_digests

# "3栋2单元501", "3栋 501", "2单元501", "501": building, entrance and room, each optional
# but the room.
ROOM = re.compile(
    r"^(?:(?P<building>\d+)\s*[栋幢号楼]\s*)?(?:(?P<entrance>\d+)\s*单元\s*)?(?P<room>[0-9]{2,5}[A-Za-z]?)\s*室?$"
)
# "2-202", "2-1-202": as residents and the card write a room ("1-202" is entrance 1 on the
# card; "2-202" building 2 to most people, so a two-part room matches either).
DASHED = re.compile(r"^(?P<first>\d+)\s*-\s*(?:(?P<second>\d+)\s*-\s*)?(?P<room>[0-9]{2,5}[A-Za-z]?)$")
RESULTS = 50
# A full resident ID number as typed (checked only for its shape: a wrong check digit
# simply finds nobody, and saying so would confirm nothing).
FULL_ID = re.compile(r"^[0-9]{17}[0-9X]$")
BY_ID = "id_number"
BY_PHONE = "phone"
NO_ID_SEARCH = _(
    "You may not search by a full resident ID number: your role does not see them. "
    "Search by name, room or phone number instead."
)


def search_kind(query: str) -> str | None:
    """``BY_ID`` for a full resident ID number, ``BY_PHONE`` for a mobile number, else None."""
    query = (query or "").strip()
    if FULL_ID.match(normalize_resident_id(query)):
        return BY_ID
    try:
        validate_mobile(query)
    except ValidationError:
        return None
    return BY_PHONE


def find_by_number(*, request, scope, query: str, kind: str) -> list[Household]:
    """Households of ``scope`` with this ID number (among their members) or phone number
    (theirs or a member's), each search audited by kind, never with the number.

    A user who may not see full ID numbers may not search by one either: finding the
    household would tell them whose number it is. Refused (PermissionDenied), audited."""
    if kind == BY_ID and not request.user.has_perm("households.view_id_number"):
        record(
            Action.SEARCHED, request=request, target=Household, outcome=Outcome.REFUSED, detail={"by": kind}
        )
        raise PermissionDenied(NO_ID_SEARCH)
    if kind == BY_ID:
        digests = id_number_digests(query)
        matches = scope.filter(members__id_number_digest__in=digests)
    else:
        mobile = normalize_mobile(query)
        by_member = Member.objects.filter(mobile=mobile).values("household")
        matches = scope.filter(Q(phone=mobile) | Q(pk__in=by_member))
    results = list(matches.distinct()[:RESULTS])
    record(
        Action.SEARCHED,
        request=request,
        target=Household,
        ids=[h.pk for h in results],
        outcome=Outcome.OK,
        detail={"by": kind, "found": len(results)},
    )
    return results


def find_households(request, query: str):
    """Households in the user's scope that the query names, at most ``RESULTS``; a search
    by ID or phone number is audited (``find_by_number``)."""
    query = (query or "").strip()
    scope = Household.objects.select_related("building", "tier").visible_to(request.user)
    if not query:
        return scope.none()
    if kind := search_kind(query):
        return find_by_number(request=request, scope=scope, query=query, kind=kind)
    if dashed := DASHED.match(query):
        in_building = Q(building__name__in=_building_names(dashed["first"]))
        if dashed["second"]:
            place = in_building & Q(entrance=int(dashed["second"]))
        else:
            place = in_building | Q(entrance=int(dashed["first"]))
        return scope.filter(Q(room__iexact=dashed["room"]) & place | Q(number=query))[:RESULTS]
    room = ROOM.match(query)
    if room:
        matches = scope.filter(room__iexact=room["room"])
        if room["building"]:
            matches = matches.filter(building__name__in=_building_names(room["building"]))
        if room["entrance"]:
            matches = matches.filter(entrance=int(room["entrance"]))
        return matches[:RESULTS]
    named = Member.objects.filter(name__contains=query).values("household")
    return scope.filter(Q(number=query) | Q(pk__in=named))[:RESULTS]


def _building_names(number: str) -> list[str]:
    """A building's names as settlements write them: 2栋, 2幢, 2号, 2楼."""
    return [f"{number}{suffix}" for suffix in "栋幢号楼"]
