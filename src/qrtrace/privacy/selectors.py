from django.db.models import Q

from qrtrace.tracing.models import Case, CaseStatus, Exposure


def held_for_open_cases() -> Q:
    """Check-ins an open case still needs: the case's own (its timeline) and those of everyone exposed
    through it (F2 tracing and re-tracing read the F1s' visits). Kept until the case closes."""
    open_cases = Case.objects.filter(status=CaseStatus.ACTIVE)
    return Q(person_id__in=open_cases.values("person_id")) | Q(
        person_id__in=Exposure.objects.filter(case__in=open_cases).values("person_id")
    )
