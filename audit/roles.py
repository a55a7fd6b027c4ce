"""The audit administrator (三权分立: the system administrator configures, the security
administrator grants, the audit administrator reads the log): reads the audit log and
nothing else. The admin shows the log to this group's permission only, never to a
superuser as such (audit/admin.py)."""

from django.utils.translation import gettext_noop

AUDIT_ADMINISTRATOR = gettext_noop("Audit administrator")

PERMISSIONS = {
    AUDIT_ADMINISTRATOR: {
        "auditevent": ["view"],
    },
}
