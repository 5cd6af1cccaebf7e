"""Helpers for the administration and measures-report tests: signed-in clients, forms sent with a real
CSRF token, cases filed through the real filing code, and the audit entries written."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from eservice.database import begin_write
from eservice.domain import workflow
from eservice.domain.filing import Intake, file_case
from eservice.extensions import db
from eservice.models import AuditEntry, Category

from .conftest import csrf_token

CATEGORY_FOR_TYPE = {"corruption": "bribery", "gift": "gift", "objection": "budget_spending"}


def token_for(client, url: str = "/admin/") -> str:
    """A CSRF token valid for this client's session, from any page with a form."""
    page = client.get(url)
    html = page.get_data(as_text=True)
    if 'name="csrf_token"' not in html:
        html = client.get("/file/complaint").get_data(as_text=True)
    return csrf_token(html)


def post(client, url: str, data: dict | None = None, *, token_page: str | None = None, **kwargs):
    """POST a form with a real CSRF token taken from ``token_page`` (by default the page itself)."""
    form = dict(data or {})
    form.setdefault("csrf_token", token_for(client, token_page or url))
    return client.post(url, data=form, **kwargs)


def english(client):
    client.get("/lang/en")
    return client


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def last_audit(app, action: str) -> AuditEntry:
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id.desc()).limit(1))
        assert entry is not None, f"no audit entry {action}"
        db.session.expunge(entry)
        return entry


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def make_case(app, case_type: str = "complaint", channel: str = "web", received: datetime | None = None,
              actions=(), rating=None) -> int:
    """File one case through the real filing code (any channel), then apply workflow ``actions``."""
    received = received or datetime(2025, 3, 3, 3, 0, tzinfo=UTC)  # FY2568
    with app.app_context():
        code = CATEGORY_FOR_TYPE.get(case_type, "road")
        intake = Intake(case_type=case_type, description="เรื่องทดสอบรายงาน",
                        category=db.session.scalar(select(Category).where(Category.code == code)),
                        channel_code=channel, received_at=received)
        begin_write(db.session)
        case = file_case(db.session, intake, now=received).case
        for action, moment in actions:
            workflow.transition(db.session, case, action, note="ทดสอบ", now=moment)
        if rating:
            score, answer, moment = rating
            workflow.rate(db.session, case, score, answer, now=moment)
        db.session.commit()
        return case.id
