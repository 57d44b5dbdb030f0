import io
import re
from datetime import timedelta

import pypdfium2
from openpyxl import load_workbook

from qrtrace.dashboard import tasks
from qrtrace.dashboard.models import DailyReport
from qrtrace.dashboard.reports import report_render
from qrtrace.dashboard.selectors import overview
from tests.browser.conftest import SCREENSHOTS


def _pdf_text(content: bytes, tmp_path) -> str:
    document = pypdfium2.PdfDocument(content)
    text = []
    for index, page in enumerate(document):
        image = page.render(scale=1.5).to_pil()
        image.save(tmp_path / f"page-{index}.png")
        assert image.size[0] > 800 and image.getextrema() != ((255, 255), (255, 255), (255, 255))
        text.append(page.get_textpage().get_text_range())
    return "\n".join(text)


def test_the_pdf_report_renders_and_its_figures_match_the_dashboard(province, province_official, tmp_path):
    content = report_render(user=province_official, day=province.today, kind="pdf")
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    assert "BÁO CÁO TÌNH HÌNH DỊCH HẰNG NGÀY – THANH HÓA" in text
    data = overview(user=province_official, on=province.today)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    week, before = data.week.counts, data.previous_week.counts

    def row(label: str) -> str:
        return next(line for line in lines if line.startswith(label))

    for label, name in (
        ("Lượt quét mã", "checkins"),
        ("Ca mắc mới", "new_cases"),
        ("F1 đã truy vết", "f1_traced"),
    ):
        numbers = re.findall(r"[+-]?\d+", row(label).removeprefix(label))
        assert numbers[:3] == [str(data.today.counts[name]), str(week[name]), str(before[name])]
    for commune in data.communes:
        if commune["week_checkins"]:
            line = row(commune["name"])
            numbers = re.findall(r"\d+", line.removeprefix(commune["name"]))
            assert numbers[:6] == [
                str(commune[name])
                for name in (
                    "week_new_cases",
                    "previous_new_cases",
                    "active_cases",
                    "week_f1_traced",
                    "week_f2_traced",
                    "week_checkins",
                )
            ]
    assert (tmp_path / "page-0.png").exists()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # kept for review beside the browser tests' screenshots
    (SCREENSHOTS / "dashboard-report-page-0.png").write_bytes((tmp_path / "page-0.png").read_bytes())


def test_the_xlsx_report_has_the_same_commune_rows(province, commune_official):
    workbook = load_workbook(
        io.BytesIO(report_render(user=commune_official, day=province.today, kind="xlsx"))
    )
    rows = [[cell for cell in row] for row in workbook.active.iter_rows(values_only=True)]
    commune = overview(user=commune_official, on=province.today).communes[0]
    found = next(row for row in rows if row and row[0] == commune["name"])
    assert tuple(found[1:7]) == (
        commune["week_new_cases"],
        commune["previous_new_cases"],
        commune["active_cases"],
        commune["week_f1_traced"],
        commune["week_f2_traced"],
        commune["week_checkins"],
    )
    assert len([row for row in rows if row and row[0] and str(row[0]).startswith("Phường")]) == 1


def test_the_daily_job_keeps_yesterdays_report_and_lists_it(
    province, province_official, client, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    tasks.daily_report.call()
    report = DailyReport.objects.get()
    assert report.day == province.today - timedelta(days=1)
    assert report.path("pdf").read_bytes().startswith(b"%PDF") and report.path("xlsx").exists()
    client.force_login(province_official)
    page = client.get("/dashboard/reports").content.decode()
    assert f"/dashboard/reports/{report.pk}.pdf" in page
    download = client.get(f"/dashboard/reports/{report.pk}.pdf")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_report_api_answers_pdf_and_xlsx_of_the_callers_area(province, commune_official, client):
    client.force_login(commune_official)
    pdf = client.get(f"/api/v1/reports/daily/{province.today}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(f"/api/v1/reports/daily/{province.today}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/api/v1/reports/daily/2026-13-01.pdf").status_code == 422


def test_the_refresh_task_rebuilds_figures_and_levels(province):
    from qrtrace.dashboard.models import RiskAssessment

    result = tasks.refresh_aggregates.call()
    assert result["rows"] >= 1
    assert RiskAssessment.objects.filter(period="week").count() == 166
