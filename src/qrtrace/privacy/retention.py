"""How long each table of personal data is kept, and what removes it: one rule per table.

tests/privacy/test_retention_rules.py walks every model that holds personal data (Person and every
table that points at it, encrypted fields, person numbers, addresses) and fails on one without a rule
here, so a new personal table cannot be added without saying when it goes. docs/security.md shows
this table (`markdown_table()`; the test prints it when the docs differ).
"""

from dataclasses import dataclass

from django.db import models

from qrtrace.accounts.models import User
from qrtrace.audit.models import AuditEvent, AuditSubject
from qrtrace.checkins.models import CheckIn, Device
from qrtrace.notifications.models import Message
from qrtrace.people.models import Person
from qrtrace.public.models import Feedback
from qrtrace.quarantine.models import HealthCheck, OrderEvent, QuarantineOrder, QuarantineTest
from qrtrace.tracing.models import Case, Exposure, TimelinePlace, TraceJob, VenueAlert

from .models import LegalHold


@dataclass(frozen=True)
class Retention:
    kept: str  # how long
    removed_by: str  # what removes it
    at_shutdown: bool = True  # emptied by `qrtrace shutdown`


_WITH_CASE = "with its case (`qrtrace purge`, tracing data)"
_CASE_PERIOD = (
    "`QRTRACE_TRACING_RETENTION_DAYS` (90) after the case closed; longer while a legal hold on the case "
    "is in force"
)

RETENTION: dict[type[models.Model], Retention] = {
    CheckIn: Retention(
        "`QRTRACE_RETENTION_DAYS` (21) after `entered_at`; longer only if an open or held case may read "
        "it (its own or its contacts' check-ins from its infectious window, less 3 maximum stays, until "
        "it closed)",
        "`qrtrace purge` (whole days dropped as partitions on PostgreSQL, then batches)",
    ),
    Person: Retention(
        "while a check-in, case, exposure or ward refers to them, and at least `QRTRACE_RETENTION_DAYS` "
        "after they were recorded",
        "`qrtrace purge` (people nothing refers to)",
    ),
    Device: Retention("with its person", "cascade from the person"),
    Case: Retention(_CASE_PERIOD, "`qrtrace purge` (tracing data), leaving a `CaseSummary` without people"),
    Exposure: Retention(_CASE_PERIOD + " (with its evidence)", _WITH_CASE),
    TimelinePlace: Retention(_CASE_PERIOD, _WITH_CASE),
    VenueAlert: Retention(_CASE_PERIOD, _WITH_CASE),
    TraceJob: Retention(_CASE_PERIOD, _WITH_CASE),
    LegalHold: Retention("with its case, once no hold on it is in force", _WITH_CASE),
    Message: Retention(
        "a case's (`case:N`): with the case; any other: `QRTRACE_RETENTION_DAYS` after it was queued",
        "`qrtrace purge`; cascade from the person",
    ),
    Feedback: Retention(
        "a citizen's report and the phone they may leave: `QRTRACE_FEEDBACK_RETENTION_DAYS` (90) after "
        "it came",
        "the daily `feedback-purge` schedule (qrtrace.public.tasks); not yet the shutdown (it points at "
        "no person)",
        at_shutdown=False,
    ),
    QuarantineOrder: Retention(
        "kept so that its release certificate stays verifiable; no automatic purge yet (to decide: "
        "how long after the order ended, as for cases)",
        "`qrtrace shutdown` only, for now",
    ),
    OrderEvent: Retention("with its quarantine order", "cascade from the order"),
    HealthCheck: Retention("with its quarantine order", "cascade from the order"),
    QuarantineTest: Retention("with its quarantine order", "cascade from the order"),
    AuditEvent: Retention(
        "kept: the append-only record of who read or changed personal data; it holds no name, phone or "
        "ID, only person numbers that point at nothing once the people are purged",
        "nothing (outlives the shutdown, like the officials who answer for it)",
        at_shutdown=False,
    ),
    AuditSubject: Retention("kept with its audit event (a person number only)", "nothing", at_shutdown=False),
    User: Retention(
        "an official's account, while they serve (name, e-mail, encrypted second-factor secret)",
        "an administrator deactivates or deletes it; not the shutdown",
        at_shutdown=False,
    ),
}


def markdown_table() -> str:
    lines = ["| table | kept | removed by |", "|---|---|---|"]
    for model, rule in RETENTION.items():
        lines.append(f"| `{model._meta.label}` | {rule.kept} | {rule.removed_by} |")
    return "\n".join(lines) + "\n"
