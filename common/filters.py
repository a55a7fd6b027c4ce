from django_filters.rest_framework import DjangoFilterBackend


class ScopedFilterBackend(DjangoFilterBackend):
    """A list filtered by a household, a member or a unit offers, and accepts, only those
    in the user's scope: the browsable API's form listed every household and resident of
    the county by name, and an id outside the scope answered an empty page where one that
    does not exist answered a 400, which told the two apart."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for choice_filter in filterset.filters.values():  # the filterset's own copies
                choices = getattr(choice_filter, "queryset", None)
                if choices is not None and hasattr(choices, "visible_to"):
                    choice_filter.queryset = choices.visible_to(request.user)
                    # A copy of a field built before (by another request) holds the old
                    # choices: built again, from these.
                    choice_filter.__dict__.pop("_field", None)
        return filterset
