"""The days off the working-day clock skips (weekends aside): where they come from, and what a change does.

**Where they come from.** Thailand's holidays are computed by the well-kept ``holidays`` package
(``holidays.TH``): the lunar Buddhist days (Makha, Visakha and Asanha Bucha, Khao Phansa), Songkran, the
substitution days (ชดเชย) when a holiday falls on a weekend, and the Cabinet's bridge days the package
knows of, with Thai and English names (its ``th`` and ``en_US`` languages). Of its categories, the office
is closed on:

- ``PUBLIC``: the public holidays of the Holidays Act and the Cabinet (every government office closes);
- ``GOVERNMENT``: days off of government offices only (the Royal Ploughing Ceremony) — a municipality is a
  government office, so it closes.

and open on ``BANK`` (days only banks close), ``ARMED_FORCES`` (Royal Thai Armed Forces Day, for the armed
forces), ``SCHOOL`` (Teacher's Day, for the Ministry of Education) and ``WORKDAY`` (national observances that
are working days, such as Loy Krathong). :data:`OFFICE_CLOSED_CATEGORIES` is that decision.

**How they are kept.** A sync (``flask --app eservice holidays sync``, ``init`` for this year and the next,
the worker for any missing year of the next :data:`KEEP_AHEAD_DAYS` days) writes the package's days of a year
as ``package`` rows and records the year in ``calendar_year``. Administrators add the Cabinet's special days
off (``admin_added``) and remove a day (a package day becomes ``admin_removed``: kept as a row so that no sync
brings it back). A sync only ever touches ``package`` rows, so an administrator's change survives every sync.

**What a change does.** When the set of days off changes (a sync, an administrator's add or remove), every
open case whose due dates the changed days fall inside is moved by :func:`eservice.domain.clock.moved_due`
(the same rule that gave the dates) and gets an internal event saying which days changed and how its dates
moved. Finished cases keep the dates they were judged by; a case already acknowledged keeps its
acknowledge-by date.
"""

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from ..models import CalendarYear, Case, CaseEvent, Holiday, HolidaySource
from . import actions, audit, clock
from .errors import DomainError
from .statuses import AWAITING_ACKNOWLEDGEMENT, CLOCK_PAUSED, OPEN_STATUSES
from .thai import bangkok_today, to_bangkok
from .workflow import record_event

COUNTRY = "TH"
# The package's categories on which the office is closed (see the module's docstring).
OFFICE_CLOSED_CATEGORIES = ("public", "government")
# ``holidays check`` and the staff pages' warning look this many days ahead.
KEEP_AHEAD_DAYS = 180
# The years a sync accepts (C.E.): the package's lunar calendar is reliable far beyond these.
FIRST_YEAR, LAST_YEAR = 2000, 2150
SYNC_LOCK_KEY = 7_311_002  # names the advisory lock of a sync on PostgreSQL (audit uses 7_311_001)

# Why a case's dates moved (CaseEvent.data["why"]).
WHY_SYNC = "sync"
WHY_ADMIN = "administrator"


def package_version() -> str:
    import holidays

    return str(getattr(holidays, "__version__", ""))


@functools.lru_cache(maxsize=64)
def package_days(year: int) -> tuple[tuple[date, str, str], ...]:
    """The package's days off of ``year``: (day, Thai name, English name), in order of date."""
    import holidays

    def names(language: str):
        return holidays.country_holidays(COUNTRY, years=year, categories=OFFICE_CLOSED_CATEGORIES,
                                         language=language)

    thai, english = names("th"), names("en_US")
    return tuple((day, str(thai[day])[:200], str(english.get(day, ""))[:200]) for day in sorted(thai))


# --- reading -----------------------------------------------------------------------------------------


days_off_clause = clock.days_off_clause
days_off_from = clock.holidays_from


def all_days_off(session: Session) -> set[date]:
    return set(session.scalars(select(Holiday.day).where(days_off_clause())))


def year_rows(session: Session, year: int) -> list[Holiday]:
    """Every row of ``year``, removed days included, in order of date."""
    return list(session.scalars(select(Holiday).where(Holiday.day >= date(year, 1, 1),
                                                      Holiday.day < date(year + 1, 1, 1)).order_by(Holiday.day)))


def days_off_in(session: Session, year: int) -> list[Holiday]:
    return [h for h in year_rows(session, year) if h.is_day_off]


def loaded_years(session: Session) -> set[int]:
    return set(session.scalars(select(CalendarYear.year)))


@dataclass(frozen=True)
class Gap:
    """Days ahead that no loaded year covers: from ``first`` (the first such day) in ``years``."""

    first: date
    years: tuple[int, ...]


def coverage_gap(session: Session, today: date, days: int = KEEP_AHEAD_DAYS) -> Gap | None:
    """The first of the next ``days`` days (today included) whose year is not loaded, or None. One query."""
    last = today + timedelta(days=days - 1)
    needed = range(today.year, last.year + 1)
    have = set(session.scalars(select(CalendarYear.year).where(CalendarYear.year.in_(list(needed)))))
    missing = tuple(y for y in needed if y not in have)
    if not missing:
        return None
    return Gap(first=max(today, date(missing[0], 1, 1)), years=missing)


# --- changing ----------------------------------------------------------------------------------------


@dataclass
class DayChange:
    day: date
    name: str
    name_en: str
    off: bool  # True: became a day off; False: no longer one


@dataclass
class MovedCase:
    code: str
    ack: tuple[date, date] | None
    resolve: tuple[date, date] | None


@dataclass
class SyncResult:
    years: list[int] = field(default_factory=list)
    changes: list[DayChange] = field(default_factory=list)
    renamed: int = 0
    moved: list[MovedCase] = field(default_factory=list)


def _lock(session: Session) -> None:
    """One sync or administrator's change of the calendar at a time (SQLite: its single writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_LOCK_KEY})


def _sync_year(session: Session, year: int, now: datetime, result: SyncResult) -> None:
    rows = {h.day: h for h in year_rows(session, year)}
    wanted = {day: (name, name_en) for day, name, name_en in package_days(year)}
    for day, (name, name_en) in wanted.items():
        row = rows.get(day)
        if row is None:
            session.add(Holiday(day=day, name=name, name_en=name_en, source=HolidaySource.PACKAGE.value))
            result.changes.append(DayChange(day, name, name_en, off=True))
        elif row.source == HolidaySource.PACKAGE and (row.name, row.name_en) != (name, name_en):
            row.name, row.name_en = name, name_en
            result.renamed += 1
        # An administrator's row (added or removed) stays as they left it.
    for day, row in rows.items():
        if row.source == HolidaySource.PACKAGE and day not in wanted:
            result.changes.append(DayChange(day, row.name, row.name_en, off=False))
            session.delete(row)
    loaded = session.get(CalendarYear, year)
    if loaded is None:
        session.add(CalendarYear(year=year, loaded_at=now, package_version=package_version()))
    else:
        loaded.loaded_at, loaded.package_version = now, package_version()
    result.years.append(year)


def sync(session: Session, years, *, now: datetime | None = None, by: audit.By | None = None,
         audited: bool = True) -> SyncResult:
    """Load the package's days off of ``years`` and move the due dates of the open cases they change. The
    audit log records a sync that changed something (``audited=False``: a test database being built)."""
    now = now or datetime.now(UTC)
    _lock(session)
    before = all_days_off(session)
    result = SyncResult()
    for year in sorted(set(years)):
        _sync_year(session, year, now, result)
    session.flush()
    result.moved = recompute_open_cases(session, before, all_days_off(session), result.changes, WHY_SYNC, now)
    if audited and (result.changes or result.renamed or result.moved):
        audit.change(session, by or audit.By(), "holiday.sync", target_type="holiday",
                     details={"years": result.years, "version": package_version(),
                              "added": [c.day for c in result.changes if c.off],
                              "removed": [c.day for c in result.changes if not c.off],
                              "renamed": result.renamed, "cases_moved": [m.code for m in result.moved]},
                     now=now)
    return result


def years_to_keep(today: date, days: int = KEEP_AHEAD_DAYS) -> list[int]:
    """This year, the next, and any year the next ``days`` days reach."""
    return sorted({today.year, today.year + 1, (today + timedelta(days=days)).year})


def keep_ahead(session: Session, *, now: datetime | None = None) -> SyncResult:
    """Load the years of :func:`years_to_keep` that are not loaded yet (the worker calls this)."""
    now = now or datetime.now(UTC)
    missing = [y for y in years_to_keep(bangkok_today(now)) if y not in loaded_years(session)]
    return sync(session, missing, now=now) if missing else SyncResult()


def add_day(session: Session, day: date, name: str, *, name_en: str = "", by: audit.By,
            now: datetime | None = None) -> tuple[Holiday, list[MovedCase]]:
    """An administrator's day off (the Cabinet's special day, a local day). A day they removed before is
    a day off again, under the name given now."""
    now = now or datetime.now(UTC)
    _lock(session)
    row = session.scalar(select(Holiday).where(Holiday.day == day))
    if row is not None and row.is_day_off:
        raise DomainError(_l("%(day)s is in the calendar already.", day=day.isoformat()), field="day")
    before = all_days_off(session)
    if row is None:
        row = Holiday(day=day)
        session.add(row)
    row.name, row.name_en, row.source = name, name_en, HolidaySource.ADMIN_ADDED.value
    session.flush()
    moved = recompute_open_cases(session, before, all_days_off(session), [DayChange(day, name, name_en, True)],
                                 WHY_ADMIN, now)
    details: dict = {"day": row.day, "name": row.name}
    if moved:
        details["cases_moved"] = [m.code for m in moved]
    audit.change(session, by, "admin.holiday.create", target_type="holiday", target_id=row.id, details=details,
                 now=now)
    return row, moved


def add_days(session: Session, days: list[tuple[date, str]], *, now: datetime | None = None) -> list[MovedCase]:
    """Several administrator's days at once (the CSV import): one recomputation, no audit entry (the
    import writes its own)."""
    now = now or datetime.now(UTC)
    _lock(session)
    before = all_days_off(session)
    existing = {h.day: h for h in session.scalars(select(Holiday).where(Holiday.day.in_([d for d, _ in days])))}
    for day, name in days:
        row = existing.get(day)
        if row is None:
            session.add(Holiday(day=day, name=name, source=HolidaySource.ADMIN_ADDED.value))
        elif not row.is_day_off:
            row.name, row.source = name, HolidaySource.ADMIN_ADDED.value
    session.flush()
    return recompute_open_cases(session, before, all_days_off(session),
                                [DayChange(d, n, "", True) for d, n in days], WHY_ADMIN, now)


def remove_day(session: Session, holiday: Holiday, *, by: audit.By, now: datetime | None = None) -> list[MovedCase]:
    """An administrator takes a day out of the days off. A package day stays as an ``admin_removed`` row,
    so that no sync brings it back; a day an administrator added is simply gone."""
    now = now or datetime.now(UTC)
    _lock(session)
    before = all_days_off(session)
    change = DayChange(holiday.day, holiday.name, holiday.name_en, off=False)
    audit.change(session, by, "admin.holiday.delete", target_type="holiday", target_id=holiday.id,
                 details={"day": holiday.day, "name": holiday.name, "source": holiday.source}, now=now)
    if holiday.day in {d for d, _, _ in package_days(holiday.day.year)}:
        holiday.source = HolidaySource.ADMIN_REMOVED.value
    else:
        session.delete(holiday)
    session.flush()
    return recompute_open_cases(session, before, all_days_off(session), [change], WHY_ADMIN, now)


def restore_day(session: Session, holiday: Holiday, *, by: audit.By, now: datetime | None = None) -> list[MovedCase]:
    """Undo an administrator's removal: the package's day is a day off again, under the package's names."""
    now = now or datetime.now(UTC)
    if holiday.is_day_off:
        return []
    _lock(session)
    before = all_days_off(session)
    names = {d: (n, e) for d, n, e in package_days(holiday.day.year)}
    audit.change(session, by, "admin.holiday.restore", target_type="holiday", target_id=holiday.id,
                 details={"day": holiday.day, "name": holiday.name}, now=now)
    if holiday.day in names:
        holiday.name, holiday.name_en = names[holiday.day]
        holiday.source = HolidaySource.PACKAGE.value
        change = [DayChange(holiday.day, holiday.name, holiday.name_en, off=True)]
    else:  # the package no longer has it: nothing to restore, the removal is forgotten
        session.delete(holiday)
        change = []
    session.flush()
    return recompute_open_cases(session, before, all_days_off(session), change, WHY_ADMIN, now)


# --- moving the due dates of open cases --------------------------------------------------------------


def _clock_starts(session: Session, cases: list[Case]) -> dict[int, date]:
    """The Bangkok date each case's resolve-by count starts from: its filing, or its last reopening."""
    starts = {c.id: to_bangkok(c.received_at).date() for c in cases}
    reopened = [c.id for c in cases if c.reopen_count]
    if reopened:
        rows = session.execute(select(CaseEvent.case_id, CaseEvent.created_at)
                               .where(CaseEvent.case_id.in_(reopened), CaseEvent.kind == actions.REOPEN.kind)
                               .order_by(CaseEvent.created_at))
        for case_id, at in rows:
            starts[case_id] = to_bangkok(at).date()
    return starts


def recompute_open_cases(session: Session, before: set[date], after: set[date], changes: list[DayChange],
                         why: str, now: datetime) -> list[MovedCase]:
    """Move the due dates of the open cases whose counted days include a changed day; each moved case gets
    an internal event saying why. Finished cases are left as they were judged."""
    changed = before ^ after
    if not changed:
        return []
    first = min(changed)
    cases = list(session.scalars(
        select(Case).where(Case.status.in_(OPEN_STATUSES),
                           or_(Case.resolve_due >= first,
                               (Case.status == AWAITING_ACKNOWLEDGEMENT) & (Case.ack_due >= first)))
        .order_by(Case.id)))
    starts = _clock_starts(session, cases)
    described = {c.day: c for c in changes}
    moved: list[MovedCase] = []
    for case in cases:
        filed_on = to_bangkok(case.received_at).date()
        ack = None
        if case.status == AWAITING_ACKNOWLEDGEMENT:
            new_ack = clock.moved_due(filed_on, case.ack_due, before, after)
            if new_ack != case.ack_due:
                ack = (case.ack_due, new_ack)
        start = starts[case.id]
        new_resolve = clock.moved_due(start, case.resolve_due, before, after)
        resolve = (case.resolve_due, new_resolve) if new_resolve != case.resolve_due else None
        if ack is None and resolve is None:
            continue
        window_start = min(filed_on, start)
        window_end = max(d for pair in (ack, resolve) if pair for d in pair)
        days = sorted(d for d in changed if window_start < d <= window_end and d.weekday() < 5)
        if ack:
            case.ack_due = ack[1]
        if resolve:
            case.resolve_due = resolve[1]
            if case.status == CLOCK_PAUSED and case.paused_since is not None and case.resolve_working_days is None:
                case.resolved_on_time = False if clock.late_when_paused(
                    to_bangkok(case.paused_since).date(), case.resolve_due) else None
        data = {
            "why": why,
            "ack": [ack[0].isoformat(), ack[1].isoformat()] if ack else None,
            "resolve": [resolve[0].isoformat(), resolve[1].isoformat()] if resolve else None,
            "days": [{"day": d.isoformat(), "off": d in after,
                      "name": described[d].name if d in described else "",
                      "name_en": described[d].name_en if d in described else ""} for d in days],
        }
        record_event(case, actions.DUE_DATES_MOVED, actor_kind=actions.Actor.SYSTEM.value, data=data, public=False,
                     now=now)
        moved.append(MovedCase(case.tracking_code, ack, resolve))
    session.flush()
    return moved
