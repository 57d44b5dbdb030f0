"""The daily situation report ("Báo cáo tình hình dịch"): the dashboard's figures by commune, the
risk-level table and the 7-day changes, as PDF (lib.pdf) and XLSX (lib.cells), in Vietnamese."""

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qrtrace.geo.models import Province
from qrtrace.lib.cells import XLSX_CONTENT_TYPE, xlsx_bytes
from qrtrace.lib.pdf import FONT, a4_document

from .models import DailyReport
from .risk import LEVEL_NAMES
from .selectors import SUMMED, Overview, extra_labels, overview, state_figures, timeliness_labels

__all__ = ["XLSX_CONTENT_TYPE", "report_keep", "report_render"]


def figure_labels() -> dict[str, str]:
    return {
        "new_cases": _("New cases"),
        "active_cases": _("Active cases"),
        "f1_traced": _("F1 traced"),
        "f2_traced": _("F2 traced"),
        "checkins": _("Check-ins"),
        "active_venues": _("Active venues"),
        "alerts_published": _("Alerts published"),
    }


@dataclass
class Report:
    day: date
    title: str
    data: Overview

    def summary_rows(self) -> list[list]:
        labels = figure_labels()
        # States of the day, not flows: a 7-day sum of them would count the same cases or venues again.
        rows = [
            [labels[name], self.data.today.counts[name], "", "", ""]
            for name in ("active_cases", "active_venues")
        ]
        for name in SUMMED:
            if name == "active_venues":
                continue
            week, before = self.data.week.counts[name], self.data.previous_week.counts[name]
            rows.append([labels[name], self.data.today.counts[name], week, before, _change(week, before)])
        # What other apps provide (quarantine): its states as today's, its flows like the others.
        states = state_figures()
        for name, label in extra_labels().items():
            today = self.data.today.extra.get(name, 0)
            if name in states:
                rows.append([label, today, "", "", ""])
                continue
            week, before = self.data.week.extra.get(name, 0), self.data.previous_week.extra.get(name, 0)
            rows.append([label, today, week, before, _change(week, before)])
        return rows

    def extra_columns(self) -> dict[str, str]:
        """The provided states (people in quarantine) get a column of their own by commune."""
        states = state_figures()
        return {name: label for name, label in extra_labels().items() if name in states}

    def timeliness_rows(self) -> list[list]:
        return [
            [_("%(figure)s (median hours, 7 days)") % {"figure": label}, _hours(self.data.week.median(name))]
            for name, label in timeliness_labels().items()
        ]

    def level_rows(self) -> list[list]:
        """How many communes are at each level (as the Ministry's weekly summary counts them), and
        which levels were set by an official's decision, with who and why."""
        counts = {level: 0 for level in (1, 2, 3, 4, None)}
        decisions = []
        for row in self.data.communes:
            risk = row["risk"] or {}
            counts[risk.get("level")] += 1
            if risk.get("override"):
                override = risk["override"]
                decisions.append([row["name"], override["level"], f"{override['by']}: {override['reason']}"])
        rows = [[str(LEVEL_NAMES[level]), counts[level], ""] for level in (1, 2, 3, 4)]
        rows.append([_("Not assessed"), counts[None], ""])
        return rows + decisions

    def commune_header(self) -> list[str]:
        return [
            _("Commune"),
            _("New cases (7 days)"),
            _("Previous 7 days"),
            _("Active cases"),
            _("F1 (7 days)"),
            _("F2 (7 days)"),
            _("Check-ins (7 days)"),
            *self.extra_columns().values(),
            _("Risk level"),
        ]

    def commune_rows(self) -> list[list]:
        rows = []
        for row in self.data.communes:
            risk = row["risk"] or {}
            rows.append(
                [
                    row["name"],
                    row["week_new_cases"],
                    row["previous_new_cases"],
                    row["active_cases"],
                    row["week_f1_traced"],
                    row["week_f2_traced"],
                    row["week_checkins"],
                    *(row["week_extra"].get(name, 0) for name in self.extra_columns()),
                    risk.get("level") or "—",
                ]
            )
        return rows


def _change(now: int, before: int) -> str:
    difference = now - before
    return f"+{difference}" if difference > 0 else str(difference)


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def report_build(*, user, day: date) -> Report:
    """The report's content for the communes `user` sees (None: the whole province)."""
    province = Province.objects.filter(code=settings.QRTRACE_PROVINCE).first()
    title = _("Daily epidemic situation report") + (f" – {province.name}" if province else "")
    return Report(day=day, title=title, data=overview(user=user, on=day))


def _table(pdf, header: list[str], rows: list[list], widths: tuple[int, ...]) -> None:
    pdf.set_font(FONT, "", 7.5)
    with pdf.table(
        col_widths=widths, line_height=4.5, first_row_as_headings=True, text_align="LEFT"
    ) as table:
        heading = table.row()
        for cell in header:
            heading.cell(str(cell))
        for values in rows:
            row = table.row()
            for cell in values:
                row.cell(str(cell))
    pdf.ln(3)


def render_pdf(report: Report) -> bytes:
    pdf = a4_document()
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, report.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    as_of = timezone.localtime(report.data.as_of).strftime("%d/%m/%Y %H:%M") if report.data.as_of else "—"
    pdf.multi_cell(
        0,
        5,
        _("Day %(day)s · figures as of %(as_of)s") % {"day": report.day.strftime("%d/%m/%Y"), "as_of": as_of},
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    header = [_("Figure"), _("Today"), _("Last 7 days"), _("Previous 7 days"), _("Change")]
    _table(pdf, header, report.summary_rows(), (60, 25, 30, 35, 25))
    _table(pdf, [_("Timeliness"), _("Hours")], report.timeliness_rows(), (130, 40))
    _table(pdf, [_("Risk level"), _("Communes"), _("Decision")], report.level_rows(), (70, 25, 85))
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, _("By commune"), new_x="LMARGIN", new_y="NEXT")
    # Relative widths (fpdf scales them to the page): each provided column narrows the others.
    widths = (50, 18, 18, 18, 16, 16, 22, *(20,) * len(report.extra_columns()), 16)
    _table(pdf, report.commune_header(), report.commune_rows(), widths)
    return bytes(pdf.output())


def render_xlsx(report: Report) -> bytes:
    summary = [
        [report.title],
        [str(report.day)],
        [],
        *report.summary_rows(),
        [],
        *report.timeliness_rows(),
        [],
    ]
    rows = [*summary, *report.level_rows(), [], report.commune_header(), *report.commune_rows()]
    header = [_("Figure"), _("Today"), _("Last 7 days"), _("Previous 7 days"), _("Change")]
    as_of = timezone.localtime(report.data.as_of).strftime("%Y-%m-%d %H:%M") if report.data.as_of else "—"
    return xlsx_bytes(
        header, rows, [_("Figures as of %(as_of)s") % {"as_of": as_of}], sheet_title=str(report.day)
    )


def report_render(*, user, day: date, kind: str) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        report = report_build(user=user, day=day)
        return render_pdf(report) if kind == "pdf" else render_xlsx(report)


def report_keep(*, day: date) -> DailyReport:
    """Build the whole province's report of `day` and keep both files (replacing an earlier build)."""
    started = time.monotonic()
    report, _created = DailyReport.objects.update_or_create(day=day, defaults={"built_at": timezone.now()})
    for kind in ("pdf", "xlsx"):
        path: Path = report.path(kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(report_render(user=None, day=day, kind=kind))
    report.seconds = round(time.monotonic() - started, 3)
    report.save(update_fields=["seconds"])
    return report
