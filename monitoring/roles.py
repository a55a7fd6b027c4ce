"""The role groups' permissions on monitoring's models (collected by ``grids.roles``)."""

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, EDIT, GRID_WORKER, LEADER, VIEW

PERMISSIONS = {
    ADMINISTRATOR: {
        "tierscheme": EDIT,
        "tier": EDIT,
        "tierchange": ["view", "add"],
        "followup": VIEW,
        "visit": ["view", "add"],
        "notification": VIEW,
        "calendaryear": EDIT + ["delete"],
        "calendarday": EDIT + ["delete"],
        "tierproposal": ["view", "add", "decide_tierproposal"],
    },
    COMMUNITY_STAFF: {
        "tierscheme": VIEW,
        "tier": VIEW,
        "tierchange": ["view", "add"],
        "followup": VIEW,
        "visit": ["view", "add"],
        "notification": VIEW,
        "tierproposal": ["view", "add", "decide_tierproposal"],
    },
    GRID_WORKER: {
        "tier": VIEW,
        "tierchange": VIEW,
        "followup": VIEW,
        "visit": ["view", "add"],
        "notification": VIEW,
        "tierproposal": ["view", "add"],
    },
    LEADER: {
        "tierscheme": VIEW,
        "tier": VIEW,
        "tierchange": VIEW,
        "followup": VIEW,
        "visit": VIEW,
        "tierproposal": VIEW,
    },
}
