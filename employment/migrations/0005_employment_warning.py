"""``Warning`` becomes ``EmploymentWarning``: a model named after a builtin shadowed it in
every module that imported it. Its table stays ``employment_warning`` (nothing moves in the
database), and its content type and permissions are renamed in place, so that the role
groups and the users who held ``view_warning`` hold ``view_employmentwarning``.
"""

from django.db import migrations

ACTIONS = ["add", "change", "delete", "view"]


def rename_permissions(apps, schema_editor, old="warning", new="employmentwarning"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    if ContentType.objects.filter(app_label="employment", model=new).exists():
        return  # made already (a database migrated before this migration existed)
    ContentType.objects.filter(app_label="employment", model=old).update(model=new)
    for action in ACTIONS:
        Permission.objects.filter(content_type__app_label="employment", codename=f"{action}_{old}").update(
            codename=f"{action}_{new}"
        )


def rename_permissions_back(apps, schema_editor):
    rename_permissions(apps, schema_editor, old="employmentwarning", new="warning")


class Migration(migrations.Migration):
    dependencies = [
        ("employment", "0004_input_bounds"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameModel("Warning", "EmploymentWarning"),
                migrations.AlterModelTable("EmploymentWarning", "employment_warning"),
            ],
        ),
        migrations.RunPython(rename_permissions, rename_permissions_back),
    ]
