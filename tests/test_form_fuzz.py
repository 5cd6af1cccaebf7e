"""Issue 9, proof: arbitrary text — NUL, lone surrogates, right-to-left overrides, 100,000 characters — in every
field of every public and staff form never gets a 5xx, and a refused request saves nothing.

The forms are not listed here: :mod:`tests.form_crawler` starts from every page of the URL map that takes no
argument (plus a case's pages), follows the links and collects each distinct form, so a new form is fuzzed as
soon as a page shows it. Each field of each form first gets a NUL, 100,000 characters and one more awkward
value in turn (a sweep that reaches every field); then Hypothesis picks a form, a field and any text. At the
end no stored text holds a character the guard refuses, and the audit log's chain is intact.
"""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, func, select

from eservice.domain import audit
from eservice.extensions import db
from eservice.input_guard import has_unstorable

from . import factories
from .form_crawler import crawl, endpoint, send, start_pages
from .web import csrf_token, english, post, signed_in_client, submission_token

AWKWARD = [
    "a\x00b",  # PostgreSQL cannot store a NUL
    "\ud800",  # a lone surrogate (sent as the bytes a careless client sends)
    "\u202egnp.exe\u202c",  # a right-to-left override
    "x" * 100_000,
    "ก" * 5001,
    "   ",
    "9" * 30,
    "0001-01-01",
    "9999-12-31",
    "\x1b[31m\x07",
    "-1",
    "²³",  # digits to str.isdigit(), not to int()
    "<script>alert(1)</script>",
    "{ita_nothing}",
]
TEXT = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=30),  # surrogates and controls included
    st.text(min_size=1, max_size=300),
    st.from_regex(r"\A[0-9 \-]{1,40}\Z"),
)


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _stored_unstorable(app) -> list[str]:
    """Text columns of every table holding a character the guard refuses (SQLite keeps whatever it is given)."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str) and has_unstorable(value):
                        found.append(f"{table.name}.{column.name}")
    return found


def _world(app):
    """Everything the forms need to show: cases in each state (open, awaiting the citizen, resolved, a named
    corruption report), measures, a canned reply, an Open311 key, a second officer."""
    from eservice.domain import canned_replies, integrity_membership, organisation
    from eservice.domain.audit import By
    from eservice.domain.thai import bangkok_today
    from eservice.models import Division, Holiday, HolidaySource, User
    from eservice.models.paper import PaperTotal

    from .open311_support import make_key

    factories.load_measures(app)
    staff_id = factories.make_user(app, "root", roles=("admin", "officer", "head", "integrity"),
                                   divisions=("engineering", "integrity"))
    factories.make_user(app, "somsak", roles=("officer",), divisions=("engineering",))
    cases = {
        "open": factories.new_case(app),
        "waiting": factories.new_case(app, actions=[("request_info", None)]),
        "resolved": factories.new_case(app, actions=[("resolve", None)]),
        "sealed": factories.new_case(app, case_type="corruption", anonymous=False, first_name="สมชาย",
                                     last_name="ใจดี", phone="0812345678"),
    }
    make_key(app)
    requester_id = factories.make_user(app, "ploy", roles=("admin",))
    with app.app_context():
        engineering = db.session.scalar(select(Division).where(Division.code == "engineering"))
        canned_replies.create(db.session, db.session.get(User, staff_id), engineering, "ขอบคุณ", "ได้รับเรื่องแล้ว")
        # A membership request another administrator made, for the crawl's integrity member to decide.
        somsak = db.session.scalar(select(User).where(User.username == "somsak"))
        integrity_membership.request_change(db.session, somsak, grant=True, by=By(db.session.get(User, requester_id)))
        # Paper totals before go-live (edit and delete forms) and a day off an administrator took out (restore).
        organisation.required(db.session).in_use_since = date(2025, 10, 1)
        db.session.add(PaperTotal(fiscal_year=2568, case_type="complaint", channel_code="phone", cases=3))
        year = bangkok_today().year  # the holidays page opens on this year: a day of it, whatever the database
        day = db.session.scalar(select(Holiday).where(Holiday.source == HolidaySource.PACKAGE,
                                                      Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
                                .order_by(Holiday.day).limit(1))
        day.source = HolidaySource.ADMIN_REMOVED
        db.session.commit()
    return staff_id, cases


def _clients(app):
    staff_id, cases = _world(app)
    staff = signed_in_client(app, staff_id)
    public = english(app.test_client())
    for case in (cases["waiting"], cases["resolved"]):  # the key holder's pages and their forms
        assert post(public, "/track", {"code": case.code, "key": case.key}).status_code in (302, 303)
    page = public.get("/file/complaint").get_data(as_text=True)
    filed = public.post("/file/complaint", data={  # the filer's own receipt, with its "I have kept it" form
        "csrf_token": csrf_token(page), "submission_token": submission_token(page), "service_code": "road",
        "description": "ถนนเป็นหลุม", "consent": "y", "anonymous": "y"})
    assert filed.status_code in (302, 303)
    staff_pages = [*(f"/staff/cases/{case.code}" for case in cases.values()), "/staff/record",
                   "/admin/ita/edit?fy=2568", "/admin/measures?fy=2568", "/admin/measures?fy=2569"]
    public_pages = ["/file/complaint", "/file/corruption", "/file/objection", "/track",
                    *(f"/track/{case.code}" for case in (cases["waiting"], cases["resolved"])),
                    filed.headers["Location"]]
    found = {"public": crawl(public, [*public_pages, *start_pages(app)])}
    found["staff"] = crawl(staff, [*staff_pages, *start_pages(app)])
    return {"public": public, "staff": staff}, found


def _check(app, client, form, field, value):
    before = _row_counts(app)
    response = send(client, form, {field: value})
    assert response.status_code < 500, (form.action, field, value[:40], response.status_code)
    if response.status_code == 400 and has_unstorable(value):
        assert _row_counts(app) == before, (form.action, field)  # refused: nothing at all was saved


# POST endpoints no crawled page shows a form for, and why; any other POST endpoint must be reached, so that a new
# form is fuzzed (or listed here with its reason).
NOT_CRAWLED = {
    "line.webhook": "LINE's signed JSON (tests/test_line_property.py)",
    "open311.post_requests": "the Open311 API (tests/test_open311_properties.py)",
    "staff.logout": "ends the session the crawl uses",
    "notifications.retry_message": "needs a mail that failed (tests/test_outbox.py)",
    "notifications.retry_all": "needs a mail that failed (tests/test_outbox.py)",
}


def test_every_form_of_the_url_map_is_reached(app):
    clients, forms = _clients(app)
    reached = {endpoint(app, form) for found in forms.values() for form in found}
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    missing = posting - reached - set(NOT_CRAWLED)
    assert not missing, sorted(missing)


def test_every_field_of_every_form_gets_every_awkward_value(app):
    clients, forms = _clients(app)
    assert len(forms["public"]) >= 5 and len(forms["staff"]) >= 30, {k: len(v) for k, v in forms.items()}
    turn = 0
    for who, found in forms.items():
        for form in found:
            for field in form.text_fields:
                # Every field gets a NUL and 100,000 characters (what broke PostgreSQL and SQLite), and one more
                # of the awkward values in turn.
                for value in dict.fromkeys((AWKWARD[0], AWKWARD[3], AWKWARD[turn % len(AWKWARD)])):
                    _check(app, clients[who], form, field, value)
                turn += 1
    assert _stored_unstorable(app) == []
    with app.app_context():
        assert audit.verify(db.session).ok


@pytest.mark.parametrize("who", ["public", "staff"])
def test_any_text_in_any_field(app, who):
    clients, forms = _clients(app)
    client, found = clients[who], [f for f in forms[who] if f.text_fields]

    @settings(max_examples=50, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data(), value=TEXT)
    def any_text(data, value):
        form = data.draw(st.sampled_from(found), label="form")
        field = data.draw(st.sampled_from(form.text_fields), label="field")
        _check(app, client, form, field, value)

    any_text()
    assert _stored_unstorable(app) == []
    with app.app_context():
        assert audit.verify(db.session).ok
