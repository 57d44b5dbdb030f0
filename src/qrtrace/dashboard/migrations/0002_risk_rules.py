"""The Ministry's two methods of the commune risk level, as dated data (../shared/VN-RULES.md).

Values marked unconfirmed there are defaults the province may change by adding its own rule."""

from datetime import date

from django.db import migrations

DECISION_4800 = {
    "per": 100000,
    "bands": [20, 50, 150],
    "levels": {"high": [1, 2, 3, 4], "low": [2, 3, 4, 4]},
    "coverage": [{"input": "adults_one_dose_pct", "min": 70}],
    "raise_if_unmet": [{"input": "over50_full_pct", "min": 80}],
    "treatment_input": "treatment_ready",
    "hold_if_failing": True,
}
DECISION_218 = {
    "per": 100000,
    "bands": [50, 150, 600],
    "levels": {"high": [1, 2, 3, 4], "low": [2, 3, 4, 4]},
    "coverage": [{"input": "full_pct", "min": 75}, {"input": "high_risk_full_pct", "min": 90}],
    "raise_if_unmet": [],
    "treatment_input": "treatment_ready",
    "hold_if_failing": True,
}


def add_rules(apps, schema_editor):
    RiskRule = apps.get_model("dashboard", "RiskRule")
    RiskRule.objects.update_or_create(
        version="4800/QĐ-BYT",
        defaults={
            "title": "Quyết định 4800/QĐ-BYT ngày 12/10/2021",
            "effective_from": date(2021, 10, 12),
            "definition": DECISION_4800,
            "source": (
                "Level 1 band 0–<20 per 100,000 per week (Hải Phòng publication); bands 20/50/150 and the "
                "matrix high 1/2/3/4, low 2/3/4/4, over-50 raise and hold rule are unconfirmed (WHO bands, "
                "Sep 2021 draft)."
            ),
        },
    )
    RiskRule.objects.update_or_create(
        version="218/QĐ-BYT",
        defaults={
            "title": "Quyết định 218/QĐ-BYT ngày 27/01/2022",
            "effective_from": date(2022, 1, 27),
            "definition": DECISION_218,
            "source": (
                "Level 4 above 600 new cases per 100,000 per week (e.vnexpress.net 4421798); coverage ≥75 % "
                "fully vaccinated and ≥90 % of high-risk groups. Bands 50/150 are unconfirmed; the oxygen and "
                "death parts of T1 are not assessed (no such data here)."
            ),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
