"""The two schemes the reports describe (domain.md, "Risk tiers").

三色 红黄绿 (鲁甸, 会泽, 彝良): "红灯亮日随访、黄灯亮周跟踪、绿灯亮月监测", help within 3 or 7
working days. 四色 红橙黄绿 (东川): weekly, fortnightly, monthly, quarterly.
Created or updated in place by code, so re-running never duplicates and an admin's
renamed scheme keeps its rows.
"""

from django.db import migrations

SCHEMES = [
    {
        "code": "three-colour", "name": "三色 红黄绿", "is_default": True,
        "description": "红灯亮日随访、黄灯亮周跟踪、绿灯亮月监测（鲁甸、会泽、彝良）",
        "tiers": [
            ("red", "红", "#d9342b", 1, "daily", 3),
            ("yellow", "黄", "#e0a800", 2, "weekly", 7),
            ("green", "绿", "#2e8b57", 3, "monthly", None),
        ],
    },
    {
        "code": "four-colour", "name": "四色 红橙黄绿", "is_default": False,
        "description": "红：重点风险监测户，每周走访；橙：风险已消除的监测户，每两周；"
                       "黄：重点脱贫户，每月；绿：一般脱贫户，每季度（东川）",
        "tiers": [
            ("red", "红", "#d9342b", 1, "weekly", 3),
            ("orange", "橙", "#ec7a1c", 2, "biweekly", 7),
            ("yellow", "黄", "#e0a800", 3, "monthly", 7),
            ("green", "绿", "#2e8b57", 4, "quarterly", None),
        ],
    },
]


def ship(apps, schema_editor):
    TierScheme = apps.get_model("monitoring", "TierScheme")
    Tier = apps.get_model("monitoring", "Tier")
    for data in SCHEMES:
        scheme, _ = TierScheme.objects.update_or_create(
            code=data["code"],
            defaults={"name": data["name"], "description": data["description"],
                      "is_default": data["is_default"]},
        )
        for code, name, colour, severity, cadence, days in data["tiers"]:
            Tier.objects.update_or_create(
                scheme=scheme, code=code,
                defaults={"name": name, "colour": colour, "severity": severity,
                          "cadence": cadence, "response_working_days": days},
            )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
