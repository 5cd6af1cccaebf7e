"""Guards against N+1 queries: the staff queue, the staff case page, the citizen's tracking page and the
heads' daily digest issue as many SQL statements for 30 cases (or 30 events) as for 3."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from eservice.database import begin_write
from eservice.domain import case_actions, clock
from eservice.domain.filing import add_citizen_information
from eservice.domain.uploads import CleanFile
from eservice.extensions import db
from eservice.models import Case, User
from eservice.notifications.sla import digest_snapshot

from .factories import make_jpeg, make_user, new_case, set_case
from .web import signed_in_client

ENGINEERING = ("road", "street_light", "drainage", "water_supply", "building")
MONDAY = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)


@pytest.fixture
def people(app):
    """The engineering head who reads the queue and the digest, and three officers to assign cases to."""
    head = make_user(app, "head", ("officer", "head"), ("engineering",), wants_daily_digest=True)
    officers = [make_user(app, f"officer{n}", ("officer",), ("engineering",)) for n in range(3)]
    return head, officers


def add_cases(app, officers, start: int, stop: int, now=None):
    """Cases ``start``..``stop``-1 across the engineering categories, villages, officers and statuses."""
    codes = []
    for n in range(start, stop):
        moment = now or datetime.now(UTC) - timedelta(days=n % 9)
        filed = new_case(app, category=ENGINEERING[n % len(ENGINEERING)], village=n % 12 + 1, now=moment,
                         channel=("web", "phone", "walk_in")[n % 3],
                         actions=[("acknowledge", moment)] if n % 2 else ())
        set_case(app, filed.id, assigned_to_id=officers[n % len(officers)] if n % 4 else None,
                 priority=("normal", "high", "urgent", "low")[n % 4])
        codes.append(filed.code)
    return codes


def statements(count_queries, app, action):
    action()  # once first, so that nothing the first call warms up is counted
    with count_queries(app) as counted:
        action()
    return counted


def test_the_queue_does_not_query_per_case(app, people, count_queries):
    head, officers = people
    client = signed_in_client(app, head)

    def queue():
        assert client.get("/staff/").status_code == 200

    add_cases(app, officers, 0, 3)
    few = statements(count_queries, app, queue)
    add_cases(app, officers, 3, 30)  # more than a page (25): the page is full
    many = statements(count_queries, app, queue)
    assert many.count == few.count, (few, many)


def test_the_case_page_does_not_query_per_event_file_or_duplicate(app, people, count_queries):
    head, officers = people
    client = signed_in_client(app, head)
    code = add_cases(app, officers, 0, 1)[0]

    def case_page():
        assert client.get(f"/staff/cases/{code}").status_code == 200

    def add_events(start, stop):
        """Notes, replies, assignments, priorities, the citizen's photos, and duplicates merged in, through
        the domain functions the case page's forms call."""
        for i in range(start, stop):
            kind = i % 6
            other = new_case(app, category="road", description=f"the same road {i}").code if kind == 5 else None
            with app.app_context():
                session = db.session
                begin_write(session)
                case = session.scalar(select(Case).where(Case.tracking_code == code))
                user = session.get(User, head)
                if kind == 0:
                    case_actions.internal_note(session, case, user, text=f"note {i}")
                elif kind == 1:
                    assignee = session.get(User, officers[i // 6 % len(officers)])
                    case_actions.assign(session, case, user, assignee=assignee)
                elif kind == 2:
                    case_actions.public_reply(session, case, user, text=f"reply {i}", confirmed=True)
                elif kind == 3:
                    case_actions.set_priority(session, case, user, priority=("high", "urgent", "low")[i // 6 % 3])
                elif kind == 4:
                    add_citizen_information(session, case, f"photo {i}", [_photo(f"p{i}.jpg")])
                else:
                    duplicate = session.scalar(select(Case).where(Case.tracking_code == other))
                    case_actions.mark_duplicate(session, duplicate, user, original_code=code)
                session.commit()

    add_events(0, 6)  # one of each
    few = statements(count_queries, app, case_page)
    add_events(6, 36)
    many = statements(count_queries, app, case_page)
    assert many.count == few.count, (few, many)


def test_the_citizens_tracking_page_does_not_query_per_event(app, count_queries):
    filed = new_case(app)
    client = app.test_client()
    with client.session_transaction() as session:
        session["tracked"] = [filed.id]

    def tracking_page():
        assert client.get(f"/track/{filed.code}").status_code == 200

    def add_information(n):
        with app.app_context():
            case = db.session.get(Case, filed.id)
            for i in range(n):
                add_citizen_information(db.session, case, f"photo {i}", [_photo(f"p{i}.jpg")])
            db.session.commit()

    add_information(3)
    few = statements(count_queries, app, tracking_page)
    add_information(27)
    many = statements(count_queries, app, tracking_page)
    assert many.count == few.count, (few, many)


def test_the_daily_digest_does_not_query_per_case(app, people, count_queries):
    head, officers = people
    today = date(2025, 1, 8)

    def digest():
        with app.app_context():
            holidays = clock.holidays_from(db.session, today)
            snapshot = digest_snapshot(db.session, db.session.get(User, head), today, holidays)
            db.session.rollback()
        return snapshot

    add_cases(app, officers, 0, 3, now=MONDAY - timedelta(days=14))
    few = statements(count_queries, app, digest)
    add_cases(app, officers, 3, 30, now=MONDAY - timedelta(days=14))
    many = statements(count_queries, app, digest)
    (section,) = digest()["divisions"]
    assert section["open"] == 30
    listed = section["overdue"] + section["due_soon"]
    assert len(listed) >= 20 and {c["category_en"] for c in listed} >= {"Damaged roads, footpaths or bridges"}
    assert many.count == few.count, (few, many)


def _photo(name):
    return CleanFile(filename=name, content_type="image/jpeg", data=make_jpeg())
