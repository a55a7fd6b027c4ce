"""The API's routes: each app owns its viewsets (``<app>/api.py``); they meet here, on the
top floor, the only place that may import every app."""

from rest_framework.routers import DefaultRouter

from accounts.idempotency import IdempotentPosts
from common.concurrency import EntityTags
from employment import api as employment
from households import api as households
from monitoring import api as monitoring
from services import api as services


def router():
    r = DefaultRouter()
    for prefix, viewset in [
        ("units", households.UnitViewSet),
        ("households", households.HouseholdViewSet),
        ("members", households.MemberViewSet),
        ("tier-schemes", monitoring.TierSchemeViewSet),
        ("tiers", monitoring.TierViewSet),
        ("tier-changes", monitoring.TierChangeViewSet),
        ("follow-ups", monitoring.FollowUpViewSet),
        ("visits", monitoring.VisitViewSet),
        ("notifications", monitoring.NotificationViewSet),
        ("proposals", monitoring.TierProposalViewSet),
        ("cases", services.CaseViewSet),
        ("help-requests", services.HelpRequestViewSet),
        ("point-entries", services.PointEntryViewSet),
        ("labour-records", employment.LabourRecordViewSet),
        ("income-records", employment.IncomeRecordViewSet),
        ("warnings", employment.WarningViewSet),
    ]:
        r.register(prefix, integrating(viewset), basename=prefix)
    return r


def integrating(viewset):
    """The viewset with what every route gives another system: safe retries of its POSTs
    (``Idempotency-Key``) and optimistic concurrency (``ETag``, ``If-Match``), and its
    lists read from a replica when there is one (common.replicas): a client that pages
    through thousands of rows needs no second-fresh data, except what it wrote itself,
    which the router keeps on the primary. A single record (its ETag decides a write)
    is always read from the primary, and so is the change feed (``?cursor=``,
    common.sync.ChangeFeed): its cursor moves up to what the primary has settled, past
    rows a replica may not have replayed yet, which would then never be sent."""
    cursor = getattr(getattr(viewset, "pagination_class", None), "cursor_query_param", None)
    namespace = {
        "__doc__": viewset.__doc__,
        "__module__": viewset.__module__,
        "replica_actions": ("list",),
        "replica_primary_params": (cursor,) if cursor else (),
    }
    return type(viewset.__name__, (IdempotentPosts, EntityTags, viewset), namespace)
