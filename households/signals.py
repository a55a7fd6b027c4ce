"""What households tell the apps above them, without knowing who listens.

Sent from inside the transaction of the change (``households.services.update_household``),
so that what a receiver writes commits or rolls back with it; receivers are connected in
their app's ``AppConfig.ready()`` (monitoring's follow-up engine, for one).
"""

from django.dispatch import Signal

# A household recorded as gone (moved out, merged, no member living), or the day it left
# corrected. Arguments: ``household`` (saved, locked for the transaction).
household_departed = Signal()

# A household recorded as living here again (a family back, a mistake corrected), its
# ``followed_since`` set to now. Arguments: ``household``.
household_returned = Signal()
