"""The role groups' permissions on employment's models (collected by ``grids.roles``)."""

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, EDIT, GRID_WORKER, LEADER, VIEW

PERMISSIONS = {
    ADMINISTRATOR: {
        "workshop": EDIT + ["delete"],
        "welfarepost": EDIT + ["delete"],
        "labourrecord": ["view", "add"],
        "training": EDIT,
        "joboffer": EDIT,
        "incomerecord": ["view", "add"],
        "incomeline": EDIT + ["delete"],
        "employmentwarning": VIEW,
    },
    COMMUNITY_STAFF: {
        "workshop": EDIT,
        "welfarepost": EDIT,
        "labourrecord": ["view", "add"],
        "training": EDIT,
        "joboffer": EDIT,
        "incomerecord": ["view", "add"],
        "incomeline": VIEW,
        "employmentwarning": VIEW,
    },
    GRID_WORKER: {
        "labourrecord": ["view", "add"],
        "training": ["view", "add"],
        "joboffer": ["view", "add"],
        "employmentwarning": VIEW,
    },
    LEADER: {
        "labourrecord": VIEW,
        "incomerecord": VIEW,
        "employmentwarning": VIEW,
    },
}
