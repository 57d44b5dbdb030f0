"""The dashboard's scheduled work (settings.QRTRACE_SCHEDULES): the daily figures, risk levels, and
the province's daily situation report."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from qrtrace.lib import background

from . import aggregates, reports, services
from .models import Period


@background.task(atomic=False, priority=60)
def refresh_aggregates() -> dict:
    """Rebuild the last few days' figures, then today's rolling and this week's risk levels."""
    run = aggregates.refresh(days=settings.QRTRACE_DASHBOARD_REFRESH_DAYS)
    today = timezone.localdate()
    services.risk_levels_compute(on=today, period=Period.DAY)
    services.risk_levels_compute(on=today, period=Period.WEEK)
    return {"rows": run.rows, "seconds": run.seconds}


@background.task(atomic=False, priority=70)
def daily_report() -> str:
    """Yesterday's report of the whole province, kept and listed on the reports page."""
    report = reports.report_keep(day=timezone.localdate() - timedelta(days=1))
    return report.day.isoformat()
