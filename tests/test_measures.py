"""The measures report's data rules: scores, fiscal years, named figures, the seed and its loading."""

from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from eservice.domain import measures as rules
from eservice.domain.errors import DomainError
from eservice.domain.reference import LoadReport
from eservice.extensions import db
from eservice.models.measures import ItaScore, Measure


@pytest.fixture
def ctx(app):
    with app.app_context(), app.test_request_context("/"), force_locale("en"):
        yield db.session


@pytest.fixture
def seeded(ctx, app):
    rules.load_measures_data(ctx, app.config["REFERENCE_DATA"])
    ctx.commit()
    return ctx


# --- typed values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "value"), [("95.31", Decimal("95.31")), (" ๙๕.๓๑ ", Decimal("95.31")),
                                              ("100", Decimal("100")), ("0", Decimal("0")), ("", None)])
def test_scores_as_typed(ctx, typed, value):
    assert rules.parse_score(typed, field="s") == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ninety", "must be a number such as 95.31"),
        ("95,31", "must be a number such as 95.31"),
        ("NaN", "must be a number such as 95.31"),
        ("100.01", "must be between 0 and 100"),
        ("-1", "must be between 0 and 100"),
        ("95.315", "at most two decimals"),
    ],
)
def test_bad_scores_are_refused_with_a_clear_message(ctx, typed, message):
    with pytest.raises(DomainError) as caught:
        rules.parse_score(typed, field="score_6")
    assert message in str(caught.value.message)
    assert caught.value.field == "score_6"


def test_changes_may_be_negative(ctx):
    assert rules.parse_change("-25.00", field="c") == Decimal("-25.00")
    with pytest.raises(DomainError):
        rules.parse_change("-101", field="c")


@pytest.mark.parametrize(("typed", "year"), [("2568", 2568), ("๒๕๖๘", 2568), (" 2569 ", 2569)])
def test_fiscal_years(ctx, typed, year):
    assert rules.parse_fiscal_year(typed) == year


@pytest.mark.parametrize(("typed", "message"), [
    ("2025", "looks like a Christian-era year"),
    ("abc", "Give the fiscal year as a Buddhist-era year"),
    ("", "Give the fiscal year as a Buddhist-era year"),
    ("3000", "There is no fiscal year 3000"),
    ("25-68", "Give the fiscal year as a Buddhist-era year"),
])
def test_unknown_fiscal_years_are_refused(ctx, typed, message):
    with pytest.raises(DomainError) as caught:
        rules.parse_fiscal_year(typed)
    assert message in str(caught.value.message)


def test_duplicate_indicator_entries_are_refused(ctx):
    entries = [rules.ScoreEntry("6", Decimal("80")), rules.ScoreEntry("6", Decimal("81"), field="score_6b"),
               rules.ScoreEntry("total", Decimal("90")), rules.ScoreEntry("total", Decimal("91")),
               rules.ScoreEntry("participation", Decimal("75"), label_th="ก"),
               rules.ScoreEntry("participation", Decimal("70"), label_th="ก"),
               rules.ScoreEntry("11", Decimal("1")), rules.ScoreEntry("Bad Key", Decimal("1"), label_th="x"),
               rules.ScoreEntry("nolabel", Decimal("1"))]
    messages = [str(p.message) for p in rules.check_score_entries(entries)]
    assert "Indicator 6 is entered twice; keep one score per indicator." in messages
    assert "The overall score is entered twice; keep one." in messages
    assert "The question “participation” is entered twice; keep one score per question." in messages
    assert "There are indicators 1 to 10 only; 11 is not one." in messages
    assert any("short name uses small English letters" in m for m in messages)
    assert "Write the question as the result sheet words it." in messages
    with pytest.raises(DomainError):
        rules.save_ita_scores(ctx, 2570, entries)
    assert ctx.scalar(select(func.count()).select_from(ItaScore).where(ItaScore.fiscal_year == 2570)) == 0


def test_pasted_scores_name_each_bad_line(ctx):
    entries, problems = rules.parse_pasted_scores(
        "รวม 95.31\n1 การปฏิบัติหน้าที่ 98.00\n\n6 คุณภาพการดำเนินงาน 88.5\n6 คุณภาพการดำเนินงาน 90\n"
        "11 ไม่มี 50\nเจ็ด 70\n4 การใช้ทรัพย์สิน 101\n๙ การเปิดเผยข้อมูล ๑๐๐\n")
    assert [(e.key, e.score) for e in entries] == [("total", Decimal("95.31")), ("1", Decimal("98.00")),
                                                    ("6", Decimal("88.5")), ("9", Decimal("100"))]
    lines = {line: str(message) for line, message in problems}
    assert lines[5] == "Indicator 6 is already on line 4; keep one score per indicator."
    assert "Start the line with the indicator number" in lines[6] and "Start the line" in lines[7]
    assert "must be between 0 and 100" in lines[8]


def test_saving_scores_writes_hundredths_and_reports_changes(ctx):
    changes = rules.save_ita_scores(ctx, 2569, [rules.ScoreEntry("total", Decimal("96.5")),
                                                rules.ScoreEntry("6", None, Decimal("-1.25"))])
    ctx.commit()
    row = ctx.scalar(select(ItaScore).where(ItaScore.fiscal_year == 2569, ItaScore.key == "total"))
    assert row.score_hundredths == 9650 and row.score == Decimal("96.5")
    assert changes["total"] == [None, {"score": "96.50", "reported_change": None}]
    # An entry with neither score nor change removes the row.
    changes = rules.save_ita_scores(ctx, 2569, [rules.ScoreEntry("6")])
    assert changes["6"][1] is None
    assert ctx.scalar(select(ItaScore).where(ItaScore.fiscal_year == 2569, ItaScore.key == "6")) is None


# --- named figures --------------------------------------------------------------------------------


def test_unknown_names_filters_and_stray_braces_are_found(seeded):
    known = rules.figure_catalogue(seeded)
    problems = rules.check_text("มี {gift_report} เรื่อง {ita_total|double} และ {cases_total} } {ita_6_change|trend}",
                                known)
    messages = [str(p.message) for p in problems]
    assert "There is no figure named “gift_report”; did you mean “gift_reports”?" in messages
    assert "“double” is not a filter; use abs, signed, trend or trend_amount." in messages
    assert any("A brace that is not part of a figure" in m for m in messages)
    assert len(problems) == 3  # {cases_total} and {ita_6_change|trend} are fine
    assert rules.check_text("{{ gift_reports }}", known)  # Jinja syntax is not ours: refused, not half-read
    assert not rules.check_text("ได้รับ {gift_reports} เรื่อง ({ eservice_share_pct })", known)


def test_every_catalogue_name_has_a_value_slot(seeded):
    catalogue = rules.figure_catalogue(seeded)
    figures = rules.report_figures(seeded, 2568)
    assert set(catalogue) <= set(figures)
    for name in ("gift_reports", "cases_web", "channel_line", "on_time_pct", "satisfaction_mean", "ita_total_change",
                 "ita_6_change", "ita_participation", "fiscal_year"):
        assert name in catalogue, name


def test_figures_are_formatted_and_never_run_code(ctx):
    figures = {"n": 1234, "pct": 12.5, "score": Decimal("95.31"), "up": Decimal("3.05"), "down": Decimal("-25"),
               "none": None, "fiscal_year": 2568}
    text = ("{n} {pct} {score} {up|trend} {up|abs} {down|trend} {down|abs} {down|signed} {up|signed} {none} "
            "{fiscal_year}")
    assert rules.fill_figures(text, figures) == "1,234 12.50 95.31 เพิ่มขึ้น 3.05 ลดลง 25.00 -25.00 +3.05 – 2568"
    assert rules.fill_figures("{up|trend}", figures, locale="en") == "up"
    assert rules.fill_figures("{n}", figures, digits="thai") == "๑,๒๓๔"
    missing = set()
    rules.fill_figures("{none} {n}", figures, missing=missing)
    assert missing == {"none"}
    # Anything that is not exactly {name} or {name|filter} is left alone as text, never evaluated.
    assert rules.fill_figures("{n.__class__} {7*7}", figures) == "{n.__class__} {7*7}"


def test_ita_changes_are_computed_or_taken_as_printed(seeded):
    figures = rules.ita_figures(seeded, 2568)
    # The seed's 95.31 against 92.26 belongs to the asset-use question, not to the overall score.
    assert figures["ita_asset_use"] == Decimal("95.31")
    assert figures["ita_asset_use_previous"] == Decimal("92.26")
    assert figures["ita_asset_use_change"] == Decimal("3.05")
    assert figures["ita_total"] is None and figures["ita_total_previous"] is None
    assert figures["ita_6_change"] == Decimal("7.82") and figures["ita_6"] is None
    assert figures["ita_participation"] == Decimal("75.00")
    assert figures["ita_participation_change"] == Decimal("-25.00")
    assert figures["ita_participation_previous"] == Decimal("100.00")  # implied by the printed change
    # When the year before is recorded, the change is computed and a printed one is ignored.
    rules.save_ita_scores(seeded, 2567, [rules.ScoreEntry("6", Decimal("80.00"))])
    rules.save_ita_scores(seeded, 2568, [rules.ScoreEntry("6", Decimal("90.00"), Decimal("7.82"))])
    figures = rules.ita_figures(seeded, 2568)
    assert figures["ita_6_change"] == Decimal("10.00") and figures["ita_6_previous"] == Decimal("80.00")


# --- the seed -------------------------------------------------------------------------------------


def test_the_seed_is_loaded_once_and_faithfully(ctx, app):
    report = LoadReport()
    rules.load_measures_data(ctx, app.config["REFERENCE_DATA"], report)
    ctx.commit()
    assert report.added == {"ITA scores": 4, "measures": 5}
    titles = [m.title for m in rules.measures_of(ctx, 2568)]
    assert titles == [
        "มาตรการป้องกันการเรียกรับสินบนจากการปฏิบัติหน้าที่",
        "ช่องทางและรูปแบบการประชาสัมพันธ์เผยแพร่ข้อมูลข่าวสารภาครัฐ",
        "กระบวนการกำกับดูแลการใช้ทรัพย์สินของราชการ",
        "กระบวนการสร้างความโปร่งใสในการใช้งบประมาณ จัดซื้อจัดจ้าง",
        "กลไกและมาตรการในการแก้ไขและป้องกันการทุจริตในหน่วยงาน",
    ]
    first = rules.measures_of(ctx, 2568)[0]
    assert first.methods == ["๑. ดำเนินการประเมินความเสี่ยงการทุจริตในประเด็นที่เกี่ยวข้องกับสินบน",
                             "๒. จัดทำประกาศ No Gift Policy"]
    assert first.period == "ม.ค. - เม.ย. {fiscal_year_short}" and first.responsible == "สำนักปลัด"
    assert "{ita_6_change|abs}" in first.outcome and "{gift_reports}" in first.outcome
    # Every figure the seed names exists.
    known = rules.figure_catalogue(ctx)
    for measure in rules.measures_of(ctx, 2568):
        for text in (measure.title, *measure.methods, measure.period, measure.responsible, measure.results,
                     measure.outcome):
            assert not rules.check_text(text, known), text
    # Loading again adds nothing and keeps what the administrators edited.
    first.title = "แก้ไขแล้ว"
    ctx.commit()
    again = LoadReport()
    rules.load_measures_data(ctx, app.config["REFERENCE_DATA"], again)
    ctx.commit()
    assert again.added == {}
    assert ctx.scalar(select(func.count()).select_from(Measure)) == 5
    assert rules.measures_of(ctx, 2568)[0].title == "แก้ไขแล้ว"


def test_the_seed_report_quotes_the_seed_figures(seeded):
    report = rules.build_report(seeded, 2568, digits="thai")
    outcome = " ".join(p for row in report.rows for p in row.outcome)
    assert "ตัวชี้วัดที่ ๖ คุณภาพการดำเนินงาน เพิ่มขึ้นจากปีที่ผ่านมา ๗.๘๒ คะแนน" in outcome
    assert "ITA ปี ๒๕๖๘ ได้คะแนน ๙๕.๓๑ คะแนน ปี ๒๕๖๗ ได้คะแนน ๙๒.๒๖ คะแนน มีคะแนนเฉลี่ยเพิ่มขึ้นจากปี ๒๕๖๗ เท่ากับ ๓.๐๕ คะแนน" \
        in outcome
    assert "ได้คะแนนร้อยละ ๗๕.๐๐ ลดลง ๒๕.๐๐ คะแนน" in outcome
    # The explanation follows the fall (the seed said participation grew under a fall of 25 points).
    assert "ลดลง ๒๕.๐๐ คะแนน แสดงให้เห็นว่าผู้มีส่วนได้ส่วนเสียภายนอกมีส่วนร่วมในการปรับปรุงพัฒนาการดำเนินงาน" \
           "การให้บริการของหน่วยงานน้อยลง" in outcome
    assert "เพิ่มมากขึ้น" not in report.rows[4].outcome[-1]
    assert report.rows[0].period == "ม.ค. - เม.ย. ๖๘" and report.rows[1].period == "ปีงบประมาณ พ.ศ. ๒๕๖๘"
    assert report.title == ("รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน "
                            "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘")
    assert report.subtitle == "เทศบาลตำบลบ่อปลาทอง อำเภอปรางค์กู่ จังหวัดนครราชสีมา"
    arabic = rules.build_report(seeded, 2568, digits="arabic")
    assert "ITA ปี 2568 ได้คะแนน 95.31 คะแนน" in " ".join(p for row in arabic.rows for p in row.outcome)
    assert arabic.rows[0].methods[0].startswith("1. ")  # the seed's Thai digits become Arabic too


# --- measures -------------------------------------------------------------------------------------


def test_measures_move_delete_and_copy(seeded):
    rows = rules.measures_of(seeded, 2568)
    assert rules.move_measure(seeded, rows[2], -1) is True
    assert [m.position for m in rules.measures_of(seeded, 2568)] == [1, 2, 3, 4, 5]
    assert rules.measures_of(seeded, 2568)[1].id == rows[2].id
    assert rules.move_measure(seeded, rules.measures_of(seeded, 2568)[0], -1) is False
    rules.delete_measure(seeded, rules.measures_of(seeded, 2568)[0])
    assert [m.position for m in rules.measures_of(seeded, 2568)] == [1, 2, 3, 4]
    assert rules.copy_measures(seeded, 2568, 2569) == 4
    assert [m.title for m in rules.measures_of(seeded, 2569)] == [m.title for m in rules.measures_of(seeded, 2568)]
    with pytest.raises(DomainError, match="has measures already"):
        rules.copy_measures(seeded, 2568, 2569)
    with pytest.raises(DomainError, match="has no measures to copy"):
        rules.copy_measures(seeded, 2550, 2571)


def test_a_measure_with_an_unknown_figure_is_not_saved(seeded):
    data = rules.MeasureInput(title="มาตรการใหม่", methods=["ทำ"], outcome="มี {no_such_figure} เรื่อง")
    with pytest.raises(DomainError) as caught:
        rules.save_measure(seeded, 2568, data)
    assert caught.value.field == "outcome" and "no_such_figure" in str(caught.value.message)
    seeded.rollback()
    assert len(rules.measures_of(seeded, 2568)) == 5


def test_braces_outside_the_figure_texts_are_printed_as_typed(seeded):
    from eservice.models import Organisation

    seeded.scalar(select(Organisation)).name_th = "เทศบาล {ทดสอบ}"
    rules.measures_of(seeded, 2568)[0].title = "มาตรการ {ที่หนึ่ง}"
    seeded.flush()
    report = rules.build_report(seeded, 2568)
    assert report.rows[0].title == "มาตรการ {ที่หนึ่ง}"
    assert report.intro.startswith("เทศบาล {ทดสอบ} มีการดำเนินการ")
