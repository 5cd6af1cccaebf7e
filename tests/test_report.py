"""The measures report: its figures against the database, the printable page, the DOCX read back with
python-docx, and ``flask --app eservice report``."""

import io
import re
from datetime import UTC, datetime

import docx
import pytest
from sqlalchemy import func, select

from eservice.domain import measures as rules
from eservice.extensions import db
from eservice.models import Case

from .factories import make_case
from .web import english

HEADINGS_TH = ["มาตรการ/กิจกรรม", "วิธีดำเนินการ", "ระยะเวลาดำเนินการ", "ผู้รับผิดชอบ", "ผลการดำเนินการ",
               "ผลลัพธ์หรือความสำเร็จของการดำเนินการ"]


@pytest.fixture
def cases(seeded):
    """FY2568 cases by several channels and types, and cases either side of the fiscal year."""
    app = seeded
    march = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
    for _ in range(3):
        make_case(app, march, "complaint", "web")
    make_case(app, march, "complaint", "phone")
    make_case(app, march, "suggestion", "line")
    make_case(app, march, "suggestion", "web")
    make_case(app, march, "gift", "web")
    make_case(app, march, "gift", "walk_in")
    make_case(app, march, "corruption", "web")
    make_case(app, march, "objection", "letter")
    # 1 Oct 2024 00:30 in Bangkok is FY2568; 30 Sep 2024 23:30 in Bangkok is FY2567; 1 Oct 2025 is FY2569.
    make_case(app, datetime(2024, 9, 30, 17, 30, tzinfo=UTC), "gift", "facebook")
    make_case(app, datetime(2024, 9, 30, 16, 30, tzinfo=UTC), "gift", "web")
    make_case(app, datetime(2025, 9, 30, 17, 30, tzinfo=UTC), "complaint", "web")
    return app


def db_count(app, **where) -> int:
    """An independent count straight from the case table, for FY2568."""
    with app.app_context():
        query = select(func.count()).select_from(Case).where(Case.fiscal_year == 2568)
        for name, value in where.items():
            query = query.where(getattr(Case, name) == value)
        return db.session.scalar(query)


def report_text(app, digits="arabic") -> str:
    with app.app_context():
        built = rules.build_report(db.session, 2568, digits=digits)
        return "\n".join(p for row in built.rows for p in (*row.methods, *row.results, *row.outcome))


def test_the_report_figures_match_the_database(cases):
    app = cases
    total, web = db_count(app), db_count(app, channel_code="web")
    assert (total, web) == (11, 6)  # the case on 1 Oct 2024 00:30 Bangkok is FY2568; the others are not
    gifts, corruption = db_count(app, case_type="gift"), db_count(app, case_type="corruption")
    suggestions, objections = db_count(app, case_type="suggestion"), db_count(app, case_type="objection")
    text = report_text(app)
    assert f"รับเรื่องผ่านระบบ e-Service {web} เรื่อง จากทุกช่องทาง {total} เรื่อง คิดเป็นร้อยละ {web * 100 / total:.2f}" in text
    assert f"(No Gift Policy) ผ่านช่องทางที่คุ้มครองผู้แจ้ง {gifts} เรื่อง" in text and gifts == 3
    assert f"ได้รับข้อเสนอแนะ/ความคิดเห็น {suggestions} เรื่อง" in text
    assert f"มีการทักท้วงการใช้จ่ายงบประมาณ {objections} เรื่อง" in text
    assert f"ร้องเรียนการทุจริตและประพฤติมิชอบ {corruption} เรื่อง และแจ้งเบาะแสการรับของขวัญ {gifts} เรื่อง" in text
    # Every channel is listed, in the order of the statistics, so the parts add up to the total.
    channels = {code: db_count(app, channel_code=code) for code in ("web", "phone", "walk_in", "letter", "line",
                                                                     "facebook")}
    assert (f"ได้แก่ e-Service (เว็บไซต์) {channels['web']} เรื่อง โทรศัพท์ {channels['phone']} เรื่อง "
            f"ติดต่อด้วยตนเอง {channels['walk_in']} เรื่อง หนังสือ/จดหมาย {channels['letter']} เรื่อง "
            f"LINE {channels['line']} เรื่อง Facebook {channels['facebook']} เรื่อง ตู้รับความคิดเห็น 0 เรื่อง") in text
    assert channels["facebook"] == 1 and sum(channels.values()) == total


def test_the_channel_list_names_every_channel_and_adds_up_to_the_total(cases):
    app = cases
    with app.app_context():
        from eservice.models import Channel

        figures = rules.report_figures(db.session, 2568)
        parts = rules.channel_parts(db.session, figures)
        names = [c.name_th for c in db.session.scalars(select(Channel))]
    assert sum(n for _name, n in parts) == figures["cases_total"] == db_count(app) == 11
    assert sorted(name for name, _n in parts) == sorted(names)
    listed = figures["channels_list"]
    for name, n in parts[:-1]:
        assert f"{name} {n} เรื่อง " in listed
    assert listed.endswith(f"และ{parts[-1][0]} {parts[-1][1]} เรื่อง")


def test_the_channel_list_names_a_channel_the_administrators_added(cases):
    app = cases
    with app.app_context():
        from eservice.models import Channel

        db.session.add(Channel(code="mobile_unit", name_th="หน่วยบริการเคลื่อนที่", name_en="Mobile unit",
                               sort_order=99))
        db.session.commit()
    make_case(app, datetime(2025, 3, 3, 3, 0, tzinfo=UTC), "complaint", "mobile_unit")
    with app.app_context():
        figures = rules.report_figures(db.session, 2568)
        parts = rules.channel_parts(db.session, figures)
    assert ("หน่วยบริการเคลื่อนที่", 1) in parts
    assert sum(n for _name, n in parts) == figures["cases_total"] == 12


def test_a_year_without_cases_prints_zeros_and_marks_what_cannot_be_computed(seeded):
    with seeded.app_context():
        built = rules.build_report(db.session, 2568, digits="arabic")
    text = "\n".join(p for row in built.rows for p in row.outcome)
    assert "รับเรื่องผ่านระบบ e-Service 0 เรื่อง จากทุกช่องทาง 0 เรื่อง คิดเป็นร้อยละ –" in text
    assert built.missing == ["eservice_share_pct"]


@pytest.fixture
def reader(client, make_user, login_as):
    login_as(make_user("boss", roles=("executive",)))
    return english(client)


def test_the_printable_page_has_the_six_columns_title_and_figures(cases, reader):
    response = reader.get("/admin/report?fy=2568&digits=arabic")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.findall(r'<th scope="col">([^<]+)</th>', html) == HEADINGS_TH
    assert ('<h1 class="report-title" id="report-title">รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายใน'
            'หน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568</h1>') in html
    assert "เทศบาลตำบลบ่อปลาทอง อำเภอปรางค์กู่ จังหวัดนครราชสีมา" in html
    assert html.count('<th scope="row"') == 5
    assert "ITA ปี 2568 ได้คะแนน 95.31 คะแนน" in html
    assert f"รับเรื่องผ่านระบบ e-Service {db_count(cases, channel_code='web')} เรื่อง" in html
    assert 'href="/static/css/report.css' in html and "<style" not in html  # CSP: no inline style
    assert 'data-action="print"' in html and "/admin/report.docx?fy=2568" in html


def test_thai_digits_by_default(cases, reader):
    html = reader.get("/admin/report?fy=2568").get_data(as_text=True)
    assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘" in html and "ได้คะแนน ๙๕.๓๑ คะแนน" in html
    body = html.split('<tbody>')[1].split('</tbody>')[0]
    assert not re.search(r"[0-9]", body)  # every digit of the table is Thai


def docx_from(data: bytes):
    return docx.Document(io.BytesIO(data))


def check_docx(document, *, digits="arabic"):
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    assert abs(section.page_width.mm - 297) < 1 and abs(section.page_height.mm - 210) < 1
    paragraphs = [p.text for p in document.paragraphs if p.text]
    fy = "๒๕๖๘" if digits == "thai" else "2568"
    assert paragraphs[0] == ("รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน "
                             f"ประจำปีงบประมาณ พ.ศ. {fy}")
    assert paragraphs[1] == "เทศบาลตำบลบ่อปลาทอง อำเภอปรางค์กู่ จังหวัดนครราชสีมา"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == HEADINGS_TH
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1  # the heading row repeats on every page
    assert len(table.rows) == 6
    return table


def test_the_docx_reads_back_with_the_same_figures(cases, reader):
    response = reader.get("/admin/report.docx?fy=2568&digits=arabic")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "measures-report-2568.docx" in response.headers["Content-Disposition"]
    table = check_docx(docx_from(response.data))
    first = table.rows[1].cells
    assert first[0].text == "1. มาตรการป้องกันการเรียกรับสินบนจากการปฏิบัติหน้าที่"
    assert [p.text for p in first[1].paragraphs] == [
        "1. ดำเนินการประเมินความเสี่ยงการทุจริตในประเด็นที่เกี่ยวข้องกับสินบน", "2. จัดทำประกาศ No Gift Policy"]
    assert first[2].text == "ม.ค. - เม.ย. 68" and first[3].text == "สำนักปลัด"
    outcome = first[5].text
    assert "เพิ่มขึ้นจากปีที่ผ่านมา 7.82 คะแนน" in outcome
    assert f"(No Gift Policy) ผ่านช่องทางที่คุ้มครองผู้แจ้ง {db_count(cases, case_type='gift')} เรื่อง" in outcome
    assert "ได้คะแนน 95.31 คะแนน ปี 2567 ได้คะแนน 92.26 คะแนน" in table.rows[3].cells[5].text
    assert "ได้คะแนนร้อยละ 75.00 ลดลง 25.00 คะแนน" in table.rows[5].cells[5].text
    # Fonts a Thai clerk expects, set for complex script too (Thai is sized by szCs in Word).
    run = table.rows[1].cells[5].paragraphs[0].runs[0]
    assert run.font.name == "TH Sarabun New" and "w:szCs" in run._element.rPr.xml


def test_the_docx_in_thai_digits(cases, reader):
    table = check_docx(docx_from(reader.get("/admin/report.docx?fy=2568").data), digits="thai")
    assert "ได้คะแนน ๙๕.๓๑ คะแนน" in table.rows[3].cells[5].text


def test_the_web_page_file_stands_on_its_own(cases, reader):
    response = reader.get("/admin/report.html?fy=2568&digits=arabic")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    html = response.get_data(as_text=True)
    assert "<style>" in html and "@page { size: A4 landscape" in html and "report.css" not in html
    assert "ITA ปี 2568 ได้คะแนน 95.31 คะแนน" in html


def test_the_command_line_writes_both_formats(cases, tmp_path):
    runner = cases.test_cli_runner()
    target = tmp_path / "report.docx"
    result = runner.invoke(args=["report", "--fy", "2568", "--format", "docx", "-o", str(target), "--arabic-digits"])
    assert result.exit_code == 0, result.output
    table = check_docx(docx.Document(str(target)))
    assert f"ผ่านช่องทางที่คุ้มครองผู้แจ้ง {db_count(cases, case_type='gift')} เรื่อง" in table.rows[1].cells[5].text
    page = tmp_path / "report.html"
    result = runner.invoke(args=["report", "--fy", "๒๕๖๘", "-o", str(page), "--thai-digits"])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘" in html and "<style>" in html
    assert re.findall(r'<th scope="col">([^<]+)</th>', html) == HEADINGS_TH


def test_the_command_line_refuses_unknown_years(seeded, tmp_path):
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["report", "--fy", "2025", "-o", str(tmp_path / "r.docx")])
    assert result.exit_code != 0 and ("Christian-era" in result.output or "คริสต์ศักราช" in result.output)
    result = runner.invoke(args=["report", "--fy", "2571", "-o", str(tmp_path / "r.docx")])
    assert result.exit_code != 0
    assert "Fiscal year 2571 has no measures. Years with measures: 2568." in result.output
    result = runner.invoke(args=["report", "--fy", "2568", "--format", "pdf", "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code != 0
    assert not (tmp_path / "r.docx").exists()


def test_the_command_line_warns_about_figures_without_value(seeded, tmp_path):
    result = seeded.test_cli_runner().invoke(args=["report", "--fy", "2568", "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 0
    assert "Warning: the figure {eservice_share_pct} has no value for FY2568" in result.output


def test_the_logo_goes_into_both_files(cases, reader, client, make_user, login_as):
    from .test_admin_settings import png_bytes

    with cases.app_context():
        from eservice.models import Organisation

        org = db.session.scalar(select(Organisation))
        org.logo, org.logo_content_type = png_bytes((120, 120)), "image/png"
        db.session.commit()
    assert 'class="report-logo" src="data:image/png;base64,' in reader.get("/admin/report?fy=2568").get_data(
        as_text=True)
    document = docx_from(reader.get("/admin/report.docx?fy=2568").data)
    assert len(document.inline_shapes) == 1
