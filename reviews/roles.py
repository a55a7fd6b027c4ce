"""The role groups' permissions on the monthly reviews (collected by ``grids.roles``):
community staff hold the meeting; leaders and administrators read its minutes."""

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, LEADER, VIEW

PERMISSIONS = {
    ADMINISTRATOR: {
        "review": VIEW,
        "decision": VIEW,
    },
    COMMUNITY_STAFF: {
        "review": ["view", "add", "change"],
        "decision": ["view", "add"],
    },
    LEADER: {
        "review": VIEW,
        "decision": VIEW,
    },
}
