"""The measures report of issue 10: figures in every cell, trend words that follow the figures, years written
as digits pointed out after a copy, page numbers, the figures' date and the sign-off block (domain, form,
audit, a property test), in print and in the DOCX."""

import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import docx
import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from eservice.domain import measures as rules
from eservice.domain.errors import DomainError
from eservice.extensions import db
from eservice.models.measures import Measure, ReportSignOff

from .factories import audit_count, last_audit, load_measures
from .web import post

SIGN = {"prepared_name": "นางสาวสมใจ ใจดี", "prepared_position": "นักวิเคราะห์นโยบายและแผน",
        "approved_name": "นายสมชาย รักถิ่น", "approved_position": "นายกเทศมนตรีตำบลบ่อปลาทอง"}


@pytest.fixture
def seeded(app):
    """The seed loaded, in an application context: the session."""
    with app.app_context(), app.test_request_context("/"), force_locale("en"):
        rules.load_measures_data(db.session, app.config["REFERENCE_DATA"])
        db.session.commit()
        yield db.session


# --- trend words and figures in every cell ----------------------------------------------------------


@pytest.mark.parametrize(("value", "th", "en"), [
    (Decimal("3.05"), "เพิ่มขึ้น 3.05 คะแนน", "up 3.05 คะแนน"),
    (Decimal("-2.10"), "ลดลง 2.10 คะแนน", "down 2.10 คะแนน"),
    (Decimal("0"), "เท่าเดิม", "unchanged"),
    (None, "–", "–"),
])
def test_trend_amount_says_the_direction_with_the_amount(value, th, en):
    figures = {"x": value}
    assert rules.fill_figures("{x|trend_amount:คะแนน}", figures) == th
    assert rules.fill_figures("{x|trend_amount:คะแนน}", figures, locale="en") == en


def test_the_explanation_follows_the_direction_of_the_same_figure():
    text = "{x|trend_amount:คะแนน} แสดงให้เห็นว่าความพึงพอใจ{x|trend:สูงขึ้น|ลดลง|คงเดิม}"
    assert rules.fill_figures(text, {"x": Decimal("-2.10")}) == "ลดลง 2.10 คะแนน แสดงให้เห็นว่าความพึงพอใจลดลง"
    assert rules.fill_figures(text, {"x": Decimal("2.10")}) == "เพิ่มขึ้น 2.10 คะแนน แสดงให้เห็นว่าความพึงพอใจสูงขึ้น"
    assert rules.fill_figures(text, {"x": Decimal("0")}) == "เท่าเดิม แสดงให้เห็นว่าความพึงพอใจคงเดิม"
    # Thai digits apply to the amount too.
    assert rules.fill_figures("{x|trend_amount}", {"x": Decimal("7.82")}, digits="thai") == "เพิ่มขึ้น ๗.๘๒"


def test_badly_written_trend_words_are_refused(seeded):
    known = rules.figure_catalogue(seeded)
    assert rules.check_text("{ita_6_change|trend:ขึ้น|ลง|เท่าเดิม} {ita_6_change|trend_amount:คะแนน}", known) == []
    messages = [str(p.message) for p in rules.check_text("{ita_6_change|trend:ขึ้น|ลง}", known)]
    assert any("a rise, a fall and no change" in m for m in messages)
    messages = [str(p.message) for p in rules.check_text("{ita_6_change|abs:คะแนน}", known)]
    assert any("Only trend and trend_amount" in m for m in messages)


def test_the_period_title_and_responsible_cells_name_figures(seeded):
    measure = rules.measures_of(seeded, 2568)[0]
    rules.save_measure(seeded, 2568, rules.MeasureInput(
        title="มาตรการปี {fiscal_year}", methods=["ขั้นตอน"], period="ต.ค. {previous_fiscal_year} - ก.ย. {fiscal_year}",
        responsible="สำนักปลัด ({fiscal_year_short})"), measure)
    seeded.commit()
    row = rules.build_report(seeded, 2568, digits="arabic").rows[0]
    assert (row.title, row.period, row.responsible) == ("มาตรการปี 2568", "ต.ค. 2567 - ก.ย. 2568", "สำนักปลัด (68)")
    # A copied year prints its own year in every cell.
    rules.copy_measures(seeded, 2568, 2569)
    copied = rules.build_report(seeded, 2569, digits="thai").rows
    assert copied[0].period == "ต.ค. ๒๕๖๘ - ก.ย. ๒๕๖๙" and copied[1].period == "ปีงบประมาณ พ.ศ. ๒๕๖๙"
    with pytest.raises(DomainError):
        rules.save_measure(seeded, 2568, rules.MeasureInput(title="x", methods=[], period="{no_such_figure}"))


def test_cells_that_write_a_year_are_listed(seeded):
    assert rules.literal_years("ม.ค. - เม.ย. ๖๘ ปี 2025 และ ๒๕๖๘ {fiscal_year} 1,234 เรื่อง") == ["2025", "2568", "68"]
    mentions = rules.cells_naming_years(seeded, 2568)
    # The seed names its years as figures; only the procurement act's year (พ.ศ. ๒๕๖๐) is written out.
    assert [(m.position, m.cell, m.years) for m in mentions] == [(4, "results", ("2560",))]


def test_copying_a_year_points_out_the_cells_that_still_name_a_year(app, admin):
    load_measures(app)
    with app.app_context():
        first = rules.measures_of(db.session, 2568)[0]
        first.period = "ม.ค. - เม.ย. ๖๘"
        first.outcome = first.outcome + "\nผลการประเมินปี 2568"
        db.session.commit()
    response = post(admin, "/admin/measures/copy?fy=2569", {"source": "2568"}, token_page="/admin/measures?fy=2569")
    assert response.status_code == 302
    html = admin.get("/admin/measures?fy=2569").get_data(as_text=True)
    assert "3 cells still write a year as digits" in html
    panel = html.split('id="year-mentions-heading"')[1].split("</section>")[0]
    assert "Measure 1, Period</a>: 68" in panel
    assert "Measure 1, Outcome or achievement</a>: 2568" in panel
    assert "Measure 4, Results</a>: 2560" in panel


# --- the sign-off block: domain, form, audit ---------------------------------------------------------


def test_the_sign_off_block_is_saved_per_year_and_audited(seeded):
    from eservice.domain.audit import By

    changes = rules.save_sign_off(seeded, 2568, rules.SignOffInput(**SIGN), by=By(None, "127.0.0.1"))
    seeded.commit()
    assert changes["approved_name"] == ["", "นายสมชาย รักถิ่น"]
    report = rules.build_report(seeded, 2568)
    assert [(s.role, s.name, s.position) for s in report.sign_off] == [
        ("ผู้จัดทำ", "นางสาวสมใจ ใจดี", "นักวิเคราะห์นโยบายและแผน"),
        ("ผู้อนุมัติ", "นายสมชาย รักถิ่น", "นายกเทศมนตรีตำบลบ่อปลาทอง")]
    # Another year has its own block (empty until written).
    assert [s.name for s in rules.build_report(seeded, 2569).sign_off] == ["", ""]
    assert rules.save_sign_off(seeded, 2568, rules.SignOffInput(**SIGN)) == {}
    with pytest.raises(DomainError):
        rules.save_sign_off(seeded, 2568, rules.SignOffInput(prepared_name="x" * 201))
    with pytest.raises(DomainError):
        rules.save_sign_off(seeded, 2568, rules.SignOffInput(prepared_name="two\nlines"))


def test_the_report_carries_the_date_of_its_figures_in_thai_digits(seeded):
    report = rules.build_report(seeded, 2568, now=datetime(2026, 12, 2, 10, 40, tzinfo=UTC))
    assert report.digits == "thai"
    assert report.taken_at == "ข้อมูลตัวเลข ณ วันที่ ๒ ธ.ค. ๒๕๖๙ เวลา ๑๗.๔๐ น."
    english = rules.build_report(seeded, 2568, locale="en", now=datetime(2026, 12, 2, 10, 40, tzinfo=UTC))
    assert english.digits == "arabic" and english.taken_at == "Figures as of 2 Dec 2026, 17:40"


def test_the_sign_off_form_saves_audits_and_prints(app, admin):
    load_measures(app)
    response = post(admin, "/admin/report/sign-off?fy=2568", SIGN, token_page="/admin/report/sign-off?fy=2568")
    assert response.status_code == 302
    entry = last_audit(app, "admin.signoff.update")
    assert entry.details["fiscal_year"] == 2568 and entry.details["prepared_name"] == ["", SIGN["prepared_name"]]
    html = admin.get("/admin/report?fy=2568").get_data(as_text=True)
    block = html.split('<section class="sign-off"')[1].split("</section>")[0]
    assert "ผู้จัดทำ" in block and "( นางสาวสมใจ ใจดี )" in block and "ตำแหน่ง นายกเทศมนตรีตำบลบ่อปลาทอง" in block
    assert 'class="report-taken">ข้อมูลตัวเลข ณ วันที่ ' in html
    assert 'class="measures-report report-pages-thai"' in html  # printed with "หน้า ๑" page numbers
    arabic = admin.get("/admin/report?fy=2568&digits=arabic").get_data(as_text=True)
    assert 'class="measures-report report-pages-th"' in arabic
    assert admin.get("/admin/report/sign-off?fy=2568").status_code == 200


def test_the_print_stylesheet_numbers_the_pages():
    import pathlib

    css = (pathlib.Path(__file__).parent.parent / "static" / "css" / "report.css").read_text(encoding="utf-8")
    assert re.search(r'@page report-thai \{[^@]*@bottom-center \{ content: "หน้า " counter\(page, thai\)', css)
    assert re.search(r'@page report-th \{[^@]*@bottom-center \{ content: "หน้า " counter\(page\)', css)


def test_the_sign_off_form_is_for_administrators_only(app, client, make_user, login_as):
    load_measures(app)
    login_as(make_user("boss", roles=("executive",)))
    assert client.get("/admin/report/sign-off?fy=2568").status_code == 403


def test_the_docx_has_page_numbers_the_figures_date_and_the_sign_off(app, admin):
    load_measures(app)
    post(admin, "/admin/report/sign-off?fy=2568", SIGN, token_page="/admin/report/sign-off?fy=2568")
    document = docx.Document(io.BytesIO(admin.get("/admin/report.docx?fy=2568").data))
    section = document.sections[0]
    footer = section.footer._element.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer
    assert section.footer.paragraphs[0].text.startswith("ข้อมูลตัวเลข ณ วันที่ ")
    assert "หน้า" in section.footer.paragraphs[0].text
    assert 'w:fmt="thaiNumbers"' in section._sectPr.xml  # Thai digits in the page numbers too
    block = document.tables[1]
    text = [c.text for c in block.rows[0].cells]
    assert "ผู้จัดทำ" in text[0] and "( นางสาวสมใจ ใจดี )" in text[0] and "นักวิเคราะห์นโยบายและแผน" in text[0]
    assert "ผู้อนุมัติ" in text[1] and "นายกเทศมนตรีตำบลบ่อปลาทอง" in text[1]
    arabic = docx.Document(io.BytesIO(admin.get("/admin/report.docx?fy=2568&digits=arabic").data))
    assert 'w:fmt="decimal"' in arabic.sections[0]._sectPr.xml


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({name: TEXT for name in SIGN}))
def test_any_text_in_the_sign_off_form_is_saved_whole_or_refused_whole(app, admin, values):
    with app.app_context():
        if not rules.measures_of(db.session, 2568):
            load_measures(app)
        before = db.session.scalar(select(ReportSignOff).where(ReportSignOff.fiscal_year == 2568))
        before = None if before is None else {n: getattr(before, n) for n in SIGN}
    entries = audit_count(app)
    response = post(admin, "/admin/report/sign-off?fy=2568", values, token_page="/admin/report/sign-off?fy=2568")
    assert response.status_code in (302, 400, 422)  # 400: text the input guard refuses
    with app.app_context():
        row = db.session.scalar(select(ReportSignOff).where(ReportSignOff.fiscal_year == 2568))
        after = None if row is None else {n: getattr(row, n) for n in SIGN}
        assert db.session.scalar(select(func.count()).select_from(ReportSignOff)) <= 1
        assert db.session.scalar(select(func.count()).select_from(Measure)) == 5
    if response.status_code in (400, 422):
        assert after == before and audit_count(app) == entries
    else:
        cleaned = {n: v.strip() for n, v in values.items()}
        assert after == cleaned or after == {n: v for n, v in cleaned.items()}
        assert admin.get("/admin/report?fy=2568").status_code == 200


# --- the seed's 95.31 against 92.26 -------------------------------------------------------------------


def test_an_installation_with_the_old_seed_gets_the_scores_moved_to_their_question(app):
    """Earlier seeds stored 95.31 and 92.26 as the overall score; loading again moves them, once, and only
    while they are as that seed wrote them."""
    with app.app_context():
        rules.save_ita_scores(db.session, 2568, [rules.ScoreEntry("total", Decimal("95.31"))])
        rules.save_ita_scores(db.session, 2567, [rules.ScoreEntry("total", Decimal("92.26"))])
        rules.save_ita_scores(db.session, 2566, [rules.ScoreEntry("total", Decimal("90.00"))])
        db.session.commit()
        rules.load_measures_data(db.session, app.config["REFERENCE_DATA"])
        db.session.commit()
        figures = rules.ita_figures(db.session, 2568)
        assert (figures["ita_asset_use"], figures["ita_asset_use_previous"]) == (Decimal("95.31"), Decimal("92.26"))
        assert figures["ita_total"] is None and figures["ita_total_previous"] is None
        assert rules.ita_scores(db.session, 2568)["asset_use"].label_th.startswith("เจ้าหน้าที่ของหน่วยงานท่าน")
        assert rules.ita_scores(db.session, 2566)["total"].score == Decimal("90.00")  # not the seed's: kept
        # An overall score an administrator typed later is left alone.
        rules.save_ita_scores(db.session, 2568, [rules.ScoreEntry("total", Decimal("88.10"))])
        rules.load_measures_data(db.session, app.config["REFERENCE_DATA"])
        assert rules.ita_scores(db.session, 2568)["total"].score == Decimal("88.10")
        # The report names the question and both of its scores.
        report = rules.build_report(db.session, 2568, digits="arabic")
        assert ("ITA ปี 2568 ได้คะแนน 95.31 คะแนน ปี 2567 ได้คะแนน 92.26 คะแนน มีคะแนนเฉลี่ยเพิ่มขึ้นจากปี 2567 "
                "เท่ากับ 3.05 คะแนน") in report.rows[2].outcome[0]
        catalogue = rules.figure_catalogue(db.session)
        assert {"ita_asset_use", "ita_asset_use_previous", "ita_asset_use_change"} <= set(catalogue)


# --- no 0 before the go-live date ---------------------------------------------------------------------


def test_the_report_prints_no_zero_for_a_year_before_the_go_live_date(seeded):
    from eservice.models import Organisation

    seeded.scalar(select(Organisation)).in_use_since = datetime(2025, 6, 1).date()
    seeded.commit()
    rules.copy_measures(seeded, 2568, 2567)
    before = rules.build_report(seeded, 2567, digits="arabic", now=datetime(2026, 12, 2, 3, tzinfo=UTC))
    text = " ".join(p for row in before.rows for p in (*row.results, *row.outcome))
    assert "ทักท้วงการใช้จ่ายงบประมาณ – เรื่อง" in text and "ทักท้วงการใช้จ่ายงบประมาณ 0" not in text
    assert "ได้แก่ –" in text
    assert before.coverage == ["ไม่มีข้อมูลเรื่องในปีงบประมาณนี้ ระบบ e-Service เริ่มบันทึกเรื่องตั้งแต่วันที่ 1 มิ.ย. 2568 "
                               "ตัวเลขเรื่องจึงแสดงเป็น “–”"]
    assert "objections" in before.missing and "cases_total" in before.missing
    during = rules.build_report(seeded, 2568, digits="arabic", now=datetime(2026, 12, 2, 3, tzinfo=UTC))
    assert during.coverage == ["ตัวเลขเรื่องนับตั้งแต่วันที่ 1 มิ.ย. 2568 ซึ่งเป็นวันที่เริ่มใช้ระบบ e-Service "
                               "ไม่มีข้อมูลก่อนหน้านั้น"]
    assert "ทักท้วงการใช้จ่ายงบประมาณ 0 เรื่อง" in " ".join(p for row in during.rows for p in row.outcome)
    rules.copy_measures(seeded, 2568, 2570)
    current = rules.build_report(seeded, 2570, now=datetime(2026, 12, 2, 3, tzinfo=UTC))
    assert current.coverage == ["ตัวเลขเรื่องของปีงบประมาณนี้เป็นข้อมูลถึงปัจจุบัน ณ วันที่ ๒ ธ.ค. ๒๕๖๙ ปีงบประมาณยังไม่สิ้นสุด"]


def test_a_direction_written_beside_a_change_figure_is_pointed_out(seeded, app):
    assert rules.build_report(seeded, 2568).fixed_directions == []  # the seed lets the figures choose
    assert rules.fixed_directions("{x_change|trend_amount:คะแนน} แสดงให้เห็นว่าความพึงพอใจเพิ่มมากขึ้น") == [
        ("x_change", "เพิ่มมากขึ้น")]
    assert rules.fixed_directions("เพิ่มขึ้นจากเดิม ๑ ระบบ {cases_web} เรื่อง") == []  # no change figure named
    measure = rules.measures_of(seeded, 2568)[4]
    rules.save_measure(seeded, 2568, rules.MeasureInput(
        title=measure.title, methods=list(measure.methods), period=measure.period, responsible=measure.responsible,
        results=measure.results,
        outcome="ได้คะแนนร้อยละ {ita_participation} {ita_participation_change|trend} "
                "{ita_participation_change|abs} คะแนน แสดงให้เห็นว่ามีส่วนร่วมเพิ่มมากขึ้น"), measure)
    seeded.commit()
    assert rules.build_report(seeded, 2568).fixed_directions == [(5, "ita_participation_change", "เพิ่มมากขึ้น")]


def test_the_report_page_warns_of_a_fixed_direction(app, admin):
    load_measures(app)
    with app.app_context():
        measure = rules.measures_of(db.session, 2568)[0]
        measure.outcome = "{ita_6_change|trend_amount:คะแนน} แสดงว่าพึงพอใจมากยิ่งขึ้น"
        db.session.commit()
    html = admin.get("/admin/report?fy=2568").get_data(as_text=True)
    assert 'id="direction-warnings"' in html and "Measure 1: {ita_6_change} with “มากยิ่งขึ้น”" in html
