"""Issue 9, proof: arbitrary text — NUL, lone surrogates, right-to-left overrides, 100,000 characters — in every
field of every public and staff form never gets a 5xx, and a refused request saves nothing.

The forms are not listed here: :mod:`tests.form_crawler` starts from every page of the URL map that takes no
argument (plus a case's pages), follows the links and collects each distinct form, so a new form is fuzzed as
soon as a page shows it. Each field of each form first gets one of the awkward values in turn (a sweep that
reaches every field); then Hypothesis picks a form, a field and any text. At the end no stored text holds a
character the guard refuses, and the audit log's chain is intact.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, func, select

from eservice.domain import audit
from eservice.extensions import db
from eservice.input_guard import has_unstorable

from . import factories
from .form_crawler import crawl, send, start_pages
from .web import english, signed_in_client

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
    """Everything a staff member of every role can see: a case, measures, a second user."""
    factories.load_measures(app)
    staff_id = factories.make_user(app, "root", roles=("admin", "officer", "head", "integrity"),
                                   divisions=("engineering", "integrity"))
    factories.make_user(app, "somsak", roles=("officer",), divisions=("engineering",))
    case = factories.new_case(app)
    return staff_id, case


def _clients(app):
    staff_id, case = _world(app)
    staff = signed_in_client(app, staff_id)
    public = english(app.test_client())
    case_pages = [f"/staff/cases/{case.code}", "/staff/record", "/admin/ita/edit?fy=2568", "/admin/measures?fy=2568"]
    public_pages = ["/file/complaint", "/file/corruption", "/file/objection", "/track"]
    found = {"public": crawl(public, [*public_pages, *start_pages(app)])}
    found["staff"] = crawl(staff, [*case_pages, *start_pages(app)])
    return {"public": public, "staff": staff}, found


def _check(app, client, form, field, value):
    before = _row_counts(app)
    response = send(client, form, {field: value})
    assert response.status_code < 500, (form.action, field, value[:40], response.status_code)
    if response.status_code == 400 and has_unstorable(value):
        assert _row_counts(app) == before, (form.action, field)  # refused: nothing at all was saved


def test_every_field_of_every_form_gets_every_awkward_value(app):
    clients, forms = _clients(app)
    assert len(forms["public"]) >= 5 and len(forms["staff"]) >= 30, {k: len(v) for k, v in forms.items()}
    turn = 0
    for who, found in forms.items():
        for form in found:
            for field in form.text_fields:
                _check(app, clients[who], form, field, AWKWARD[turn % len(AWKWARD)])
                turn += 1
    assert _stored_unstorable(app) == []
    with app.app_context():
        assert audit.verify(db.session).ok


@pytest.mark.parametrize("who", ["public", "staff"])
def test_any_text_in_any_field(app, who):
    clients, forms = _clients(app)
    client, found = clients[who], [f for f in forms[who] if f.text_fields]

    @settings(max_examples=40, deadline=None, database=None,
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
