"""The one place tests make rows: staff users, cases (filed through the real filing code and moved through
the real workflow), the seed's measures, uploads; and the few read-backs of what was written.

Every factory takes the app and works in its own app context, or in the caller's if that is already the
app's (so a test inside ``with app.app_context():`` keeps one session and sees what it made).
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from io import BytesIO
from typing import NamedTuple

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from eservice.database import begin_write
from eservice.domain import actions, workflow
from eservice.domain import roles as staff_roles
from eservice.domain.audit import By
from eservice.domain.filing import Intake, file_case
from eservice.extensions import db
from eservice.models import AuditEntry, Case, Category, Division, User, Village

PASSWORD = "correct horse battery"
# The app hashes with Werkzeug's scrypt defaults (N=2**15, about 0.3-0.7 s a hash here). Users made by the
# factory carry a real scrypt hash with a small work factor, made once per password, so signing them in
# checks a real hash without costing a second; the app's own paths (create-user, the admin's user pages,
# password change) still hash with the production parameters, and their tests see those.
TEST_PASSWORD_METHOD = "scrypt:1024:8:1"


@functools.cache
def password_hash(password: str) -> str:
    return generate_password_hash(password, method=TEST_PASSWORD_METHOD)

CATEGORY_FOR_TYPE = {"corruption": "bribery", "gift": "gift", "objection": "budget_spending"}
BY_TYPE = "by-type"  # category default: the usual category of the case type (road for ordinary cases)

# A named citizen with an e-mail address, for the mail tests (the text must never leave the system).
DESCRIPTION = "ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก SECRET-CONTENT-1234"
CITIZEN = {"anonymous": False, "first_name": "สมชาย", "last_name": "ใจดี", "phone": "0812345678",
           "email": "somchai@example.com", "description": DESCRIPTION}


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@contextmanager
def session_for(app) -> Iterator[Session]:
    """The app's session: the caller's when it is already inside this app's context, else a new context."""
    if has_app_context() and current_app._get_current_object() is app:
        yield db.session
    else:
        with app.app_context():
            yield db.session


def _division(session, code: str | None) -> Division | None:
    return session.scalar(select(Division).where(Division.code == code)) if code else None


# --- staff users ----------------------------------------------------------------------------------------


def make_user(app, username="officer1", roles=("officer",), divisions=(), *, password=PASSWORD,
              display_name="", **attributes) -> int:
    """A staff user signed in with ``password``; other User columns (email, locale, wants_daily_digest,
    active) as keywords. Returns the user id."""
    unknown = staff_roles.unknown(roles)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))}")
    with session_for(app) as session:
        user = User(username=username, display_name=display_name or username, roles=" ".join(sorted(set(roles))),
                    password_hash=password_hash(password),
                    divisions=[_division(session, code) for code in divisions], **attributes)
        session.add(user)
        session.commit()
        return user.id


def update_row(app, model, row_id, **values) -> None:
    """Set columns of one row straight in the database (what no page or domain function sets)."""
    with session_for(app) as session:
        row = session.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)
        session.commit()


def set_user(app, user_id, **values) -> None:
    update_row(app, User, user_id, **values)


def set_case(app, case_id, **values) -> None:
    update_row(app, Case, case_id, **values)


# The mail tests' staff: engineering officer and head, a health officer, integrity, an administrator.
MAIL_STAFF = {
    "officer": ("somsak", "Somsak", ("officer",), ("engineering",)),
    "head": ("wichai", "Wichai", ("officer", "head"), ("engineering",)),
    "health": ("malee", "Malee", ("officer",), ("health",)),
    "integrity": ("kanda", "Kanda", ("integrity",), ("integrity",)),
    "admin": ("admin", "Admin", ("admin",), ()),
}


def mail_staff(app, keys=tuple(MAIL_STAFF)) -> dict[str, int]:
    """Staff reading English with an address ``<key>@borplathong.go.th``: {key: user id}."""
    people = {}
    for key in keys:
        username, display_name, roles, divisions = MAIL_STAFF[key]
        people[key] = make_user(app, username, roles, divisions, display_name=display_name,
                                email=f"{key}@borplathong.go.th", locale="en")
    return people


# --- cases ---------------------------------------------------------------------------------------------


class FiledCase(NamedTuple):
    id: int
    code: str
    key: str  # the citizen's receipt key


def new_case(app, *, case_type="complaint", category=BY_TYPE, description="ไฟถนนดับทั้งซอย",
             now: datetime | None = None, channel="web", village: int | None = None,
             subject_division: str | None = None, anonymous=True, first_name="", last_name="", phone="",
             email="", locale="th", files=(), actor_id: int | None = None, actions=(), rating=None,
             before_commit: Callable[[Session, Case], None] | None = None) -> FiledCase:
    """File a case through :func:`eservice.domain.filing.file_case` as received at ``now`` (default: now),
    then apply workflow ``actions`` [(action, moment), ...] and a ``rating`` (score, resolved answer,
    moment). ``category`` is a code, None for none, or by default the usual one for the case type.
    ``before_commit(session, case)`` runs last, before the commit (e.g. to fail on purpose)."""
    with session_for(app) as session:
        code = CATEGORY_FOR_TYPE.get(case_type, "road") if category == BY_TYPE else category
        intake = Intake(
            case_type=case_type,
            description=description,
            category=session.scalar(select(Category).where(Category.code == code)) if code else None,
            village=session.scalar(select(Village).where(Village.number == village)) if village else None,
            subject_division=_division(session, subject_division),
            channel_code=channel,
            received_at=now,
            anonymous=anonymous,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            email=email,
            locale=locale,
            files=list(files),
        )
        begin_write(session)
        actor = session.get(User, actor_id) if actor_id else None
        filed = file_case(session, intake, by=By(actor) if actor else None, now=now)
        case = filed.case
        for action, moment in actions:
            workflow.transition(session, case, action, note="ทดสอบ", now=moment)
        if rating:
            score, answer, moment = rating
            workflow.rate(session, case, score, answer, now=moment)
        if before_commit is not None:
            before_commit(session, case)
        session.commit()
        return FiledCase(case.id, case.tracking_code, filed.receipt_key)


def seed_case(app, *, received_at: datetime | None = None, **fields) -> str:
    """An anonymous web case by default; returns its tracking code."""
    return new_case(app, now=received_at, **fields).code


def citizen_case(app, **fields) -> FiledCase:
    """A case filed by :data:`CITIZEN` (named, with an e-mail address) unless ``fields`` say otherwise."""
    return new_case(app, **{**CITIZEN, **fields})


def make_case(app, received: datetime = utc(2025, 3, 3, 3), case_type="complaint", channel="web", category=BY_TYPE,
              **fields) -> int:
    """A case received at ``received`` (default 3 March 2025, fiscal year 2568) for the statistics and the
    measures report; returns its id."""
    return new_case(app, now=received, case_type=case_type, channel=channel, category=category,
                    **{"description": "เรื่องทดสอบสถิติ", **fields}).id


def apply_action(app, case_id, action, *, actor_id=None, note="", public=True, change=None, now=None) -> None:
    """A workflow transition, or (for actions that are not transitions) a recorded event, committed.
    ``change(session, case)`` runs first, e.g. to set the assignee or the division."""
    with session_for(app) as session:
        begin_write(session)
        case = session.get(Case, case_id)
        actor = session.get(User, actor_id) if actor_id else None
        if change is not None:
            change(session, case)
        if actions.get(action) is not None and actions.get(action).changes_status:
            workflow.transition(session, case, action, actor=actor, note=note, public=public, now=now)
        else:
            workflow.record_event(case, action, actor=actor, actor_kind=None if actor else "citizen", note=note,
                                  public=public, now=now)
        session.commit()


# --- reference data beyond the schema's own --------------------------------------------------------------


def load_measures(app):
    """The seed's measures report (not part of the per-test reference data: its loading has tests)."""
    from eservice.domain.measures import load_measures_data

    with session_for(app) as session:
        load_measures_data(session, app.config["REFERENCE_DATA"])
        session.commit()
    return app


# --- uploads ---------------------------------------------------------------------------------------------


def make_jpeg(with_gps: bool = False, size=(64, 48)) -> bytes:
    """A real JPEG; with ``with_gps`` it carries an EXIF GPS block like a phone photo."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 120, 40))
    out = BytesIO()
    if with_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (14.0, 30.0, 0.0)
        gps[3] = "E"
        gps[4] = (103.0, 50.0, 0.0)
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def make_pdf(*, info: dict | None = None, xmp: bool = False, encrypted: bool = False,
             script: str | None = None) -> bytes:
    """A real one-page PDF (pikepdf). ``info``: document information (``{"/Author": "..."}``); ``xmp``: an XMP
    metadata stream naming the writer; ``encrypted``: a user password; ``script``: where a JavaScript goes
    ("names" the document's JavaScript name tree, "open" an OpenAction, "aa" a page's additional action,
    "annotation" a link's action)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    for key, value in (info or {}).items():
        pdf.docinfo[key] = value
    if xmp:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:creator"] = ["Somchai Writer"]
    action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi')"))
    if script == "names":
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("x"), pdf.make_indirect(action)])))
    elif script == "open":
        pdf.Root.OpenAction = pdf.make_indirect(action)
    elif script == "aa":
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=action)
    elif script == "annotation":
        pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 50, 50], A=action))])
    out = BytesIO()
    if encrypted:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    else:
        pdf.save(out)
    return out.getvalue()


MINIMAL_PDF = make_pdf()


# --- reading back what was written -----------------------------------------------------------------------


def load_case(app, code) -> Case:
    """The case with its events, reporter, division, attachments and original, detached."""
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
        _ = case.events, case.reporter, case.division, case.attachments, case.duplicate_of
        db.session.expunge_all()
        return case


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return rows


def last_audit(app, action: str) -> AuditEntry:
    entries = audit_entries(app, action)
    assert entries, f"no audit entry {action}"
    return entries[-1]


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))
