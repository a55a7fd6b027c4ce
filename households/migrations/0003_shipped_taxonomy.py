"""The default label taxonomy and special groups, drawn from domain.md.

东川's database has 7 categories, 13 subcategories and 137 labels; this ships the same
shape with the labels the reports name. Administrators add their own in the admin.
Created or updated in place, keyed by code.
"""

from django.db import migrations

TAXONOMY = [
    ("people", "人员结构", [
        ("age", "年龄", [
            ("elderly-alone", "独居老人"), ("empty-nest", "空巢老人"), ("over-80", "80岁以上高龄老人"),
            ("left-behind-child", "留守儿童"), ("child-in-difficulty", "困境儿童"), ("orphan", "孤儿"),
        ]),
        ("family", "家庭结构", [
            ("single-parent", "单亲家庭"), ("lives-alone", "独居"), ("many-children", "多子女家庭"),
            ("cross-county-marriage", "跨县婚姻家庭"),
        ]),
    ]),
    ("health", "健康状况", [
        ("disability", "残疾", [
            ("physical-disability", "肢体残疾"), ("visual-disability", "视力残疾"),
            ("hearing-disability", "听力言语残疾"), ("intellectual-disability", "智力障碍"),
            ("mental-disorder", "精神障碍"), ("multiple-disability", "多重残疾"),
        ]),
        ("illness", "疾病", [
            ("serious-illness", "重病"), ("chronic-illness", "慢性病"), ("bedridden", "长期卧床"),
        ]),
    ]),
    ("assistance", "社会保障", [
        ("relief", "社会救助", [
            ("minimum-allowance", "低保"), ("extreme-poverty", "特困供养"),
            ("temporary-assistance", "临时救助"), ("disability-subsidy", "残疾人补贴"),
        ]),
        ("insurance", "保险", [
            ("medical-insurance", "医疗保险"), ("critical-illness-insurance", "大病保险"),
            ("pension-insurance", "养老保险"), ("no-medical-insurance", "未参加医疗保险"),
        ]),
    ]),
    ("income", "就业增收", [
        ("employment", "就业状态", [
            ("zero-employment", "零就业家庭"), ("migrant-work", "外出务工"),
            ("local-workshop", "帮扶车间就业"), ("public-welfare-post", "公益性岗位"),
            ("gig-work", "零工/灵活就业"), ("own-business", "自主创业"), ("job-seeking", "求职中"),
        ]),
        ("earnings", "收入", [
            ("income-under-8000", "人均纯收入低于8000元"), ("income-under-10000", "人均纯收入低于10000元"),
            ("income-drop", "收入骤减"),
        ]),
    ]),
    ("education", "教育", [
        ("schooling", "在校学生", [
            ("preschool", "学前教育"), ("compulsory-education", "义务教育"), ("high-school", "高中/中职"),
            ("university", "大学"), ("student-aid", "教育资助"), ("dropout-risk", "辍学风险"),
        ]),
    ]),
    ("governance", "社会治理", [
        ("special-persons", "特殊人员", [
            ("community-correction", "社区矫正人员"), ("released-prisoner", "刑释解矫人员"),
            ("drug-rehabilitation", "社区戒毒康复人员"),
        ]),
        ("disputes", "矛盾纠纷", [
            ("dispute-household", "矛盾纠纷户"), ("petition", "信访户"), ("safety-hazard", "安全隐患户"),
        ]),
    ]),
    ("monitoring", "防返贫监测", [
        ("monitored", "监测对象", [
            ("unstable-out-of-poverty", "脱贫不稳定户"), ("marginal", "边缘易致贫户"),
            ("sudden-hardship", "突发严重困难户"), ("risk-removed", "风险已消除"),
        ]),
        ("out-of-poverty", "脱贫户", [
            ("key-out-of-poverty", "重点脱贫户"), ("ordinary-out-of-poverty", "一般脱贫户"),
        ]),
    ]),
]

SPECIAL_GROUPS = [
    ("elderly-alone", "独居老人"), ("child-in-difficulty", "困境儿童"), ("orphan", "孤儿"),
    ("left-behind-child", "留守儿童"), ("disability", "残疾人"), ("intellectual-disability", "智力障碍"),
    ("mental-disorder", "精神障碍"), ("community-correction", "社区矫正人员"),
    ("released-prisoner", "刑释解矫人员"), ("extreme-poverty", "特困人员"),
    ("minimum-allowance", "低保对象"), ("serious-illness", "重病患者"), ("single-parent", "单亲"),
    ("zero-employment", "零就业家庭成员"),
]


def ship(apps, schema_editor):
    LabelCategory = apps.get_model("households", "LabelCategory")
    LabelSubcategory = apps.get_model("households", "LabelSubcategory")
    Label = apps.get_model("households", "Label")
    SpecialGroup = apps.get_model("households", "SpecialGroup")
    for c_order, (c_code, c_name, subcategories) in enumerate(TAXONOMY):
        category, _ = LabelCategory.objects.update_or_create(
            code=c_code, defaults={"name": c_name, "order": c_order})
        for s_order, (s_code, s_name, labels) in enumerate(subcategories):
            subcategory, _ = LabelSubcategory.objects.update_or_create(
                code=s_code, defaults={"category": category, "name": s_name, "order": s_order})
            for l_order, (l_code, l_name) in enumerate(labels):
                Label.objects.update_or_create(
                    code=l_code, defaults={"subcategory": subcategory, "name": l_name, "order": l_order})
    for order, (code, name) in enumerate(SPECIAL_GROUPS):
        SpecialGroup.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("households", "0002_initial")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
