"""In a real browser: an administrator signs in, opens the administration and the measures report, and
prints the report to PDF (A4 landscape). Screenshots at phone and desktop widths and the printed pages
(rasterised with pdftoppm) are saved under screenshots/ for people to look at."""

import os
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from .conftest import SCREENSHOT_DIR, screenshot
from .factories import load_measures, make_case, make_user

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


def _prepare(app):
    load_measures(app)
    make_user(app, "admin1", ("admin",), password=PASSWORD, display_name="ผู้ดูแลระบบ")
    march = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
    for case_type, channel in (("complaint", "web"), ("complaint", "web"), ("complaint", "phone"),
                               ("suggestion", "line"), ("gift", "web"), ("objection", "letter"),
                               ("corruption", "web"), ("inquiry", "facebook"), ("complaint", "walk_in")):
        make_case(app, march, case_type, channel)


def _sign_in(page, base):
    page.goto(f"{base}/staff/login")
    page.fill("#username", "admin1")
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_admin_pages_and_the_printed_report(live_server, page_factory):
    base, app = live_server
    _prepare(app)

    for width in (390, 1280):
        page = page_factory(width, 900)
        _sign_in(page, base)
        page.goto(f"{base}/admin/")
        heading = page.locator("h1").first.inner_text().strip()
        assert heading in ("Administration", "การบริหารระบบ", "การบริหารจัดการระบบ", "ผู้ดูแลระบบ")
        screenshot(page, f"admin-index-{width}")
        page.goto(f"{base}/admin/categories/1")
        screenshot(page, f"admin-category-{width}")
        # A bad limit is refused beside the field, and the page keeps what was typed.
        page.fill("#resolve_days", "0")
        page.click("form.admin-form button[type=submit]")
        assert page.locator("#resolve_days-error").is_visible()
        assert page.input_value("#resolve_days") == "0"
        screenshot(page, f"admin-category-error-{width}")
        page.goto(f"{base}/admin/measures/1")
        screenshot(page, f"admin-measure-{width}")
        page.goto(f"{base}/admin/report?fy=2568&digits=thai")
        assert "๙๕.๓๑" in page.inner_text("article.measures-report")
        screenshot(page, f"report-screen-{width}")

    page = page_factory(1280, 900)
    _sign_in(page, base)
    page.goto(f"{base}/admin/report?fy=2568&digits=thai")
    page.emulate_media(media="print")
    screenshot(page, "report-print-media-1280")
    assert not page.locator(".report-toolbar").is_visible()  # only the report itself is printed
    assert not page.locator(".site-header").is_visible()
    pdf_path = os.path.join(SCREENSHOT_DIR, "report-2568.pdf")
    page.pdf(path=pdf_path, prefer_css_page_size=True, print_background=True)
    assert os.path.getsize(pdf_path) > 10_000

    if not shutil.which("pdfinfo") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdfinfo, pdftoppm) not installed: the PDF is saved but not rasterised")
    info = subprocess.run(["pdfinfo", pdf_path], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width_pt, height_pt = (float(v) for v in size.split(":")[1].split("pts")[0].split(" x "))
    assert round(width_pt) == 842 and round(height_pt) == 595  # A4 landscape
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert pages >= 2
    text = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], capture_output=True, text=True, check=True).stdout
    assert "๙๕.๓๑" in text
    assert text.count("มาตรการ/กิจกรรม") == pages  # the column headings repeat on every printed page
    for old in [f for f in os.listdir(SCREENSHOT_DIR) if f.startswith("report-print-page")]:
        os.remove(os.path.join(SCREENSHOT_DIR, old))
    subprocess.run(["pdftoppm", "-png", "-r", "70", pdf_path, os.path.join(SCREENSHOT_DIR, "report-print-page")],
                   check=True)
    assert any(f.startswith("report-print-page") for f in os.listdir(SCREENSHOT_DIR))


def test_the_complaint_summary_and_the_signed_report(live_server, page_factory):
    """The public summary at phone and desktop widths, printed; the measures report printed with its
    sign-off block and page numbers (หน้า ๑, ๒, ...)."""
    from datetime import date

    from eservice.domain import complaint_summary, measures
    from eservice.domain.statuses import Status
    from eservice.extensions import db
    from eservice.models import Case, Organisation

    base, app = live_server
    _prepare(app)
    with app.app_context():
        org = db.session.query(Organisation).first()
        org.in_use_since = date(2024, 11, 15)
        for case in db.session.query(Case).limit(4):
            case.status, case.resolved_on_time, case.resolve_working_days, case.rating_score = (
                Status.RESOLVED, True, 5, 4)
        measures.save_sign_off(db.session, 2568, measures.SignOffInput(
            "นางสาวสมใจ ใจดี", "นักวิเคราะห์นโยบายและแผนชำนาญการ", "นายสมชาย รักถิ่น", "นายกเทศมนตรีตำบลบ่อปลาทอง"))
        complaint_summary.save_note(db.session, 2568, "fy", "เรื่องร้องเรียนไฟฟ้าสาธารณะตอบช้าในช่วงวันหยุดยาว",
                                    "จัดเวรรับเรื่องในวันหยุด\nแจ้งผลผ่าน LINE ทุกเรื่อง")
        db.session.commit()

    for width in (390, 1280):
        page = page_factory(width, 900)
        page.goto(f"{base}/stats")
        page.click("#summary-link")
        page.wait_for_load_state()
        assert page.locator("h1").first.inner_text().strip()
        page.goto(f"{base}/stats/summary?fy=2568")
        assert page.locator("#summary-status").is_visible()  # no data before 15 Nov 2024
        screenshot(page, f"summary-2568-{width}")
        page.goto(f"{base}/stats/summary?fy=2568&part=h1")
        screenshot(page, f"summary-2568-h1-{width}")

    page = page_factory(1280, 900)
    page.goto(f"{base}/stats/summary?fy=2568")
    page.emulate_media(media="print")
    assert not page.locator("form.year-form").is_visible()
    summary_pdf = os.path.join(SCREENSHOT_DIR, "summary-2568.pdf")
    page.pdf(path=summary_pdf, prefer_css_page_size=True, print_background=True)

    page = page_factory(1280, 900)
    _sign_in(page, base)
    page.goto(f"{base}/admin/report?fy=2568")
    block = page.inner_text("section.sign-off")
    assert "ผู้จัดทำ" in block and "นายสมชาย รักถิ่น" in block
    page.emulate_media(media="print")
    screenshot(page, "report-signed-print-media-1280")
    pdf_path = os.path.join(SCREENSHOT_DIR, "report-signed-2568.pdf")
    page.pdf(path=pdf_path, prefer_css_page_size=True, print_background=True)
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed: the PDFs are saved but not read back")
    text = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], capture_output=True, text=True, check=True).stdout
    assert "หน้า ๑" in text and "หน้า ๒" in text  # page numbers in Thai digits in the bottom margin
    assert "ผู้อนุมัติ" in text and "นายกเทศมนตรีตำบลบ่อปลาทอง" in text and "ข้อมูลตัวเลข ณ วันที่" in text
    summary_text = subprocess.run(["pdftotext", "-layout", summary_pdf, "-"], capture_output=True, text=True,
                                  check=True).stdout
    assert "จัดเวรรับเรื่องในวันหยุด" in summary_text
    for old in [f for f in os.listdir(SCREENSHOT_DIR) if f.startswith(("report-signed-page", "summary-print-page"))]:
        os.remove(os.path.join(SCREENSHOT_DIR, old))
    subprocess.run(["pdftoppm", "-png", "-r", "60", pdf_path, os.path.join(SCREENSHOT_DIR, "report-signed-page")],
                   check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", summary_pdf, os.path.join(SCREENSHOT_DIR, "summary-print-page")],
                   check=True)
