"""The Ministry of Health's quarantine rules of 2021-22 as dated policies (../shared/VN-RULES.md).

The Feb 2022 rule is in force; the earlier ones are history (orders made under them keep them).
Values the sources do not give for a reason (F2, "other", an F0 at home before Decision 4038) are
defaults marked "unconfirmed" in the source: an official replaces them with a new policy.
"""

import datetime

from django.db import migrations

REASONS = ("f1", "f2", "arrival", "f0_home", "other")
VACCINATION = ("none", "partial", "full", "recovered")


def _all(days, tests, home, monitoring, test_type="pcr"):
    return {v: (days, tests, home, monitoring, test_type) for v in VACCINATION}


def _by_dose(fully, partly, none):
    return {"full": fully, "recovered": fully, "partial": partly, "none": none}


F0_HOME_4038 = _all(7, [7], True, 7, "rapid")  # Decision 4038/QĐ-BYT: release after 7 days and a negative rapid test

POLICIES = [
    {
        "version": "BYT-2021-05",
        "title": "21 ngày cách ly tập trung (F1, người nhập cảnh)",
        "source": "arttimes.vn a6773; test days unconfirmed",
        "effective_from": datetime.date(2021, 5, 5),
        "checks_per_day": 2,
        "rules": {r: _all(21, [1, 7, 14, 21], False, 0) for r in REASONS if r != "f0_home"}
        | {"f0_home": _all(21, [1, 7, 14, 21], False, 0)},
    },
    {
        "version": "BYT-2021-07",
        "title": "14 ngày cách ly tập trung + 14 ngày theo dõi tại nhà",
        "source": "thoibinh.camau.dcs.vn 1121; tests on days 1, 7, 14: Dispatch 5599/BYT-MT",
        "effective_from": datetime.date(2021, 7, 10),
        "checks_per_day": 1,
        "rules": {r: _all(14, [1, 7, 14], False, 14) for r in REASONS if r != "f0_home"}
        | {"f0_home": F0_HOME_4038},
    },
    {
        "version": "BYT-2021-10",
        "title": "Người về từ vùng dịch theo mức tiêm chủng",
        "source": "vungve.com 2021/10; F1 unchanged from BYT-2021-07",
        "effective_from": datetime.date(2021, 10, 15),
        "checks_per_day": 2,
        "rules": {r: _all(14, [1, 7, 14], False, 14) for r in ("f1", "f2", "other")}
        | {
            "arrival": _by_dose(
                (0, [], True, 7, "pcr"), (7, [7], True, 7, "pcr"), (14, [7, 14], True, 14, "pcr")
            ),
            "f0_home": F0_HOME_4038,
        },
    },
    {
        "version": "BYT-2021-12",
        "title": "F1 tiêm đủ liều hoặc đã khỏi bệnh: 7 ngày tại nhà + 7 ngày theo dõi",
        "source": "VN-RULES.md (Dec 2021); test days unconfirmed",
        "effective_from": datetime.date(2021, 12, 1),
        "checks_per_day": 2,
        "rules": {
            r: _by_dose((7, [1, 7], True, 7, "pcr"), (14, [1, 7, 14], False, 14, "pcr"), (14, [1, 7, 14], False, 14, "pcr"))
            for r in ("f1", "f2", "other")
        }
        | {
            "arrival": _by_dose(
                (0, [], True, 7, "pcr"), (7, [7], True, 7, "pcr"), (14, [7, 14], True, 14, "pcr")
            ),
            "f0_home": F0_HOME_4038,
        },
    },
    {
        "version": "BYT-2022-02",
        "title": "F1 tiêm đủ liều: 5 ngày, xét nghiệm PCR ngày 5, 5 ngày tự theo dõi; chưa tiêm đủ: 7 + 3",
        "source": "vnexpress.net 4430191 (21 Feb 2022); F2, arrival and other as F1: unconfirmed",
        "effective_from": datetime.date(2022, 2, 21),
        "checks_per_day": 2,
        "rules": {
            r: _by_dose((5, [5], True, 5, "pcr"), (7, [7], True, 3, "pcr"), (7, [7], True, 3, "pcr"))
            for r in ("f1", "f2", "arrival", "other")
        }
        | {"f0_home": F0_HOME_4038},
    },
]


def load(apps, schema_editor):
    Policy = apps.get_model("quarantine", "QuarantinePolicy")
    Rule = apps.get_model("quarantine", "PolicyRule")
    for data in POLICIES:
        rules = data["rules"]
        fields = {k: v for k, v in data.items() if k != "rules"}
        policy, _created = Policy.objects.update_or_create(
            version=fields.pop("version"), defaults={**fields, "status": "active"}
        )
        for reason, cells in rules.items():
            for vaccination, (days, tests, home, monitoring, test_type) in cells.items():
                Rule.objects.update_or_create(
                    policy=policy,
                    reason=reason,
                    vaccination=vaccination,
                    defaults={
                        "days": days,
                        "test_days": tests,
                        "home_allowed": home,
                        "monitoring_days": monitoring,
                        "test_type": test_type,
                    },
                )


class Migration(migrations.Migration):
    dependencies = [("quarantine", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
