"""``flask --app eservice sla-check``: reminders, escalations and the heads' daily digest.

- **Reminder** to whoever works on a case (its assignee, else its division) when it is one working day
  or less from its due date: the acknowledge-by date while it is ``received``, the resolve-by date while
  the clock runs (``received``, ``acknowledged``, ``in_progress``; never while waiting for the citizen).
- **Escalation** to the division's heads once that date has passed.
- Each once per case, threshold and due date (:class:`~eservice.models.outbox.SlaNotice`, unique), however
  often the check runs: by cron, by hand, or every ``SLA_CHECK_INTERVAL_SECONDS`` in the worker.
- **Digest**: on working days from ``DIGEST_HOUR`` (Bangkok), one mail per day to each head who opted in
  (``User.wants_daily_digest``): per division, the open, due-soon and overdue cases.

Runs in one transaction; on PostgreSQL an advisory lock lets only one check run at a time, on SQLite the
write lock does the same.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session, selectinload

from ..database import begin_write
from ..domain import clock, notify, policy
from ..domain.statuses import AWAITING_ACKNOWLEDGEMENT, CLOCK_RUNNING, OPEN_STATUSES
from ..domain.thai import bangkok_today, to_bangkok
from ..models import Case, User
from ..models.outbox import DigestMark, SlaNotice
from .render import staff_case_url

SLA_LOCK_KEY = 7_311_005  # names the advisory lock on PostgreSQL
REMINDER_WORKING_DAYS = 1


@dataclass
class SlaResult:
    reminders: int = 0
    escalations: int = 0
    digests: int = 0
    mails: int = 0


def threshold_for(stage: str, due: date, today: date, holidays: set[date]) -> str | None:
    if clock.is_overdue(due, today):
        return f"{stage}_overdue"
    if clock.working_days_between(today, due, holidays) <= REMINDER_WORKING_DAYS:
        return f"{stage}_reminder"
    return None


def run_sla_check(session: Session, *, now: datetime | None = None, digests: bool = True) -> SlaResult:
    now = now or datetime.now(UTC)
    today = bangkok_today(now)
    result = SlaResult()
    begin_write(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SLA_LOCK_KEY})
    holidays = clock.holidays_from(session, today - timedelta(days=7))
    horizon = clock.add_working_days(today, REMINDER_WORKING_DAYS, holidays)

    candidates = session.scalars(
        select(Case)
        .where(
            or_(
                and_(Case.status == AWAITING_ACKNOWLEDGEMENT, Case.ack_due <= horizon),
                and_(Case.status.in_(CLOCK_RUNNING), Case.resolve_due <= horizon),
            )
        )
        .order_by(Case.id)
    ).all()
    if candidates:
        done = {
            (n.case_id, n.threshold, n.due_on)
            for n in session.scalars(select(SlaNotice).where(SlaNotice.case_id.in_([c.id for c in candidates])))
        }
        for case in candidates:
            for stage, due in clock.deadlines(case):
                threshold = threshold_for(stage, due, today, holidays)
                if threshold is None or (case.id, threshold, due) in done:
                    continue
                session.add(SlaNotice(case_id=case.id, threshold=threshold, due_on=due, created_at=now))
                result.mails += notify.queue(session, notify.sla_rows(session, case, threshold, due))
                if threshold.endswith("_reminder"):
                    result.reminders += 1
                else:
                    result.escalations += 1
    if digests:
        _digests(session, now, today, holidays, result)
    session.commit()
    return result


# --- the daily digest --------------------------------------------------------------------------------


def _digests(session: Session, now: datetime, today: date, holidays: set[date], result: SlaResult) -> None:
    if to_bangkok(now).hour < current_app.config["DIGEST_HOUR"] or not clock.is_working_day(today, holidays):
        return
    heads = [
        u
        for u in session.scalars(select(User).where(User.active.is_(True), User.wants_daily_digest.is_(True)))
        if policy.is_division_head(u)
    ]
    if not heads:
        return
    marked = set(session.scalars(select(DigestMark.user_id).where(DigestMark.day == today)))
    for head in heads:
        if head.id in marked:
            continue
        row = notify.staff_row(head, None, "digest", data=digest_snapshot(session, head, today, holidays))
        if row is None:
            continue
        session.add(DigestMark(user_id=head.id, day=today, created_at=now))
        result.mails += notify.queue(session, [row])
        result.digests += 1


def digest_snapshot(session: Session, head: User, today: date, holidays: set[date]) -> dict:
    """What the digest shows, frozen when it is queued: per division the head leads, the open cases
    (count), and those due soon or overdue (code, category, due date, link). Sealed reports only
    ever appear as numbers."""
    soon_limit = clock.due_soon_limit(today, holidays)
    divisions = [d for d in head.divisions if d.id in policy.division_ids(head)]
    sections = []
    for division in sorted(divisions, key=lambda d: (d.sort_order, d.id)):
        cases = session.scalars(
            select(Case)
            .where(Case.division_id == division.id, Case.status.in_(OPEN_STATUSES))
            .options(selectinload(Case.category))
            .order_by(Case.id)
        ).all()
        visible = [c for c in cases if policy.can_view_case(head, c)]
        section = {
            "name_th": division.name("th"),
            "name_en": division.name("en"),
            "open": len(visible),
            "sealed_open": sum(1 for c in visible if c.confidential),
            "overdue": [],
            "due_soon": [],
            "sealed_overdue": 0,
            "sealed_due_soon": 0,
        }
        for case in visible:
            bucket = clock.deadline_state(case, today, holidays, soon_limit)
            if bucket not in ("overdue", "due_soon"):
                continue  # on track, or the clock is paused while the office waits for the citizen
            due = clock.next_due(case)
            if case.confidential:
                section[f"sealed_{bucket}"] += 1
                continue
            section[bucket].append(
                {
                    "code": case.tracking_code,
                    "due_on": due.isoformat(),
                    "stage": clock.next_stage(case),
                    "category_th": case.category.name("th") if case.category else "",
                    "category_en": case.category.name("en") if case.category else "",
                    "url": staff_case_url(case),
                }
            )
        sections.append(section)
    return {"day": today.isoformat(), "divisions": sections}
