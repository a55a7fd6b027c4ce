"""The API's base viewsets. A module apart from ``common.api``: DRF imports that one while
its settings load (the pagination class), and a viewset cannot be defined before they
have."""

from rest_framework import mixins, viewsets


class ScopedViewSet(viewsets.GenericViewSet):
    """A viewset of rows in the grid: only those in the requesting user's scope exist
    (``visible_to``, see ``grids.scope``), so that one outside it is a 404 like a row
    that does not exist. ``queryset`` says which rows and what to join."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, ScopedViewSet):
    pass
