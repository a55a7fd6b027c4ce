"""The role groups' permissions on reports (collected by ``grids.roles``).

Staff and leaders read the reports of the units in their scope; staff and administrators
compute a month again (a new version). Grid workers print none: their lists are Today."""

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, LEADER, VIEW

PERMISSIONS = {
    ADMINISTRATOR: {"monthlyreport": ["view", "add"]},
    COMMUNITY_STAFF: {"monthlyreport": ["view", "add"]},
    LEADER: {"monthlyreport": VIEW},
}
