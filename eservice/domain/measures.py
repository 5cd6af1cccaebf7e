"""The annual measures report: its data rules, the named figures in its texts, and the report itself.

Texts of a measure may name figures in braces: ``{gift_reports}``, ``{ita_6_change|abs}``. A figure is
computed when the report is produced, from that fiscal year's cases (:func:`eservice.domain.stats.named_figures`)
and ITA scores (the ``ita_score`` table). The syntax is a small regex, not a template language, so a text
can never run code; a name that does not exist is refused when the text is saved.

Every cell may name figures, the period and the responsible units included (``ปีงบประมาณ พ.ศ.
{fiscal_year}``), so that a copied year prints its own year.

Filters after ``|``: ``abs`` (3.05 for -3.05), ``signed`` (+3.05), ``trend`` (the word for up, down or
unchanged in the report's language), ``trend_amount`` (the word with the amount: "เพิ่มขึ้น 3.05", "ลดลง 2.10",
"เท่าเดิม"; ``{ita_total_change|trend_amount:คะแนน}`` adds the unit after an amount). A sentence that explains
a change takes its words from the same figure: ``{ita_6_change|trend:มากยิ่งขึ้น|น้อยลง|เท่าเดิม}`` prints
the first words when the figure rose, the second when it fell and the third when it did not move, so a
text can never say "fell 2.10 points, showing that satisfaction rose".
"""

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models.measures import ITA_INDICATORS, ITA_TOTAL_KEY, ItaScore, Measure, ReportSignOff, to_hundredths
from . import audit
from .audit import By
from .errors import DomainError
from .fiscal import fiscal_year_period
from .organisation import current as current_organisation
from .organisation import in_use_since
from .thai import format_date, thai_digits, to_bangkok

FIRST_FISCAL_YEAR = 2500  # B.E.; anything earlier (or a C.E. year such as 2025) is a typing mistake
LAST_FISCAL_YEAR = 2700

PLACEHOLDER_RE = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*([A-Za-z_]*)\s*(?::([^{}]*))?)?\}")
FILTERS = ("abs", "signed", "trend", "trend_amount")
QUESTION_KEY_RE = re.compile(r"[a-z][a-z0-9_]{1,39}")
YEAR_FIGURES = ("fiscal_year", "previous_fiscal_year", "fiscal_year_short")
MISSING_VALUE = "–"  # printed for a known figure that has no value (e.g. no ratings yet)

TREND_WORDS = {"th": ("เพิ่มขึ้น", "ลดลง", "เท่าเดิม"), "en": ("up", "down", "unchanged")}

_ARABIC_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# The report is an official document whose column headings and title are fixed wording of the ITA
# report form; they are kept here in both languages (not in the UI catalogue) so that a print never
# depends on the state of the translations.
REPORT_HEADINGS = {
    "th": (
        "มาตรการ/กิจกรรม",
        "วิธีดำเนินการ",
        "ระยะเวลาดำเนินการ",
        "ผู้รับผิดชอบ",
        "ผลการดำเนินการ",
        "ผลลัพธ์หรือความสำเร็จของการดำเนินการ",
    ),
    "en": ("Measure / activity", "Methods", "Period", "Responsible", "Results", "Outcome or achievement"),
}
REPORT_TITLE = {
    "th": "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {fy}",
    "en": "Report on the measures to promote integrity and transparency, fiscal year {fy} B.E.",
}
REPORT_INTRO = {
    "th": "{org} มีการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ พ.ศ. {fy} "
    "ซึ่งมีผลการดำเนินการดังนี้",
    "en": "{org} took the following measures to promote integrity and transparency in fiscal year {fy} B.E.",
}


# --- fiscal years and scores as typed --------------------------------------------------------------


def to_arabic_digits(text: str) -> str:
    return str(text).translate(_ARABIC_DIGITS)


def parse_fiscal_year(value, *, field: str = "fy") -> int:
    """A B.E. fiscal year as typed (Thai digits welcome); a C.E. year or nonsense is refused clearly."""
    text = to_arabic_digits(str(value if value is not None else "")).strip()
    if not text.isdecimal():
        raise DomainError(_l("Give the fiscal year as a Buddhist-era year, for example 2568."), field=field)
    year = int(text)
    if 1900 <= year < FIRST_FISCAL_YEAR:
        raise DomainError(
            _l("%(year)d looks like a Christian-era year; fiscal years are in the Buddhist era (%(be)d).",
               year=year, be=year + 543 + 1),
            field=field,
        )
    if not FIRST_FISCAL_YEAR <= year <= LAST_FISCAL_YEAR:
        raise DomainError(
            _l("There is no fiscal year %(year)d; give a Buddhist-era year between %(first)d and %(last)d.",
               year=year, first=FIRST_FISCAL_YEAR, last=LAST_FISCAL_YEAR),
            field=field,
        )
    return year


def parse_decimal(value, *, field: str, lowest: int, highest: int, what=None) -> Decimal | None:
    """A number with at most two decimals between ``lowest`` and ``highest``; blank means not recorded."""
    text = to_arabic_digits(str(value if value is not None else "")).strip().replace("\u2212", "-")
    if text == "":
        return None
    if what is None:
        what = _l("A score")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or "," in text:
        raise DomainError(_l("%(what)s must be a number such as 95.31; “%(text)s” is not.", what=what, text=text),
                          field=field)
    if number.as_tuple().exponent < -2:
        raise DomainError(_l("%(what)s has at most two decimals (95.31).", what=what), field=field)
    if not lowest <= number <= highest:
        raise DomainError(
            _l("%(what)s must be between %(low)d and %(high)d; %(text)s is outside.", what=what, low=lowest,
               high=highest, text=text),
            field=field,
        )
    return number


def parse_score(value, *, field: str) -> Decimal | None:
    return parse_decimal(value, field=field, lowest=0, highest=100, what=_l("A score"))


def parse_change(value, *, field: str) -> Decimal | None:
    return parse_decimal(value, field=field, lowest=-100, highest=100, what=_l("A change from the year before"))


# --- ITA scores -----------------------------------------------------------------------------------


@dataclass
class ScoreEntry:
    """One score as entered: ``key`` is ``total``, ``"1"`` … ``"10"`` or a question's short name."""

    key: str
    score: Decimal | None = None
    reported_change: Decimal | None = None
    label_th: str = ""
    label_en: str = ""
    field: str = ""  # the form field to blame, for messages


def normalise_key(raw) -> str:
    key = to_arabic_digits(str(raw)).strip().lower()
    return str(int(key)) if key.isdecimal() else key


def check_score_entries(entries: list[ScoreEntry]) -> list[DomainError]:
    """Every problem with a batch of scores, so that a form shows them all at once; nothing is written."""
    problems: list[DomainError] = []
    seen: dict[str, ScoreEntry] = {}
    for entry in entries:
        key = entry.key
        if key.isdecimal():
            if int(key) not in ITA_INDICATORS:
                problems.append(DomainError(_l("There are indicators 1 to 10 only; %(key)s is not one.", key=key),
                                            field=entry.field))
                continue
        elif key != ITA_TOTAL_KEY:
            if not QUESTION_KEY_RE.fullmatch(key):
                problems.append(DomainError(
                    _l("A question's short name uses small English letters, digits and _ (for example "
                       "participation), 2 to 40 characters."), field=entry.field))
                continue
            if not entry.label_th.strip():
                problems.append(DomainError(_l("Write the question as the result sheet words it."),
                                            field=entry.field))
        if key in seen:
            if key.isdecimal():
                message = _l("Indicator %(key)s is entered twice; keep one score per indicator.", key=key)
            elif key == ITA_TOTAL_KEY:
                message = _l("The overall score is entered twice; keep one.")
            else:
                message = _l("The question “%(key)s” is entered twice; keep one score per question.", key=key)
            problems.append(DomainError(message, field=entry.field))
            continue
        seen[key] = entry
    return problems


def save_ita_scores(session: Session, fiscal_year: int, entries: list[ScoreEntry], *,
                    replace_questions: bool = False, by: By | None = None) -> dict[str, list]:
    """Write a year's scores (all or nothing). An entry with neither score nor change removes that score.

    With ``replace_questions`` the questions of the year not in ``entries`` are removed (the form lists
    them all). Returns what changed, ``{key: [old, new]}``, for the audit log. Raises the first problem;
    call :func:`check_score_entries` first to show them all.
    """
    problems = check_score_entries(entries)
    if problems:
        raise problems[0]
    existing = {s.key: s for s in session.scalars(select(ItaScore).where(ItaScore.fiscal_year == fiscal_year))}
    changes: dict[str, list] = {}
    for entry in entries:
        row = existing.get(entry.key)
        new = _score_state(entry.score, entry.reported_change, entry.label_th, entry.label_en)
        old = _score_state(row.score, row.reported_change, row.label_th, row.label_en) if row else None
        if entry.score is None and entry.reported_change is None:
            if row is not None:
                session.delete(row)
                changes[entry.key] = [old, None]
            continue
        if row is None:
            row = ItaScore(fiscal_year=fiscal_year, key=entry.key)
            session.add(row)
        row.score_hundredths = None if entry.score is None else to_hundredths(entry.score)
        row.reported_change_hundredths = (
            None if entry.reported_change is None else to_hundredths(entry.reported_change)
        )
        row.label_th = entry.label_th.strip()
        row.label_en = entry.label_en.strip()
        if old != new:
            changes[entry.key] = [old, new]
    if replace_questions:
        kept = {e.key for e in entries}
        for key, row in existing.items():
            if row.is_question and key not in kept:
                changes[key] = [_score_state(row.score, row.reported_change, row.label_th, row.label_en), None]
                session.delete(row)
    session.flush()
    _refuse_removing_named_questions(session, {key for key in changes if key not in _ita_keys(session)}, entries)
    if changes and by is not None:
        audit.change(session, by, "admin.ita.update", target_type="ita_score", target_id=fiscal_year,
                     details={"fiscal_year": fiscal_year, **changes})
    return changes


def measures_naming(session: Session, names: set[str]) -> list[Measure]:
    """The measures (of any year) whose texts name any of the figures ``names``."""
    found = []
    for measure in session.scalars(select(Measure).order_by(Measure.fiscal_year, Measure.position)):
        texts = [*(measure.methods or []), measure.results or "", measure.outcome or ""]
        if any(match.group(1) in names for text in texts for match in PLACEHOLDER_RE.finditer(text)):
            found.append(measure)
    return found


def _refuse_removing_named_questions(session: Session, removed: set[str], entries: list[ScoreEntry]) -> None:
    """A question gone from every year takes its figures with it: refused while a measure names them."""
    for key in sorted(removed):
        users = measures_naming(session, {f"ita_{key}", f"ita_{key}_previous", f"ita_{key}_change"})
        if users:
            listed = "; ".join(f"{m.fiscal_year} {m.position}. {m.title[:60]}" for m in users[:5])
            field = next((e.field for e in entries if e.key == key), None)
            raise DomainError(_l("The question “%(key)s” is named in the texts of these measures: %(measures)s. "
                                 "Take its figures out of those texts first, or keep the question.", key=key,
                                 measures=listed), field=field)


def _score_state(score, change, label_th, label_en) -> dict:
    state = {"score": None if score is None else f"{score:.2f}",
             "reported_change": None if change is None else f"{change:.2f}"}
    if label_th or label_en:
        state.update(label_th=label_th, label_en=label_en)
    return state


TOTAL_WORDS = ("total", "รวม", "คะแนนรวม", "ภาพรวม")


def parse_pasted_scores(text: str) -> tuple[list[ScoreEntry], list[tuple[int, object]]]:
    """Lines copied from the ITA result sheet: ``6 คุณภาพการดำเนินงาน 88.50`` or ``รวม 95.31``.

    Returns the entries and ``(line number, message)`` for each line that cannot be read; duplicates
    are reported per line too. Blank lines are skipped.
    """
    entries: list[ScoreEntry] = []
    problems: list[tuple[int, object]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        first = to_arabic_digits(line.strip().split()[0]).rstrip(".").lower()
        if first in TOTAL_WORDS:
            key = ITA_TOTAL_KEY
        elif first.isdecimal() and int(first) in ITA_INDICATORS:
            key = str(int(first))
        else:
            problems.append((number, _l("Start the line with the indicator number (1 to 10) or “รวม” for the "
                                        "overall score.")))
            continue
        tokens = line.split()
        if len(tokens) < 2:
            problems.append((number, _l("No score on this line.")))
            continue
        try:
            score = parse_score(tokens[-1], field="pasted")
        except DomainError as error:
            problems.append((number, error.message))
            continue
        if key in seen:
            problems.append((number, _l("Indicator %(key)s is already on line %(line)d; keep one score per "
                                        "indicator.", key=key, line=seen[key])
                             if key != ITA_TOTAL_KEY else
                             _l("The overall score is already on line %(line)d.", line=seen[key])))
            continue
        seen[key] = number
        entries.append(ScoreEntry(key=key, score=score, field="pasted"))
    return entries, problems


def ita_scores(session: Session, fiscal_year: int) -> dict[str, ItaScore]:
    return {s.key: s for s in session.scalars(select(ItaScore).where(ItaScore.fiscal_year == fiscal_year))}


def question_keys(session: Session) -> list[str]:
    """Every question short name used in any year (their figures may be named in any year's texts)."""
    keys = session.scalars(select(ItaScore.key).distinct().order_by(ItaScore.key))
    return [k for k in keys if k != ITA_TOTAL_KEY and not k.isdecimal()]


# --- named figures --------------------------------------------------------------------------------


def _case_figure_module():
    from . import stats  # the statistics module owns every case figure

    return stats


def _ita_keys(session: Session) -> list[str]:
    return [ITA_TOTAL_KEY, *(str(n) for n in ITA_INDICATORS), *question_keys(session)]


def figure_catalogue(session: Session) -> dict[str, object]:
    """Every name a text may use, with what it means (shown to editors beside the text)."""
    catalogue: dict[str, object] = {
        "fiscal_year": _l("The report's fiscal year (B.E.)"),
        "previous_fiscal_year": _l("The fiscal year before it"),
        "fiscal_year_short": _l("The report's fiscal year in two digits (68 for 2568), as after a month"),
    }
    stats = _case_figure_module()
    describe = getattr(stats, "figure_descriptions", None)  # with the channels the administrators added
    catalogue.update(describe(session) if describe else stats.FIGURE_DESCRIPTIONS)
    catalogue["channels_list"] = _l("Cases received through every channel, each with its count (the counts add "
                                    "up to cases_total)")
    for key in _ita_keys(session):
        if key == ITA_TOTAL_KEY:
            what = _l("the overall ITA score")
        elif key.isdecimal():
            what = _l("ITA indicator %(n)s (%(name)s)", n=key, name=ITA_INDICATORS[int(key)][0])
        else:
            what = _l("the ITA question “%(key)s”", key=key)
        catalogue[f"ita_{key}"] = _l("Score of %(what)s in the report's year", what=what)
        catalogue[f"ita_{key}_previous"] = _l("Score of %(what)s in the year before", what=what)
        catalogue[f"ita_{key}_change"] = _l("Change of %(what)s from the year before", what=what)
    return catalogue


def ita_figures(session: Session, fiscal_year: int) -> dict[str, Decimal | None]:
    current, previous = ita_scores(session, fiscal_year), ita_scores(session, fiscal_year - 1)
    figures: dict[str, Decimal | None] = {}
    for key in _ita_keys(session):
        now = current.get(key)
        before = previous.get(key)
        score = now.score if now else None
        earlier = before.score if before else None
        reported = now.reported_change if now else None
        if score is not None and earlier is not None:
            change = score - earlier
        else:
            change = reported
            if earlier is None and score is not None and reported is not None:
                earlier = score - reported  # the result sheet's change implies last year's score
        figures[f"ita_{key}"] = score
        figures[f"ita_{key}_previous"] = earlier
        figures[f"ita_{key}_change"] = change
    return figures


CHANNEL_LIST_WORDS = {
    "th": {"unit": "เรื่อง", "and": "และ", "other": "ช่องทางอื่น"},
    "en": {"unit": "cases", "and": "and", "other": "other channels"},
}


def channel_parts(session: Session, figures: dict, locale: str = "th") -> list[tuple[str, int]]:
    """(channel name, cases) for every channel, in the order of the statistics; cases through a channel no
    longer in the list are counted as other channels, so the parts always add up to ``cases_total``."""
    from ..models import Channel

    words = CHANNEL_LIST_WORDS.get(locale, CHANNEL_LIST_WORDS["th"])
    names = {c.code: c.name(locale) for c in session.scalars(select(Channel))}
    parts: list[tuple[str, int]] = []
    for name, value in figures.items():
        if name.startswith("channel_") and isinstance(value, int):
            code = name.removeprefix("channel_")
            parts.append((names.get(code, code), value))
    other = int(figures.get("cases_total") or 0) - sum(n for _label, n in parts)
    if other:
        parts.append((words["other"], other))
    return parts


def channels_list(session: Session, figures: dict, locale: str = "th") -> str:
    """Every channel with its count as a phrase: "e-Service (เว็บไซต์) 3 เรื่อง โทรศัพท์ 0 เรื่อง ... และ
    ติดต่อด้วยตนเอง 1 เรื่อง" (see :func:`channel_parts`)."""
    words = CHANNEL_LIST_WORDS.get(locale, CHANNEL_LIST_WORDS["th"])
    phrases = [f"{label} {format_number(n)} {words['unit']}" for label, n in channel_parts(session, figures, locale)]
    if len(phrases) > 1:
        phrases[-1] = f"{words['and']}{'' if locale == 'th' else ' '}{phrases[-1]}"
    return (" " if locale == "th" else ", ").join(phrases)


def before_use(session: Session, fiscal_year: int) -> bool:
    """True when the whole fiscal year ended before the e-Service went into use: its case figures are
    unknown, not 0."""
    since = in_use_since(session)
    return since is not None and fiscal_year_period(fiscal_year).end <= since


def report_figures(session: Session, fiscal_year: int, locale: str = "th") -> dict[str, object]:
    """Every figure of a fiscal year, by name; a figure with nothing to count is ``None``, and so is every
    case figure of a year that ended before the e-Service went into use (there is no data, not 0)."""
    figures: dict[str, object] = {"fiscal_year": fiscal_year, "previous_fiscal_year": fiscal_year - 1,
                                  "fiscal_year_short": f"{fiscal_year % 100:02d}"}
    cases = _case_figure_module().named_figures(session, fiscal_year)
    if before_use(session, fiscal_year):
        figures.update(dict.fromkeys(cases))
        figures["channels_list"] = None
    else:
        figures.update(cases)
        figures["channels_list"] = channels_list(session, figures, locale)
    figures.update(ita_figures(session, fiscal_year))
    return figures


@dataclass
class FigureProblem:
    text: str  # the placeholder as typed
    message: object


def check_text(text: str, known: set[str] | dict) -> list[FigureProblem]:
    """The placeholders of a text that would not print: unknown names, unknown filters, stray braces."""
    problems: list[FigureProblem] = []
    for match in PLACEHOLDER_RE.finditer(text or ""):
        name, filter_, argument = match.group(1), match.group(2), match.group(3)
        if name not in known:
            suggestion = _closest(name, known)
            message = (_l("There is no figure named “%(name)s”; did you mean “%(suggestion)s”?", name=name,
                          suggestion=suggestion)
                       if suggestion else _l("There is no figure named “%(name)s”.", name=name))
            problems.append(FigureProblem(match.group(0), message))
        if filter_ is not None and filter_ not in FILTERS:
            problems.append(FigureProblem(match.group(0), _l("“%(filter)s” is not a filter; use abs, signed, trend "
                                                             "or trend_amount.", filter=filter_)))
        elif argument is not None and filter_ == "trend" and len(argument.split("|")) != 3:
            problems.append(FigureProblem(match.group(0), _l(
                "Give the words for a rise, a fall and no change, separated by |: "
                "{ita_6_change|trend:มากยิ่งขึ้น|น้อยลง|เท่าเดิม}.")))
        elif argument is not None and filter_ not in ("trend", "trend_amount"):
            problems.append(FigureProblem(match.group(0), _l("Only trend and trend_amount take words after a colon.")))
        elif argument is not None and filter_ == "trend_amount" and "|" in argument:
            problems.append(FigureProblem(match.group(0), _l(
                "After trend_amount give only the unit, such as {ita_total_change|trend_amount:คะแนน}.")))
    leftover = PLACEHOLDER_RE.sub("", text or "")
    if "{" in leftover or "}" in leftover:
        problems.append(FigureProblem("{ }", _l("A brace that is not part of a figure: write a figure as "
                                                "{gift_reports}, with nothing but its name inside.")))
    return problems


# Words that say which way something moved. Written as text beside a change figure they stay the same when
# the figure turns: "ลดลง 2.10 คะแนน แสดงให้เห็นว่าความพึงพอใจเพิ่มขึ้น".
DIRECTION_WORDS = ("เพิ่มขึ้น", "เพิ่มมากขึ้น", "มากขึ้น", "มากยิ่งขึ้น", "ลดลง", "น้อยลง", "สูงขึ้น", "ต่ำลง", "ดีขึ้น",
                   "แย่ลง", "rose", "fell", "increased", "decreased", "improved", "worsened")


def fixed_directions(text: str) -> list[tuple[str, str]]:
    """(change figure, direction word) for each paragraph that names a change and also writes a direction
    as text, which would contradict the figure when it moves the other way (use ``|trend:...`` instead)."""
    found = []
    for paragraph in lines_of(text):
        changes = [m.group(1) for m in PLACEHOLDER_RE.finditer(paragraph) if m.group(1).endswith("_change")]
        if not changes:
            continue
        plain = PLACEHOLDER_RE.sub(" ", paragraph).lower()
        words = [w for w in DIRECTION_WORDS if w in plain]
        # "เพิ่มมากขึ้น" contains "มากขึ้น": name the longest word only.
        words = [w for w in words if not any(w != other and w in other for other in words)]
        found += [(changes[0], word) for word in words]
    return found


def _closest(name: str, known) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return found[0] if found else None


def format_number(value, *, digits: str = "arabic") -> str:
    if isinstance(value, bool) or value is None:
        return MISSING_VALUE
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, Decimal | float):
        text = f"{value:,.2f}"
    else:
        text = str(value)
    return thai_digits(text) if digits == "thai" else text


def format_figure(value, filter_: str | None, *, locale: str = "th", digits: str = "arabic",
                  argument: str | None = None) -> str:
    if value is None:
        return MISSING_VALUE
    if filter_ in ("trend", "trend_amount"):
        if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
            return MISSING_VALUE
        rise, fall, same = TREND_WORDS.get(locale, TREND_WORDS["th"])
        if filter_ == "trend" and argument is not None:
            rise, fall, same = (part.strip() for part in argument.split("|"))
        word = rise if value > 0 else fall if value < 0 else same
        if filter_ == "trend" or value == 0:
            return word
        unit = f" {argument.strip()}" if argument and argument.strip() else ""
        return f"{word} {format_number(abs(value), digits=digits)}{unit}"
    if filter_ == "abs" and isinstance(value, int | float | Decimal):
        value = abs(value)
    if filter_ == "signed" and isinstance(value, int | float | Decimal):
        sign = "+" if value > 0 else ""
        return sign + format_number(value, digits=digits)
    return format_number(value, digits=digits)


def fill_figures(text: str, figures: dict, *, locale: str = "th", digits: str = "arabic",
                 missing: set | None = None) -> str:
    """The text with each ``{name}`` replaced; names without a value are added to ``missing``."""

    def replace(match):
        name, filter_, argument = match.group(1), match.group(2) or None, match.group(3)
        if name not in figures:
            # Checked on saving, and a question that texts name cannot be removed; should a name vanish all the
            # same (a row deleted by hand), the report still prints, with the placeholder as typed in sight and
            # the name listed with the missing figures.
            if missing is not None:
                missing.add(name)
            return match.group(0)
        value = figures[name]
        if value is None and missing is not None:
            missing.add(name)
        if name in YEAR_FIGURES and filter_ is None:
            return thai_digits(value) if digits == "thai" else str(value)  # a year has no thousands comma
        return format_figure(value, filter_, locale=locale, digits=digits, argument=argument)

    return PLACEHOLDER_RE.sub(replace, text or "")


# --- measures -------------------------------------------------------------------------------------

MAX_TITLE = 1000
MAX_PARAGRAPH = 4000


@dataclass
class MeasureInput:
    title: str
    methods: list[str]
    period: str = ""
    responsible: str = ""
    results: str = ""
    outcome: str = ""


def lines_of(text: str) -> list[str]:
    """Paragraphs of a text box: one per line, blank lines dropped, spaces trimmed."""
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


def check_measure(data: MeasureInput, known) -> list[DomainError]:
    problems: list[DomainError] = []
    if not data.title.strip():
        problems.append(DomainError(_l("Name the measure or activity."), field="title"))
    elif len(data.title) > MAX_TITLE:
        problems.append(DomainError(_l("Keep the name under %(n)d characters.", n=MAX_TITLE), field="title"))
    if len(data.period) > 200:
        problems.append(DomainError(_l("Keep the period under %(n)d characters.", n=200), field="period"))
    if len(data.responsible) > 300:
        problems.append(DomainError(_l("Keep this under %(n)d characters.", n=300), field="responsible"))
    for name, text in (("title", data.title), ("methods", "\n".join(data.methods)), ("period", data.period),
                       ("responsible", data.responsible), ("results", data.results), ("outcome", data.outcome)):
        if name in ("methods", "results", "outcome") and any(len(line) > MAX_PARAGRAPH for line in lines_of(text)):
            problems.append(DomainError(_l("Keep each paragraph under %(n)d characters.", n=MAX_PARAGRAPH),
                                        field=name))
        for problem in check_text(text, known):
            problems.append(DomainError(_l("%(placeholder)s: %(message)s", placeholder=problem.text,
                                           message=problem.message), field=name))
    return problems


def save_measure(session: Session, fiscal_year: int, data: MeasureInput, measure: Measure | None = None, *,
                 by: By | None = None) -> tuple[Measure, dict]:
    """Create or update a measure after checking it; returns it with ``{field: [old, new]}`` changes (audited
    as made ``by`` someone, when given)."""
    problems = check_measure(data, figure_catalogue(session))
    if problems:
        raise problems[0]
    values = {
        "title": data.title.strip(),
        "methods": [m.strip() for m in data.methods if m.strip()],
        "period": data.period.strip(),
        "responsible": data.responsible.strip(),
        "results": "\n".join(lines_of(data.results)),
        "outcome": "\n".join(lines_of(data.outcome)),
    }
    changes = {}
    new = measure is None
    if new:
        last = session.scalar(select(func.max(Measure.position)).where(Measure.fiscal_year == fiscal_year))
        measure = Measure(fiscal_year=fiscal_year, position=(last or 0) + 1)
        session.add(measure)
    for name, value in values.items():
        old = getattr(measure, name, None)
        if old != value:
            changes[name] = [old, value]
            setattr(measure, name, value)
    session.flush()
    if changes and by is not None:
        audit.change(session, by, "admin.measure." + ("create" if new else "update"), target_type="measure",
                     target_id=measure.id, details={"fiscal_year": fiscal_year, **changes})
    return measure, changes


def measures_of(session: Session, fiscal_year: int) -> list[Measure]:
    return list(session.scalars(
        select(Measure).where(Measure.fiscal_year == fiscal_year).order_by(Measure.position, Measure.id)))


def renumber(session: Session, fiscal_year: int) -> None:
    for position, measure in enumerate(measures_of(session, fiscal_year), start=1):
        measure.position = position
    session.flush()


def move_measure(session: Session, measure: Measure, step: int, *, by: By | None = None) -> bool:
    """Swap a measure with its neighbour (step -1 up, +1 down); False when it is already at that end."""
    rows = measures_of(session, measure.fiscal_year)
    index = rows.index(measure)
    other = index + step
    if not 0 <= other < len(rows):
        return False
    before = measure.position
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        row.position = position
    session.flush()
    if by is not None:
        audit.change(session, by, "admin.measure.move", target_type="measure", target_id=measure.id,
                     details={"fiscal_year": measure.fiscal_year, "position": [before, measure.position]})
    return True


def delete_measure(session: Session, measure: Measure, *, by: By | None = None) -> None:
    """Remove a measure; the audit entry keeps its whole text."""
    fiscal_year = measure.fiscal_year
    if by is not None:
        audit.change(session, by, "admin.measure.delete", target_type="measure", target_id=measure.id, details={
            "fiscal_year": fiscal_year, "position": measure.position, "title": measure.title,
            "methods": measure.methods, "period": measure.period, "responsible": measure.responsible,
            "results": measure.results, "outcome": measure.outcome})
    session.delete(measure)
    session.flush()
    renumber(session, fiscal_year)


def copy_measures(session: Session, source_year: int, target_year: int, *, by: By | None = None) -> int:
    """Start a year from another year's measures (the texts and their figure names; results to update)."""
    if measures_of(session, target_year):
        raise DomainError(_l("Fiscal year %(fy)d has measures already; copying is for an empty year.",
                             fy=target_year), field="source")
    source = measures_of(session, source_year)
    if not source:
        raise DomainError(_l("Fiscal year %(fy)d has no measures to copy.", fy=source_year), field="source")
    for row in source:
        session.add(Measure(fiscal_year=target_year, position=row.position, title=row.title,
                            methods=list(row.methods or []), period=row.period, responsible=row.responsible,
                            results=row.results, outcome=row.outcome))
    session.flush()
    if by is not None:
        audit.change(session, by, "admin.measure.copy", target_type="measure",
                     details={"from": source_year, "to": target_year, "measures": len(source)})
    return len(source)


# A year typed as digits: a Buddhist-era or Christian-era year (2568, 2025), or a short year after a Thai
# month (ม.ค. - เม.ย. ๖๘). In a copied measure these still name last year; a figure name follows the year.
_LITERAL_YEAR_RE = re.compile(r"(?<!\d)(?:24|25|26|19|20)\d\d(?!\d)")
_SHORT_YEAR_RE = re.compile(r"(?:ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|"
                            r"ธ\.ค\.)\s*(\d\d)(?!\d)")
MEASURE_CELLS = ("title", "methods", "period", "responsible", "results", "outcome")


@dataclass(frozen=True)
class YearMention:
    """A cell of a measure that writes a year as digits instead of naming ``{fiscal_year}``."""

    position: int  # the measure's number in the report
    measure_id: int
    cell: str  # one of MEASURE_CELLS
    years: tuple[str, ...]  # as written, Arabic digits


def literal_years(text: str) -> list[str]:
    """The years written as digits in a text (figure names excluded), in Arabic digits, in order."""
    plain = to_arabic_digits(PLACEHOLDER_RE.sub(" ", text or ""))
    found = [m.group(0) for m in _LITERAL_YEAR_RE.finditer(plain)]
    found += [m.group(1) for m in _SHORT_YEAR_RE.finditer(plain)]
    return list(dict.fromkeys(found))


def cells_naming_years(session: Session, fiscal_year: int) -> list[YearMention]:
    """Every cell of a year's measures that writes a year as digits (to point out after copying a year)."""
    mentions = []
    for measure in measures_of(session, fiscal_year):
        for cell in MEASURE_CELLS:
            value = getattr(measure, cell)
            text = "\n".join(value or []) if cell == "methods" else value
            years = literal_years(text)
            if years:
                mentions.append(YearMention(measure.position, measure.id, cell, tuple(years)))
    return mentions


def measure_years(session: Session) -> list[int]:
    return list(session.scalars(select(Measure.fiscal_year).distinct().order_by(Measure.fiscal_year.desc())))


def years_with_measures(session: Session) -> list[int]:
    """Years with measures or ITA scores, newest first (the year pickers offer these)."""
    years = set(session.scalars(select(Measure.fiscal_year).distinct()))
    years.update(session.scalars(select(ItaScore.fiscal_year).distinct()))
    return sorted(years, reverse=True)


# --- the report -----------------------------------------------------------------------------------


# --- the sign-off block ----------------------------------------------------------------------------

SIGN_OFF_FIELDS = {"prepared_name": 200, "prepared_position": 300, "approved_name": 200, "approved_position": 300}


@dataclass
class SignOffInput:
    prepared_name: str = ""
    prepared_position: str = ""
    approved_name: str = ""
    approved_position: str = ""


def sign_off_of(session: Session, fiscal_year: int) -> ReportSignOff | None:
    return session.scalar(select(ReportSignOff).where(ReportSignOff.fiscal_year == fiscal_year))


def check_sign_off(data: SignOffInput) -> list[DomainError]:
    problems = []
    for name, longest in SIGN_OFF_FIELDS.items():
        value = getattr(data, name) or ""
        if len(value.strip()) > longest:
            problems.append(DomainError(_l("Keep this under %(n)d characters.", n=longest), field=name))
        elif any(ch in value for ch in "\r\n\t") or any(ord(ch) < 32 for ch in value):
            problems.append(DomainError(_l("Write this on one line."), field=name))
    return problems


def save_sign_off(session: Session, fiscal_year: int, data: SignOffInput, *, by: By | None = None) -> dict:
    """Write the sign-off block of a year (all four lines at once, blank lines allowed: the block then
    prints a dotted line to sign on). Returns ``{field: [old, new]}``, audited as made ``by`` someone."""
    parse_fiscal_year(fiscal_year)
    problems = check_sign_off(data)
    if problems:
        raise problems[0]
    found = sign_off_of(session, fiscal_year)
    new = found is None
    row = found if found is not None else ReportSignOff(fiscal_year=fiscal_year)
    if new:
        session.add(row)
    changes = {}
    for name in SIGN_OFF_FIELDS:
        value = (getattr(data, name) or "").strip()
        old = "" if new else getattr(row, name)
        if old != value:
            changes[name] = [old, value]
        setattr(row, name, value)
    session.flush()
    if changes and by is not None:
        audit.change(session, by, "admin.signoff.update", target_type="report_sign_off", target_id=row.id,
                     details={"fiscal_year": fiscal_year, **changes})
    return changes


# What the report says of its case figures when they are not a whole year's (fixed wording, both languages).
COVERAGE_WORDS = {
    "th": {"before": "ไม่มีข้อมูลเรื่องในปีงบประมาณนี้ ระบบ e-Service เริ่มบันทึกเรื่องตั้งแต่วันที่ {since} "
                     "ตัวเลขเรื่องจึงแสดงเป็น “–”",
           "from": "ตัวเลขเรื่องนับตั้งแต่วันที่ {since} ซึ่งเป็นวันที่เริ่มใช้ระบบ e-Service ไม่มีข้อมูลก่อนหน้านั้น",
           "so_far": "ตัวเลขเรื่องของปีงบประมาณนี้เป็นข้อมูลถึงปัจจุบัน ณ วันที่ {today} ปีงบประมาณยังไม่สิ้นสุด"},
    "en": {"before": "No case data for this fiscal year: the e-Service has recorded cases since {since}; case "
                     "figures are printed as “–”.",
           "from": "Case figures count from {since}, when the e-Service went into use; there is no data before.",
           "so_far": "Case figures of this fiscal year are so far, as of {today}: the year is not over."},
}

SIGN_OFF_WORDS = {
    "th": {"prepared": "ผู้จัดทำ", "approved": "ผู้อนุมัติ", "sign": "(ลงชื่อ)", "position": "ตำแหน่ง",
           "taken": "ข้อมูลตัวเลข ณ วันที่ {date} เวลา {time} น.", "page": "หน้า"},
    "en": {"prepared": "Prepared by", "approved": "Approved by", "sign": "(Signed)", "position": "Position",
           "taken": "Figures as of {date}, {time}", "page": "Page"},
}


@dataclass
class SignOffLine:
    role: str  # the words: ผู้จัดทำ / ผู้อนุมัติ
    name: str
    position: str


@dataclass
class ReportRow:
    number: str
    title: str
    methods: list[str]
    period: str
    responsible: str
    results: list[str]
    outcome: list[str]


@dataclass
class MeasuresReport:
    fiscal_year: int
    locale: str
    digits: str
    organisation: str
    address: str
    title: str
    subtitle: str  # the municipality and where it is, under the title
    intro: str
    headings: tuple[str, ...]
    rows: list[ReportRow]
    missing: list[str] = field(default_factory=list)  # figures named in the texts that have no value
    taken_at: str = ""  # when the figures were taken, in words: "ข้อมูลตัวเลข ณ วันที่ 2 ธ.ค. 2569 เวลา 17.40 น."
    coverage: list[str] = field(default_factory=list)  # no data before the go-live date, "so far", ...
    # (measure number, figure, word): a direction written as text beside a change figure
    fixed_directions: list[tuple[int, str, str]] = field(default_factory=list)
    sign_off: list[SignOffLine] = field(default_factory=list)
    sign_words: dict = field(default_factory=dict)

    @property
    def fiscal_year_text(self) -> str:
        return self.digit(self.fiscal_year)

    def digit(self, value) -> str:
        return thai_digits(value) if self.digits == "thai" else to_arabic_digits(str(value))


def default_digits(locale: str) -> str:
    """Thai digits in a Thai report, as the municipality's own report is written; Arabic in English."""
    return "thai" if locale == "th" else "arabic"


def build_report(session: Session, fiscal_year: int, *, locale: str = "th", digits: str | None = None,
                 now: datetime | None = None) -> MeasuresReport:
    """The report of a fiscal year with every figure filled in, every digit in the chosen style (Thai
    digits by default in Thai), the moment its figures were taken and its sign-off block."""
    locale = locale if locale in REPORT_HEADINGS else "th"
    digits = default_digits(locale) if digits is None else ("thai" if digits == "thai" else "arabic")
    taken = to_bangkok(now or datetime.now(UTC))
    figures = report_figures(session, fiscal_year, locale)
    missing: set[str] = set()

    def styled(text: str) -> str:
        return thai_digits(text) if digits == "thai" else to_arabic_digits(text)

    def out(text: str) -> str:
        """A text that may name figures (methods, results, outcome: checked when saved)."""
        return styled(fill_figures(text, figures, locale=locale, digits=digits, missing=missing))

    org = current_organisation(session)
    org_name = org.name(locale) if org else ""
    directions = [(measure.position, figure, word) for measure in measures_of(session, fiscal_year)
                  for cell in (measure.results, measure.outcome, "\n".join(measure.methods or []))
                  for figure, word in fixed_directions(cell)]
    rows = [
        ReportRow(
            number=styled(f"{measure.position}."),
            title=out(measure.title),
            methods=[out(m) for m in measure.methods or []],
            period=out(measure.period),
            responsible=out(measure.responsible),
            results=[out(p) for p in lines_of(measure.results)],
            outcome=[out(p) for p in lines_of(measure.outcome)],
        )
        for measure in measures_of(session, fiscal_year)
    ]
    fy_text = thai_digits(fiscal_year) if digits == "thai" else str(fiscal_year)
    address = org.address(locale) if org else ""
    subtitle = address if address.startswith(org_name) else f"{org_name} {address}".strip()
    words = SIGN_OFF_WORDS[locale]
    signed = sign_off_of(session, fiscal_year)
    sign_off = [
        SignOffLine(words["prepared"], styled(signed.prepared_name) if signed else "",
                    styled(signed.prepared_position) if signed else ""),
        SignOffLine(words["approved"], styled(signed.approved_name) if signed else "",
                    styled(signed.approved_position) if signed else ""),
    ]
    coverage = []
    since, period, today = in_use_since(session), fiscal_year_period(fiscal_year), taken.date()
    said = COVERAGE_WORDS[locale]
    if since is not None and period.end <= since:
        coverage.append(said["before"].format(since=format_date(since, locale)))
    elif since is not None and since > period.start:
        coverage.append(said["from"].format(since=format_date(since, locale)))
    if not before_use(session, fiscal_year) and period.start <= today < period.end:
        coverage.append(said["so_far"].format(today=format_date(today, locale)))
    taken_at = styled(words["taken"].format(date=format_date(taken.date(), locale), time=taken.strftime(
        "%H.%M" if locale == "th" else "%H:%M")))
    return MeasuresReport(
        fiscal_year=fiscal_year,
        locale=locale,
        digits=digits,
        organisation=org_name,
        address=styled(address),
        title=REPORT_TITLE[locale].format(fy=fy_text),
        subtitle=styled(subtitle),
        intro=styled(REPORT_INTRO[locale].format(org=org_name, fy=fiscal_year)),
        headings=REPORT_HEADINGS[locale],
        rows=rows,
        missing=sorted(missing),
        taken_at=taken_at,
        coverage=[styled(line) for line in coverage],
        fixed_directions=directions,
        sign_off=sign_off,
        sign_words=words,
    )


# --- the seed: measures-<year>.toml beside the reference data --------------------------------------


def measures_data_files(reference_path: str) -> list[str]:
    folder = os.path.dirname(os.path.abspath(reference_path))
    return sorted(
        os.path.join(folder, name)
        for name in os.listdir(folder)
        if re.fullmatch(r"measures-\d{4}\.toml", name)
    )


def load_measures_file(session: Session, path: str, report=None) -> dict[str, int]:
    """Load one year's measures and ITA scores. Idempotent: a year that has measures keeps them as
    edited; scores already recorded are kept; only what is missing is added."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    fiscal_year = parse_fiscal_year(data["fiscal_year"])
    added = {"measures": 0, "ITA scores": 0}

    for moved in data.get("ita_moved", []):
        _move_misfiled_score(session, moved, {normalise_key(i["key"]): i for i in data.get("ita", [])})
    existing = ita_scores(session, fiscal_year)
    entries: list[ScoreEntry] = []
    for item in data.get("ita", []):
        year = parse_fiscal_year(item.get("fiscal_year", fiscal_year))
        key = normalise_key(item["key"])
        if year != fiscal_year:
            if key in ita_scores(session, year):
                continue
            other = ScoreEntry(key, parse_score(item.get("score"), field=key),
                               parse_change(item.get("reported_change"), field=key),
                               item.get("label_th", ""), item.get("label_en", ""))
            save_ita_scores(session, year, [other])
            added["ITA scores"] += 1
            continue
        if key in existing:
            continue
        entries.append(ScoreEntry(key, parse_score(item.get("score"), field=key),
                                  parse_change(item.get("reported_change"), field=key),
                                  item.get("label_th", ""), item.get("label_en", "")))
    if entries:
        save_ita_scores(session, fiscal_year, entries)
        added["ITA scores"] += len(entries)

    if not measures_of(session, fiscal_year):
        for item in data.get("measures", []):
            save_measure(session, fiscal_year, MeasureInput(
                title=item["title"],
                methods=list(item.get("methods", [])),
                period=item.get("period", ""),
                responsible=item.get("responsible", ""),
                results="\n".join(item.get("results", [])),
                outcome="\n".join(item.get("outcome", [])),
            ))
            added["measures"] += 1
    if report is not None:
        for kind, count in added.items():
            for _ in range(count):
                report.count(kind)
    return added


def _move_misfiled_score(session: Session, moved: dict, seed_items: dict) -> bool:
    """Move a score an earlier seed stored under the wrong key (``total``) to the question it belongs to,
    only while it is exactly as that seed loaded it and the question has no score of its own yet."""
    year = parse_fiscal_year(moved["fiscal_year"])
    from_key, to_key = normalise_key(moved["from_key"]), normalise_key(moved["to_key"])
    scores = ita_scores(session, year)
    row = scores.get(from_key)
    if row is None or to_key in scores or row.score != parse_score(moved.get("score"), field=from_key):
        return False
    item = seed_items.get(to_key, {})
    row.key = to_key
    row.label_th = item.get("label_th", "")
    row.label_en = item.get("label_en", "")
    session.flush()
    return True


def load_measures_data(session: Session, reference_path: str, report=None) -> None:
    """Every ``measures-YYYY.toml`` in the reference data's folder (``flask --app eservice init``)."""
    for path in measures_data_files(reference_path):
        load_measures_file(session, path, report)
    session.flush()
