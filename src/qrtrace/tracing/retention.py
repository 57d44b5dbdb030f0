"""What tracing needs kept, and what it leaves behind once its data goes.

The purge (qrtrace.privacy) decides which cases still hold data — the open ones and those under a
legal hold — and when a closed case's data goes. Tracing answers the two questions only it can: which
check-ins a case may read again, and which figures outlive it without pointing at anyone.
"""

from collections import defaultdict

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Case, CaseSummary, ContactCount, Exposure
from .rules import Rules


def checkins_needed_by(cases: QuerySet[Case]) -> Q:
    """Check-ins (a filter on CheckIn) that tracing one of `cases` again may read: the case's own and
    those of everyone exposed through it, entered from the start of the case's infectious window less
    three maximum stays — a case visit can begin one stay before the window, an F1's overlapping visit
    one stay before that, an F2's one more — until the case closed (an open case: until now).

    Without them a re-trace would no longer find contacts it listed before, and close them. Older
    check-ins of the same people, and later ones of a closed case, are no evidence of it: they follow
    the ordinary retention."""
    rules = Rules.from_settings()
    margin = rules.before_onset + 3 * rules.max_stay

    def reads_from(prefix: str) -> ExpressionWrapper:
        start = Coalesce(F(f"{prefix}symptom_onset"), F(f"{prefix}confirmed_at"))
        return ExpressionWrapper(start - margin, output_field=DateTimeField())

    def while_open(prefix: str) -> Q:
        return Q(**{f"{prefix}closed_at__isnull": True}) | Q(
            **{f"{prefix}closed_at__gt": OuterRef("entered_at")}
        )

    exposures = Exposure.objects.filter(case__in=cases)
    own = (
        cases.annotate(reads_from=reads_from(""))
        .filter(person_id=OuterRef("person_id"), reads_from__lte=OuterRef("entered_at"))
        .filter(while_open(""))
    )
    exposed = (
        exposures.filter(person_id=OuterRef("person_id"))
        .annotate(reads_from=reads_from("case__"))
        .filter(reads_from__lte=OuterRef("entered_at"))
        .filter(while_open("case__"))
    )
    # The plain `person_id IN (…)` tests come first: PostgreSQL answers them from one hashed list,
    # so only these people's rows — not every row of a 10 M-row day — run the per-row time tests.
    return (Q(person_id__in=cases.values("person_id")) & Q(Exists(own))) | (
        Q(person_id__in=exposures.values("person_id")) & Q(Exists(exposed))
    )


def case_summaries_record(*, cases: QuerySet[Case]) -> list[CaseSummary]:
    """Write what the dashboards keep of `cases` (closed ones, about to be deleted): one summary each
    and its contacts counted by level, commune of residence and final status. No person, no case
    number, no venue: the figures cannot be joined back to anyone once the case is gone."""
    counts = defaultdict(list)
    rows = (
        Exposure.objects.filter(case__in=cases)
        .values("case_id", "level", "person__commune_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["case_id"]].append(row)
    summaries, contact_rows = [], []
    for case in cases.select_related("person").order_by("pk"):
        summary = CaseSummary(
            commune_id=case.person.commune_id,
            confirmed_on=timezone.localdate(case.confirmed_at),
            closed_on=timezone.localdate(case.closed_at),
            outcome=case.status,
            test_type=case.test_type,
            rule_version=case.rule_version,
        )
        summaries.append(summary)
        contact_rows.append(counts[case.pk])
    CaseSummary.objects.bulk_create(summaries)
    ContactCount.objects.bulk_create(
        ContactCount(
            summary=summary,
            level=row["level"],
            commune_id=row["person__commune_id"],
            status=row["status"],
            count=row["n"],
        )
        for summary, rows_of_case in zip(summaries, contact_rows, strict=True)
        for row in rows_of_case
    )
    return summaries
