"""``/api/v1/me/``: who the caller is, where they work and what they may do, so that another
system (or the phone app) learns its token's reach in one call instead of probing lists."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.models import Assignment, Role


class MyUnitSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="unit_id", help_text=_("the unit's id"))
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    path = serializers.CharField(source="unit.path", help_text=_("the units under it start with it"))
    role = serializers.ChoiceField(choices=Role.choices)
    covering_for = serializers.IntegerField(
        source="covering_for_id", allow_null=True, help_text=_("the worker on leave this one stands in for")
    )

    class Meta:
        model = Assignment
        fields = ["unit", "code", "name", "path", "role", "starts_on", "ends_on", "covering_for"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(help_text=_("the full name, or the user name"))
    is_superuser = serializers.BooleanField(help_text=_("sees every unit"))
    groups = serializers.ListField(child=serializers.CharField(), help_text=_("the roles (groups), by name"))
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text=_("what the user may do, as app_label.codename")
    )
    units = MyUnitSerializer(
        many=True, help_text=_("the assignments in force today: their subtrees are the scope")
    )


class MeView(APIView):
    """The caller: their roles, their permissions and the units of their assignments in
    force today (their scope is these units and everything under them)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, operation_id="me_retrieve")
    def get(self, request):
        user = request.user
        assignments = Assignment.objects.current().filter(user=user).select_related("unit")
        me = {
            "id": user.pk,
            "username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
            "is_superuser": user.is_superuser,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "permissions": sorted(user.get_all_permissions()),
            "units": assignments,
        }
        return Response(MeSerializer(me).data)
