"""The role groups' permissions on webhooks' models (collected by ``grids.roles``):
administrators register webhooks, read the delivery log and replay from it."""

from grids.roles import ADMINISTRATOR, EDIT

PERMISSIONS = {
    ADMINISTRATOR: {
        "webhook": EDIT,
        "delivery": ["view", "replay_delivery"],
        "attempt": ["view"],
    },
}
