"""The role groups' permissions on services's models (collected by ``grids.roles``)."""

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, EDIT, GRID_WORKER, LEADER, VIEW

PERMISSIONS = {
    ADMINISTRATOR: {
        "servicecase": EDIT,
        "caseevent": VIEW,
        "doorcard": EDIT,
        "volunteerteam": EDIT + ["delete"],
        "volunteer": EDIT + ["delete"],
        "pointrule": EDIT + ["delete"],
        "rewarditem": EDIT,
        "pointentry": ["view", "add"],
        "servicerecord": ["view", "add"],
    },
    COMMUNITY_STAFF: {
        "servicecase": EDIT,
        "caseevent": VIEW,
        "doorcard": EDIT,
        "volunteerteam": EDIT,
        "volunteer": EDIT,
        "pointrule": VIEW,
        "rewarditem": EDIT,
        "pointentry": ["view", "add"],
        "servicerecord": ["view", "add"],
    },
    GRID_WORKER: {
        "servicecase": ["view", "add"],
        "caseevent": VIEW,
        "pointentry": VIEW,
    },
    LEADER: {
        "servicecase": VIEW,
        "caseevent": VIEW,
        "pointentry": VIEW,
    },
}
