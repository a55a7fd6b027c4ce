"""The security administrator (三权分立): manages accounts, lockouts, tokens and second
factors, and nothing else; the system administrator configures but manages no account.

Names with a dot are other apps' models this role manages (collected by ``grids.roles``).
"""

from django.utils.translation import gettext_noop

SECURITY_ADMINISTRATOR = gettext_noop("Security administrator")

PERMISSIONS = {
    SECURITY_ADMINISTRATOR: {
        "apitoken": ["view", "add", "change"],
        "auth.user": ["view", "add", "change"],
        "auth.group": ["view", "change"],
        "axes.accessattempt": ["view", "delete"],
        "axes.accesslog": ["view"],
        "otp_totp.totpdevice": ["view", "delete"],
        "otp_static.staticdevice": ["view", "delete"],
    },
}
