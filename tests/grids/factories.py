import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from grids import roles
from grids.models import Assignment, GridLevel, GridUnit, Role


def level(name: str) -> GridLevel:
    """One of the shipped levels: 县, 街道, 社区, 片区, 楼栋, 楼层, 联户."""
    return GridLevel.objects.get(name=name)


class GridUnitFactory(factory.django.DjangoModelFactory):
    """Pass ``parent=`` to add the unit under another; without it, a new root."""

    class Meta:
        model = GridUnit

    level = factory.LazyFunction(lambda: level("社区"))
    name = factory.Sequence(lambda n: f"单元{n}")
    code = factory.Sequence(lambda n: f"U{n:05d}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        unit = model_class(**kwargs)
        if parent is None:
            return model_class.objects.add_root(instance=unit)
        # treebeard derives the new path from the parent's child count: read it fresh.
        return model_class.objects.add_child(model_class.objects.get(pk=parent.pk), instance=unit)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "小明"
    last_name = "李"
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.add(*Group.objects.filter(name__in=names))


def administrator(**kwargs):
    return UserFactory(is_staff=True, groups=[roles.ADMINISTRATOR], **kwargs)


def community_staff(**kwargs):
    return UserFactory(is_staff=True, groups=[roles.COMMUNITY_STAFF], **kwargs)


def grid_worker(**kwargs):
    return UserFactory(is_staff=True, groups=[roles.GRID_WORKER], **kwargs)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(GridUnitFactory)
    role = Role.FULL_TIME_WORKER
