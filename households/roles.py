"""The role groups' permissions on households's models (collected by ``grids.roles``)."""

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, EDIT, GRID_WORKER, LEADER, VIEW

PERMISSIONS = {
    ADMINISTRATOR: {
        "household": EDIT,
        "member": EDIT + ["view_id_number"],
        "labelcategory": EDIT + ["delete"],
        "labelsubcategory": EDIT + ["delete"],
        "label": EDIT + ["delete"],
        "specialgroup": EDIT + ["delete"],
        "ledgerimport": ["view", "add"],
        "exportlog": ["view", "export_ledgers"],
    },
    COMMUNITY_STAFF: {
        "household": EDIT,
        "member": EDIT + ["view_id_number"],
        "label": VIEW,
        "specialgroup": VIEW,
        "ledgerimport": ["view", "add"],
        "exportlog": ["export_ledgers"],
    },
    GRID_WORKER: {
        "household": VIEW,
        "member": VIEW,
        "label": VIEW,
        "exportlog": ["export_ledgers"],
    },
    LEADER: {
        "household": VIEW,
        "member": VIEW,
        "label": VIEW,
        "exportlog": ["export_ledgers"],
    },
}
