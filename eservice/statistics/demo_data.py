"""Demonstration cases: realistic, reproducible (seeded), fast enough for a million.

``flask --app eservice demo-data --cases N`` adds N cases spread over several fiscal years, every
channel, case type, category, village and month, with acknowledgements, answers, reopenings and
ratings, as a municipality's data looks after some years of use: weekdays busier than weekends, the
rainy season bringing drains and roads, the e-Service's share growing year by year, most cases
answered in time and some not, recent cases still open.

Rows go in with bulk Core inserts in batches; due dates and working-day durations come from a
working-day table built once from the holiday calendar (the same rules as eservice.domain.clock), so
the stored figures agree with what the workflow would have written. The same seed, case count and
window give the same cases.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from ..domain import clock, organisation
from ..domain.actions import ACKNOWLEDGE, ACTIONS, CLOSE, FILED, RESOLVE, START, Actor
from ..domain.case_types import CASE_TYPES
from ..domain.fiscal import fiscal_year_of, fiscal_year_period
from ..domain.thai import bangkok_today
from ..domain.tracking import format_tracking_code, series_for
from ..models import Case, CaseEvent, Category, Channel, Division, Holiday, Rating, TrackingSequence
from ..models import Village as VillageModel

BATCH = 20_000
EVENT_COLUMNS = ["case_id", "kind", "public", "actor_kind", "note", "status_from", "status_to", "data", "created_at"]
MIDNIGHT = time()
BANGKOK_OFFSET = timedelta(hours=7)
# No receipt key hashes to this: demo cases are found by code, never opened with a key.
NO_KEY_HASH = "0" * 64

TYPE_WEIGHTS = {"complaint": 46, "suggestion": 19, "inquiry": 27, "objection": 4, "corruption": 2.5, "gift": 1.5}
# Channels other than the web, by how often cases reach a subdistrict office that way.
OFFLINE_WEIGHTS = {"phone": 30, "walk_in": 26, "line": 15, "facebook": 8, "letter": 7, "suggestion_box": 4,
                   "referral": 6, "email": 2}
# Integrity reports come mostly through their protected web page.
INTEGRITY_CHANNELS = {"web": 70, "letter": 12, "phone": 6, "walk_in": 4, "referral": 8}
WEB_SHARE_FIRST, WEB_SHARE_LAST = 0.18, 0.46  # the e-Service's share grows over the years
# Seasons: the rains (June–October) bring drains and roads; the dry months (February–May) water.
SEASONAL = {
    "drainage": {6: 2.5, 7: 3, 8: 3.5, 9: 3.5, 10: 2.5},
    "road": {6: 1.4, 7: 1.6, 8: 1.8, 9: 1.8, 10: 1.5},
    "water_supply": {2: 2, 3: 2.8, 4: 3, 5: 2},
    "health_hazard": {6: 1.8, 7: 2, 8: 2},
    "disaster_relief": {8: 3, 9: 4, 10: 3, 3: 1.5, 4: 1.5},
    "tax": {4: 3, 5: 2, 6: 1.5},
}
MONTH_LOAD = {1: 0.95, 2: 0.9, 3: 1.0, 4: 0.85, 5: 1.0, 6: 1.1, 7: 1.15, 8: 1.25, 9: 1.25, 10: 1.15, 11: 0.95,
              12: 0.8}
SCORES = (5, 4, 3, 2, 1)
SCORE_WEIGHTS = (46, 34, 12, 5, 3)
RESOLVED_ANSWERS = {5: "yes", 4: "yes", 3: "partly", 2: "partly", 1: "no"}

DESCRIPTIONS = {
    "road": ["ถนนในหมู่บ้านเป็นหลุมเป็นบ่อ รถจักรยานยนต์ล้มบ่อย", "ทางเท้าชำรุด ขอให้ซ่อมแซม",
             "สะพานข้ามลำห้วยไม้ผุ เกรงว่าจะเกิดอันตราย"],
    "street_light": ["ไฟฟ้าส่องสว่างดับหลายต้น ถนนมืดในเวลากลางคืน", "เสาไฟเอียง สายไฟหย่อน"],
    "drainage": ["ท่อระบายน้ำอุดตัน น้ำท่วมขังหน้าบ้านหลังฝนตก", "รางระบายน้ำมีกลิ่นเหม็น"],
    "water_supply": ["น้ำประปาหมู่บ้านไม่ไหลมาสามวันแล้ว", "น้ำประปาขุ่น มีตะกอน"],
    "garbage": ["รถเก็บขยะไม่มาเก็บตามวันที่กำหนด", "มีการทิ้งขยะริมถนนเป็นจำนวนมาก"],
    "nuisance": ["เสียงดังจากร้านค้ายามวิกาล", "มีการเผาขยะ ควันรบกวนบ้านใกล้เคียง"],
    "stray_animals": ["สุนัขจรจัดไล่กัดเด็กนักเรียน"],
    "tax": ["สอบถามการชำระภาษีที่ดินและสิ่งปลูกสร้าง", "ขอทราบอัตราภาษีป้าย"],
}
GENERIC_DESCRIPTIONS = {
    "complaint": "ขอให้เทศบาลช่วยตรวจสอบและแก้ไขปัญหาโดยเร็ว",
    "suggestion": "ขอเสนอแนะให้เทศบาลปรับปรุงการให้บริการ",
    "inquiry": "ขอสอบถามข้อมูลและขั้นตอนการติดต่อราชการ",
    "objection": "ขอทักท้วงการใช้จ่ายงบประมาณในโครงการของเทศบาล",
    "corruption": "ขอแจ้งเบาะแสการกระทำที่อาจเข้าข่ายทุจริต",
    "gift": "ขอแจ้งเบาะแสการรับของขวัญของเจ้าหน้าที่",
}


@dataclass
class DemoReport:
    cases: int
    ratings: int
    events: int
    first_day: date
    last_day: date
    fiscal_years: list[int]


@dataclass(frozen=True)
class CategoryInfo:
    """What the generator needs of a category, read once (ORM attribute access is slow a million times)."""

    id: int
    code: str
    division_id: int
    ack_days: int
    resolve_days: int
    case_types: list[str]
    descriptions: tuple[str, ...]

    def __hash__(self) -> int:
        return self.id


class WorkingDays:
    """Working days as positions in a table, so that counting and adding them is a lookup."""

    def __init__(self, first: date, last: date, holidays: set[date]):
        self.first = first
        self.days: list[date] = []  # every working day in [first, last]
        self.index: list[int] = []  # for each calendar day: working days in [first, day]
        day, count = first, 0
        while day <= last:
            if day.weekday() < 5 and day not in holidays:
                self.days.append(day)
                count += 1
            self.index.append(count)
            day += timedelta(days=1)

    def upto(self, day: date) -> int:
        return self.index[(day - self.first).days]

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end], as clock.working_days_between."""
        return max(0, self.upto(end) - self.upto(start))

    def add(self, start: date, days: int) -> date:
        """As clock.add_working_days: ``days`` working days after ``start``."""
        # The first working day on or after ``start`` for 0; else counted on from ``start``.
        position = bisect.bisect_left(self.days, start) if days == 0 else self.upto(start) + days - 1
        if position >= len(self.days):
            return start + timedelta(days=days * 7 // 5 + 3)  # beyond the table: near enough for a demo
        return self.days[position]


def _weighted(rng: random.Random, weights: dict) -> Callable[[], object]:
    keys = list(weights)
    cumulative, total = [], 0.0
    for key in keys:
        total += weights[key]
        cumulative.append(total)

    def pick():
        return keys[bisect.bisect_right(cumulative, rng.random() * total)]

    return pick



def _step(row: dict, events: list, action, when: str) -> None:
    """The case moves by ``action`` (a registry entry) at ``when``: its status and its event."""
    events.append((action.kind, when, row["status"], action.target.value, Actor.STAFF.value))
    row["status"] = action.target.value

def generate(session: Session, n_cases: int, *, first_fy: int, last_fy: int, seed: int = 2568,
             today: date | None = None, progress: Callable[[int], None] | None = None) -> DemoReport:
    """Add ``n_cases`` demonstration cases received from the start of ``first_fy`` to the end of
    ``last_fy`` or ``today``, whichever is earlier. The caller commits."""
    rng = random.Random(seed)  # nosec B311  # made-up demonstration cases, repeatable from the seed; no secret
    today = today or bangkok_today()
    first_day = fiscal_year_period(first_fy).start
    last_day = min(fiscal_year_period(last_fy).end - timedelta(days=1), today)
    if last_day < first_day:
        raise ValueError("the window of fiscal years ends before it starts, or lies in the future")

    org = organisation.current(session)
    if org is None:
        raise ValueError("no organisation: run `flask --app eservice init` first")
    categories = [
        CategoryInfo(c.id, c.code, c.division_id, c.ack_days, c.resolve_days, c.case_types.split(),
                     tuple(DESCRIPTIONS.get(c.code, ())) or (c.name_th,))
        for c in session.scalars(select(Category).where(Category.active.is_(True))
                                 .order_by(Category.sort_order, Category.id))
    ]
    integrity = session.scalar(select(Division).where(Division.is_integrity_unit.is_(True)))
    villages = list(session.scalars(select(VillageModel.id).where(VillageModel.active.is_(True))
                                    .order_by(VillageModel.number)))
    channels = set(session.scalars(select(Channel.code)))
    holidays = set(session.scalars(select(Holiday.day).where(clock.days_off_clause())))
    calendar = WorkingDays(first_day - timedelta(days=7), max(today, last_day) + timedelta(days=400), holidays)

    # --- the days cases arrive on, weighted by weekday, holiday and month --------------------------
    days, day_weights = [], []
    day = first_day
    while day <= last_day:
        weight = MONTH_LOAD[day.month] * (1.0 if day.weekday() < 5 and day not in holidays else 0.3)
        days.append(day)
        day_weights.append(weight)
        day += timedelta(days=1)
    cumulative_days, total = [], 0.0
    for weight in day_weights:
        total += weight
        cumulative_days.append(total)
    received_days = sorted(days[bisect.bisect_right(cumulative_days, rng.random() * total)]
                           for _ in range(n_cases))

    pick_type = _weighted(rng, TYPE_WEIGHTS)
    pick_offline = _weighted(rng, {k: v for k, v in OFFLINE_WEIGHTS.items() if k in channels})
    pick_integrity_channel = _weighted(rng, {k: v for k, v in INTEGRITY_CHANNELS.items() if k in channels})
    village_weights = {v: 1.0 + (i * 7 % 5) * 0.4 for i, v in enumerate(villages)}
    pick_village = _weighted(rng, village_weights) if villages else (lambda: None)
    pick_score = _weighted(rng, dict(zip(SCORES, SCORE_WEIGHTS, strict=True)))
    # Acknowledged mostly the same or the next working day; answered mostly by resolving.
    pick_ack_after = _weighted(rng, {0: 58, 1: 27, 2: 9, 3: 4, 5: 2})
    pick_outcome = _weighted(rng, {"resolve": 91, "reject": 7, "mark_duplicate": 2})
    by_type = {code: [c for c in categories if code in c.case_types] for code in CASE_TYPES}
    pickers_by_month: dict[tuple[str, int], Callable] = {}

    def pick_category(case_type: str, month: int) -> CategoryInfo | None:
        key = (case_type, month)
        if key not in pickers_by_month:
            options = by_type.get(case_type) or []
            if not options:
                pickers_by_month[key] = lambda: None
            else:
                pickers_by_month[key] = _weighted(
                    rng, {c: SEASONAL.get(c.code, {}).get(month, 1.0) for c in options})
        return pickers_by_month[key]()

    objection_division = session.scalar(select(Division).where(Division.receives_objections.is_(True)))
    sequence = {(fy, series): n for fy, series, n in session.execute(
        select(TrackingSequence.fiscal_year, TrackingSequence.series, TrackingSequence.last_number))}
    next_id = (session.scalar(select(func.max(Case.id))) or 0) + 1
    span_days = max(1, (last_day - first_day).days)

    case_rows, event_rows, rating_rows = [], [], []
    totals = {"cases": 0, "ratings": 0, "events": 0}
    store = Storage(session.connection())
    filed_data = {code: store.json({"channel": code}) for code in channels}
    write_cases = store.writer(Case.__table__)
    write_events = store.writer(CaseEvent.__table__, EVENT_COLUMNS)
    write_ratings = store.writer(Rating.__table__)
    restore_indexes = store.without_indexes([Case.__table__, CaseEvent.__table__])

    def flush():
        write_cases(case_rows)
        write_events(event_rows)
        write_ratings(rating_rows)
        totals["cases"] += len(case_rows)
        totals["events"] += len(event_rows)
        totals["ratings"] += len(rating_rows)
        case_rows.clear()
        event_rows.clear()
        rating_rows.clear()
        if progress:
            progress(totals["cases"])

    # Times are naive UTC inside the generator (Storage adds the zone or writes UTC text). Bangkok is
    # UTC+7 all year, so its local time is a fixed offset away.
    random_ = rng.random

    day_base: dict[date, datetime] = {}

    def moment(day: date, office_hours: bool) -> datetime:
        # At the office from 08:30 to 16:30; on the web at any hour, most in the evening.
        seconds = 30600 + int(random_() * 28800) if office_hours else min(86399, int(rng.triangular(0, 86400, 72000)))
        base = day_base.get(day)
        if base is None:
            base = day_base[day] = datetime.combine(day, MIDNIGHT) - BANGKOK_OFFSET
        return base + timedelta(seconds=seconds)

    def local_day(moment_: datetime) -> date:
        return (moment_ + BANGKOK_OFFSET).date()

    def at_working_day(start: date, working_days: int) -> datetime:
        return moment(calendar.add(start, working_days), True)

    for received_day in received_days:
        case_type = pick_type()
        kind = CASE_TYPES[case_type]
        progress_in_window = (received_day - first_day).days / span_days
        if kind.confidential:
            channel = pick_integrity_channel()
        elif rng.random() < WEB_SHARE_FIRST + (WEB_SHARE_LAST - WEB_SHARE_FIRST) * progress_in_window:
            channel = "web"
        else:
            channel = pick_offline()
        category = pick_category(case_type, received_day.month)
        if kind.confidential:
            division_id = integrity.id
        elif category is not None:
            division_id = category.division_id
        else:
            division_id = objection_division.id
        confidential = kind.confidential
        # Sometimes the first division passes the case on (a transfer); it ends elsewhere.
        if not confidential and random_() < 0.03 and objection_division is not None:
            division_id = objection_division.id
        received_at = moment(received_day, channel not in ("web", "line", "facebook", "email"))
        received_text = store.datetime(received_at)
        fiscal_year = fiscal_year_of(received_day)
        series_key = (fiscal_year, series_for(confidential))
        sequence[series_key] = sequence.get(series_key, 0) + 1
        ack_days, resolve_days = clock.limits_for(category)
        ack_due = calendar.add(received_day, ack_days)
        resolve_due = calendar.add(received_day, resolve_days)
        age = calendar.between(received_day, today)

        row = {
            "id": next_id,
            "tracking_code": format_tracking_code(org.tracking_prefix, fiscal_year, sequence[series_key],
                                                  series_key[1]),
            "fiscal_year": fiscal_year,
            "number": sequence[series_key],
            "receipt_key_hash": NO_KEY_HASH,
            "case_type": case_type,
            "channel_code": channel,
            "category_id": category.id if category else None,
            "division_id": division_id,
            "village_id": None if confidential or random_() < 0.15 else pick_village(),
            "description": rng.choice(category.descriptions if category else (GENERIC_DESCRIPTIONS[case_type],)),
            "confidential": confidential,
            "status": FILED.target.value,
            "received_at": received_text,
            "received_month": received_day.year * 100 + received_day.month,
            "created_at": received_text,
            "ack_due": store.date(ack_due),
            "resolve_due": store.date(resolve_due),
            "acknowledged_at": None,
            "resolved_at": None,
            "closed_at": None,
            "paused_days": 0,
            "reopen_count": 0,
            "ack_working_days": None,
            "resolve_working_days": None,
            "acknowledged_on_time": None,
            "resolved_on_time": None,
            "rating_score": None,
        }
        # Events carry their time already in the stored form, made once for the case and its event.
        events = [(FILED.kind, received_text, None, FILED.target.value, Actor.CITIZEN.value)]

        ack_after = pick_ack_after()
        if ack_after <= age and random_() > 0.01:
            acknowledged_at = max(received_at, at_working_day(received_day, ack_after))
            ack_day = local_day(acknowledged_at)
            acknowledged_text = store.datetime(acknowledged_at)
            row.update(acknowledged_at=acknowledged_text,
                       ack_working_days=calendar.between(received_day, ack_day),
                       acknowledged_on_time=clock.answered_on_time(ack_day, ack_due))
            _step(row, events, ACKNOWLEDGE, acknowledged_text)

            # Answered: most within the limit, a tail late; some wait for the citizen first.
            if random_() < 0.06:
                row["paused_days"] = 1 + int(random_() * 6)
                resolve_due = calendar.add(resolve_due, row["paused_days"])
                row["resolve_due"] = store.date(resolve_due)
            if random_() < 0.86:
                answer_after = max(ack_after, int(rng.triangular(ack_after, resolve_days, resolve_days * 0.4)))
            else:
                answer_after = resolve_days + int(rng.expovariate(1 / max(3, resolve_days * 0.5))) + 1
            answer_after += row["paused_days"]
            if answer_after <= age:
                answered_at = max(acknowledged_at, at_working_day(received_day, answer_after))
                answer_day = local_day(answered_at)
                outcome = ACTIONS[pick_outcome()]
                row.update(resolve_working_days=max(0, calendar.between(received_day, answer_day)
                                                    - row["paused_days"]),
                           resolved_on_time=clock.answered_on_time(answer_day, resolve_due))
                answered_text = store.datetime(answered_at)
                _step(row, events, outcome, answered_text)
                if outcome is RESOLVE:
                    row["resolved_at"] = answered_text
                    if random_() < 0.03:
                        row["reopen_count"] = 1  # reopened once and answered again
                    if random_() < 0.38:
                        score = pick_score()
                        row["rating_score"] = score
                        rated_at = answered_at + timedelta(hours=1 + int(random_() * 96))
                        rating_rows.append({"case_id": next_id, "score": score,
                                            "resolved": RESOLVED_ANSWERS[score], "comment": "",
                                            "created_at": store.datetime(rated_at)})
                    close_after = answer_after + 3 + int(random_() * 10)
                    if close_after <= age and random_() < 0.6:
                        closed_at = at_working_day(received_day, close_after)
                        closed_text = store.datetime(max(closed_at, answered_at))
                        row["closed_at"] = closed_text
                        _step(row, events, CLOSE, closed_text)
            elif random_() < 0.5:
                _step(row, events, START, acknowledged_text)

        for kind_, when, status_from, status_to, actor_kind in events:
            event_rows.append((next_id, kind_, True, actor_kind, "", status_from, status_to,
                               filed_data[channel] if kind_ == FILED.kind else None, when))
        case_rows.append(row)
        next_id += 1
        if len(case_rows) >= BATCH:
            flush()
    flush()
    restore_indexes()

    for (fiscal_year, series), number in sequence.items():
        updated = session.execute(update(TrackingSequence).where(TrackingSequence.fiscal_year == fiscal_year,
                                                                 TrackingSequence.series == series)
                                  .values(last_number=number))
        if not updated.rowcount:
            session.add(TrackingSequence(fiscal_year=fiscal_year, series=series, last_number=number))
    session.flush()
    _advance_sequences(session)
    return DemoReport(totals["cases"], totals["ratings"], totals["events"], first_day, last_day,
                      list(range(fiscal_year_of(first_day), fiscal_year_of(last_day) + 1)))


class Storage:
    """Values as the database stores them. On SQLite the generator writes what SQLAlchemy itself would
    store (UTC text with microseconds, ISO dates, JSON text) and hands whole rows to the driver's
    executemany, which for a million rows is several times faster than binding each value through
    SQLAlchemy's type processors. Elsewhere values stay Python objects for a Core ``insert()``."""

    def __init__(self, connection):
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"

    def datetime(self, value: datetime | None):
        """``value`` is a naive UTC time (the generator's own, for speed)."""
        if value is None:
            return None
        return value.isoformat(" ", "microseconds") if self.sqlite else value.replace(tzinfo=UTC)

    def date(self, value: date):
        return value.isoformat() if self.sqlite else value

    def json(self, value):
        return json.dumps(value, ensure_ascii=False) if self.sqlite and value is not None else value

    def writer(self, table, names: list[str] | None = None) -> Callable[[list], None]:
        """Insert many rows into ``table``: dicts with the same keys in the same order, or tuples in
        the order of ``names``. On SQLite, columns the rows leave out get their column's plain default,
        as a Core insert would give."""
        columns: list[str] = list(names or [])

        if not self.sqlite:
            statement = insert(table)

            def write_core(rows: list) -> None:
                if rows:
                    if not isinstance(rows[0], dict):
                        rows = [dict(zip(columns, row, strict=True)) for row in rows]
                    self.connection.execute(statement, rows)

            return write_core

        defaults: dict = {}
        sql: list[str] = []

        def write_sqlite(rows: list) -> None:
            if not rows:
                return
            if not sql:
                if not columns:
                    columns.extend(rows[0])
                for column in table.columns:
                    if column.name in columns or column.primary_key:
                        continue
                    if column.default is not None and column.default.is_scalar:
                        defaults[column.name] = column.default.arg
                    elif column.default is not None or not column.nullable:
                        raise RuntimeError(f"demo data: give {table.name}.{column.name} a value in demo_data.py")
                every = columns + list(defaults)
                # Table and column names come from the models, the values are bound parameters.
                statement = f'INSERT INTO "{table.name}" ({", ".join(every)}) VALUES ({", ".join("?" * len(every))})'  # nosec B608
                sql.append(statement)
            extra = tuple(defaults.values())
            if isinstance(rows[0], dict):
                values = [tuple(row.values()) + extra for row in rows]
            else:
                values = [row + extra for row in rows] if extra else rows
            self.connection.exec_driver_sql(sql[0], values)

        return write_sqlite

    def without_indexes(self, tables):
        """On SQLite, drop the tables' plain indexes for the load and build them again after it, in the
        same transaction (a failed load gives them back): building an index once over sorted rows is
        much faster than updating it a million times."""
        dropped = [index for table in tables for index in table.indexes if not index.unique] if self.sqlite else []
        for index in dropped:
            index.drop(self.connection)

        def restore():
            for index in dropped:
                index.create(self.connection)

        return restore


def _advance_sequences(session: Session) -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not move: move them past."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ('"case"',):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608  # a constant
                             f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))


def digest(session: Session) -> str:
    """A fingerprint of the demonstration cases, to show that the same seed gives the same data."""
    rows = session.execute(
        select(Case.tracking_code, Case.case_type, Case.channel_code, Case.category_id, Case.village_id,
               Case.status, Case.received_at, Case.resolve_working_days).order_by(Case.id)
    )
    hasher = hashlib.sha256()
    for row in rows:
        hasher.update(repr(tuple(row)).encode())
    return hasher.hexdigest()
