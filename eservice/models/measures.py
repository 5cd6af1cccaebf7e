"""The annual measures report (รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใส) as data.

Per fiscal year (B.E.): the measures in order, each a row of the report's six columns, and the ITA
(Integrity and Transparency Assessment) scores that their outcome texts quote. Texts may name figures
(``{gift_reports}``); :mod:`eservice.domain.measures` checks the names and fills them in.
"""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime, utcnow

# The ten ITA indicators of the NACC's assessment (ป.ป.ช.), in the order the result sheet lists them.
ITA_INDICATORS: dict[int, tuple[str, object]] = {
    1: ("การปฏิบัติหน้าที่", _l("Performance of duties")),
    2: ("การใช้งบประมาณ", _l("Use of the budget")),
    3: ("การใช้อำนาจ", _l("Use of authority")),
    4: ("การใช้ทรัพย์สินของราชการ", _l("Use of government property")),
    5: ("การแก้ไขปัญหาการทุจริต", _l("Tackling corruption")),
    6: ("คุณภาพการดำเนินงาน", _l("Quality of operations")),
    7: ("ประสิทธิภาพการสื่อสาร", _l("Effectiveness of communication")),
    8: ("การปรับปรุงระบบการทำงาน", _l("Improvement of working systems")),
    9: ("การเปิดเผยข้อมูล", _l("Disclosure of information")),
    10: ("การป้องกันการทุจริต", _l("Prevention of corruption")),
}
ITA_TOTAL_KEY = "total"


class Measure(Model):
    """One row of the report: มาตรการ/กิจกรรม, วิธีดำเนินการ, ระยะเวลา, ผู้รับผิดชอบ, ผล, ผลลัพธ์."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)  # B.E.
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the report, 1, 2, 3, ...
    title: Mapped[str] = mapped_column(Text)
    # The steps, each printed as its own paragraph (numbering as the clerk typed it).
    methods: Mapped[list] = mapped_column(JSON, default=list)
    period: Mapped[str] = mapped_column(String(200), default="")
    responsible: Mapped[str] = mapped_column(String(300), default="")
    # One paragraph per line; may name figures.
    results: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ItaScore(Model):
    """A score of the year's ITA result sheet, in hundredths so that 95.31 stays exactly 95.31.

    ``key`` is ``total`` (the overall score), ``1`` … ``10`` (an indicator) or a short name of our own for
    one question the report quotes (``participation``). ``reported_change`` is the change from the year
    before as the result sheet prints it, kept for years whose earlier score is not recorded here; when
    both years' scores are recorded the change is computed from them instead.
    """

    __tablename__ = "ita_score"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "key", name="uq_ita_score_fiscal_year_key"),
        CheckConstraint("score_hundredths IS NULL OR (score_hundredths BETWEEN 0 AND 10000)",
                        name="ck_ita_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)  # B.E.
    key: Mapped[str] = mapped_column(String(40))
    score_hundredths: Mapped[int | None] = mapped_column(Integer)
    reported_change_hundredths: Mapped[int | None] = mapped_column(Integer)
    # Only for questions: what the question asks, as the result sheet words it.
    label_th: Mapped[str] = mapped_column(Text, default="")
    label_en: Mapped[str] = mapped_column(Text, default="")

    @property
    def score(self) -> Decimal | None:
        return None if self.score_hundredths is None else Decimal(self.score_hundredths).scaleb(-2)

    @property
    def reported_change(self) -> Decimal | None:
        if self.reported_change_hundredths is None:
            return None
        return Decimal(self.reported_change_hundredths).scaleb(-2)

    @property
    def indicator(self) -> int | None:
        return int(self.key) if self.key.isdecimal() else None

    @property
    def is_question(self) -> bool:
        return self.key != ITA_TOTAL_KEY and not self.key.isdecimal()

    def label(self, locale: str) -> str:
        if self.key == ITA_TOTAL_KEY:
            return str(_l("Overall ITA score"))
        if self.indicator in ITA_INDICATORS:
            thai, english = ITA_INDICATORS[self.indicator]
            return str(english) if locale == "en" else thai
        return self.label_en if locale == "en" and self.label_en else self.label_th


def to_hundredths(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


class ReportSignOff(Model):
    """Who prepared and who approved a fiscal year's measures report, with their positions, as printed in
    the sign-off block under the report (ผู้จัดทำ / ผู้อนุมัติ). One row per fiscal year, edited by
    administrators."""

    __tablename__ = "report_sign_off"
    __table_args__ = (UniqueConstraint("fiscal_year", name="uq_report_sign_off_fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)  # B.E.
    prepared_name: Mapped[str] = mapped_column(String(200), default="")
    prepared_position: Mapped[str] = mapped_column(String(300), default="")
    approved_name: Mapped[str] = mapped_column(String(200), default="")
    approved_position: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ComplaintSummaryNote(Model):
    """The administrators' own words in the annual complaint-handling summary of one period: the problems
    found and the improvements made. ``part`` is ``h1`` (the first half, October to March) or ``fy`` (the
    whole fiscal year)."""

    __tablename__ = "complaint_summary_note"
    __table_args__ = (UniqueConstraint("fiscal_year", "part", name="uq_complaint_summary_note_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)  # B.E.
    part: Mapped[str] = mapped_column(String(8))
    problems: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
