"""Editing the measures and the ITA scores through the administration pages."""

import pytest
from sqlalchemy import func, select

from eservice.domain import measures as rules
from eservice.extensions import db
from eservice.models.measures import ItaScore, Measure

from .factories import audit_count, last_audit
from .web import post


@pytest.fixture
def admin(admin, seeded):
    """conftest's administrator, with the seed's measures loaded."""
    return admin


def measures(app, fy=2568) -> list[Measure]:
    with app.app_context():
        rows = rules.measures_of(db.session, fy)
        for row in rows:
            db.session.expunge(row)
        return rows


def score(app, fy, key):
    with app.app_context():
        row = db.session.scalar(select(ItaScore).where(ItaScore.fiscal_year == fy, ItaScore.key == key))
        return None if row is None else (row.score, row.reported_change)


MEASURE = {"title": "มาตรการเปิดเผยข้อมูล", "methods": "๑. เผยแพร่\n\n๒. ติดตาม", "period": "ปีงบประมาณ พ.ศ. 2568",
           "responsible": "สำนักปลัด", "results": "ได้รับเรื่องผ่าน e-Service {cases_web} เรื่อง",
           "outcome": "คะแนน ITA {ita_asset_use} ({ita_asset_use_change|signed})"}


def test_a_measure_is_added_at_the_end_and_printed_with_live_figures(app, admin):
    response = post(admin, "/admin/measures/new?fy=2568", MEASURE)
    assert response.status_code == 302
    rows = measures(app)
    assert len(rows) == 6 and rows[-1].position == 6
    assert rows[-1].methods == ["๑. เผยแพร่", "๒. ติดตาม"]
    entry = last_audit(app, "admin.measure.create")
    assert entry.details["fiscal_year"] == 2568 and entry.details["title"] == [None, "มาตรการเปิดเผยข้อมูล"]
    html = admin.get("/admin/report?fy=2568&digits=arabic").get_data(as_text=True)
    assert "<p>ได้รับเรื่องผ่าน e-Service 0 เรื่อง</p>" in html and "คะแนน ITA 95.31 (+3.05)" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("outcome", "มี {gift_report} เรื่อง", "There is no figure named “gift_report”; did you mean “gift_reports”?"),
        ("results", "ร้อยละ {on_time_pct|percent}", "“percent” is not a filter"),
        ("methods", "ขั้นตอน {", "A brace that is not part of a figure"),
        ("title", "", "Name the measure or activity."),
    ],
)
def test_bad_measures_are_refused_beside_the_field(app, admin, field, value, message):
    before, entries = len(measures(app)), audit_count(app)
    response = post(admin, "/admin/measures/new?fy=2568", {**MEASURE, field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html
    assert value in html or not value  # what was typed is kept
    assert len(measures(app)) == before and audit_count(app) == entries


def test_editing_keeps_the_unknown_name_out_of_print(app, admin):
    first = measures(app)[0]
    response = post(admin, f"/admin/measures/{first.id}", {
        "title": first.title, "methods": "\n".join(first.methods), "period": first.period,
        "responsible": first.responsible, "results": first.results, "outcome": first.outcome + "\n{typo_name}"})
    assert response.status_code == 422
    assert measures(app)[0].outcome == first.outcome


def test_the_edit_page_lists_the_figures_with_their_values(admin):
    html = admin.get("/admin/measures/new?fy=2568").get_data(as_text=True)
    assert "{gift_reports}" in html and "{ita_total_change}" in html and "{channel_line}" in html
    assert "<td>95.31</td>" in html  # ita_asset_use now


def test_move_delete_and_copy(app, admin):
    first, second = measures(app)[:2]
    assert post(admin, f"/admin/measures/{second.id}/move", {"direction": "up"},
                token_page="/admin/measures?fy=2568").status_code == 302
    assert [m.id for m in measures(app)[:2]] == [second.id, first.id]
    assert last_audit(app, "admin.measure.move").details["position"] == [2, 1]
    assert post(admin, f"/admin/measures/{second.id}/move", {"direction": "sideways"},
                token_page="/admin/measures?fy=2568").status_code == 400
    assert post(admin, f"/admin/measures/{first.id}/delete", token_page="/admin/measures?fy=2568").status_code == 302
    assert len(measures(app)) == 4
    deleted = last_audit(app, "admin.measure.delete")
    assert deleted.details["title"] == first.title and deleted.details["outcome"] == first.outcome
    # An empty year starts from another.
    assert "has no measures yet" in admin.get("/admin/measures?fy=2569").get_data(as_text=True)
    response = post(admin, "/admin/measures/copy?fy=2569", {"source": "2568"}, token_page="/admin/measures?fy=2569")
    assert response.status_code == 302
    assert len(measures(app, 2569)) == 4
    response = post(admin, "/admin/measures/copy?fy=2570", {"source": "2025"}, token_page="/admin/measures?fy=2570")
    assert response.status_code == 422 and "looks like a Christian-era year" in response.get_data(as_text=True)
    response = post(admin, "/admin/measures/copy?fy=2569", {"source": "2568"}, token_page="/admin/measures?fy=2569")
    assert response.status_code == 422 and "has measures already" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["fy=abc", "fy=2025", "fy=9999"])
def test_unknown_fiscal_years_get_a_clear_message(admin, query):
    for page in ("/admin/measures", "/admin/ita", "/admin/report", "/admin/report.docx"):
        response = admin.get(f"{page}?{query}")
        assert response.status_code == 400, page
        html = response.get_data(as_text=True)
        assert "Buddhist-era" in html or "Buddhist era" in html


def test_a_report_for_a_year_without_measures_says_so(admin):
    response = admin.get("/admin/report?fy=2571")
    assert response.status_code == 400
    assert "Fiscal year 2571 has no measures yet." in response.get_data(as_text=True)


# --- ITA scores -----------------------------------------------------------------------------------


def ita_form(admin, fy=2568) -> dict:
    """The edit form's current values, as a browser would send them back."""
    import re

    html = admin.get(f"/admin/ita/edit?fy={fy}").get_data(as_text=True)
    values = dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html))
    values.update({name: "" for name in re.findall(r'<input[^>]*?name="([^"]+)"', html) if name not in values})
    values.pop("csrf_token", None)
    return values


def test_the_ita_form_shows_and_saves_the_scores(app, admin):
    values = ita_form(admin)
    assert values["score_total"] == "" and values["change_6"] == "7.82"
    assert values["q0_key"] == "asset_use" and values["q0_score"] == "95.31"
    assert values["q1_key"] == "participation" and values["q1_score"] == "75.00"
    values.update(score_6="89.40", score_1="97", action="save")
    response = post(admin, "/admin/ita/edit?fy=2568", values)
    assert response.status_code == 302
    assert score(app, 2568, "6")[0] == rules.parse_score("89.40", field="x")
    details = last_audit(app, "admin.ita.update").details
    assert details["1"] == [None, {"score": "97.00", "reported_change": None}]
    assert set(details) == {"fiscal_year", "1", "6"}  # unchanged scores are not reported as changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"score_6": "ninety"}, "A score must be a number such as 95.31; “ninety” is not."),
        ({"score_total": "101"}, "A score must be between 0 and 100; 101 is outside."),
        ({"score_3": "-5"}, "A score must be between 0 and 100"),
        ({"change_6": "abc"}, "A change from the year before must be a number"),
        ({"q2_key": "participation", "q2_label_th": "ซ้ำ", "q2_score": "50"},
         "The question “participation” is entered twice"),
        ({"q2_key": "Has Spaces", "q2_label_th": "x", "q2_score": "50"}, "short name uses small English letters"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_saved(app, admin, changes, message):
    values = {**ita_form(admin), **changes, "action": "save"}
    entries = audit_count(app)
    response = post(admin, "/admin/ita/edit?fy=2568", values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert score(app, 2568, "asset_use")[0] == rules.parse_score("95.31", field="x")
    assert score(app, 2568, "6") == (None, rules.parse_change("7.82", field="x"))
    assert audit_count(app) == entries
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ItaScore)) == 4


def test_pasted_lines_fill_the_form_and_duplicates_are_named(app, admin):
    values = {**ita_form(admin), "pasted": "รวม 96.10\n6 คุณภาพการดำเนินงาน 90.00", "action": "paste"}
    response = post(admin, "/admin/ita/edit?fy=2568", values)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="score_total" type="text" value="96.10"' in html and 'value="90.00"' in html
    assert score(app, 2568, "asset_use")[0] == rules.parse_score("95.31", field="x")
    assert score(app, 2568, "total") is None  # not saved until Save
    values["pasted"] = "6 คุณภาพการดำเนินงาน 90.00\n6 คุณภาพการดำเนินงาน 91.00"
    response = post(admin, "/admin/ita/edit?fy=2568", values)
    assert response.status_code == 422
    assert "Line 2: Indicator 6 is already on line 1; keep one score per indicator." in response.get_data(as_text=True)


def test_the_ita_page_shows_the_change(admin):
    html = admin.get("/admin/ita?fy=2568").get_data(as_text=True)
    assert "95.31" in html and "92.26" in html and "+3.05" in html and "+7.82" in html and "-25.00" in html
