"""三权分立: the system administrator configures, the security administrator manages
accounts. No release gave the "Administrator" group rights on users, groups or
permissions; an existing install's administrator may have added them by hand, and this
takes them away (the "Security administrator" group, made after migrating, has them)."""

from django.db import migrations

ACCOUNT_MODELS = ["user", "group", "permission"]


def take_away(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Administrator").first()
    if group is None:
        return
    group.permissions.remove(
        *Permission.objects.filter(content_type__app_label="auth", content_type__model__in=ACCOUNT_MODELS)
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_legacy_tokens"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(take_away, migrations.RunPython.noop)]
