"""The shipped risk rules say, as data, that a restricted area in force does not change the level.

Neither Decision 4800/QĐ-BYT nor 218/QĐ-BYT says how an area under lockdown or isolation bears on a
commune's level (../shared/VN-RULES.md), so both keep `restricted_areas` off (null): such an area is
named in the level's reason and not counted. A province that decides, e.g., that a commune holding a
lockdown area is at least at level 3, adds its own dated rule with
`"restricted_areas": {"kinds": ["lockdown"], "min_level": 3}` (dashboard.risk).
"""

from django.db import migrations

SHIPPED = ("4800/QĐ-BYT", "218/QĐ-BYT")


def add_field(apps, schema_editor):
    RiskRule = apps.get_model("dashboard", "RiskRule")
    for rule in RiskRule.objects.filter(version__in=SHIPPED):
        if "restricted_areas" not in rule.definition:  # a province's own edit is kept
            rule.definition = {**rule.definition, "restricted_areas": None}
            rule.save(update_fields=["definition"])


def remove_field(apps, schema_editor):
    RiskRule = apps.get_model("dashboard", "RiskRule")
    for rule in RiskRule.objects.filter(version__in=SHIPPED):
        if rule.definition.get("restricted_areas", "absent") is None:
            rule.definition = {k: v for k, v in rule.definition.items() if k != "restricted_areas"}
            rule.save(update_fields=["definition"])


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0002_risk_rules")]
    operations = [migrations.RunPython(add_field, remove_field)]
