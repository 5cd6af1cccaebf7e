"""Cases made for the statistics tests: filed at a given moment through the real filing code, then moved
through the real workflow at given moments, so the stored durations and flags are the ones production
writes."""

from datetime import UTC, datetime

from sqlalchemy import select

from eservice.database import begin_write
from eservice.domain import workflow
from eservice.domain.filing import Intake, file_case
from eservice.extensions import db
from eservice.models import Category, Division, Village

CATEGORY_FOR_TYPE = {"corruption": "bribery", "gift": "gift", "objection": "budget_spending"}


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def make_case(app, received: datetime, case_type: str = "complaint", channel: str = "web",
              category: str | None = None, village: int | None = None, actions=(), rating=None,
              subject_division: str | None = None) -> int:
    """File one case at ``received`` and apply ``actions`` [(action, moment), ...]; ``rating`` is
    (score, resolved answer, moment). Returns the case id."""
    with app.app_context():
        code = category or CATEGORY_FOR_TYPE.get(case_type, "road")
        intake = Intake(
            case_type=case_type,
            description="เรื่องทดสอบสถิติ",
            category=db.session.scalar(select(Category).where(Category.code == code)),
            village=db.session.scalar(select(Village).where(Village.number == village)) if village else None,
            channel_code=channel,
            received_at=received,
            subject_division=(db.session.scalar(select(Division).where(Division.code == subject_division))
                              if subject_division else None),
        )
        begin_write(db.session)
        case = file_case(db.session, intake, now=received).case
        for action, moment in actions:
            workflow.transition(db.session, case, action, note="ทดสอบ", now=moment)
        if rating:
            score, answer, moment = rating
            workflow.rate(db.session, case, score, answer, now=moment)
        db.session.commit()
        return case.id
