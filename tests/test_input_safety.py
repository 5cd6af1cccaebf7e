"""Issue 9, items 4 and 5: text that cannot be stored is refused in one place (eservice/input_guard.py) with a
readable answer, and out-of-range input (ids, pages, dates, blank choices, huge CSV fields) gets a message or a
404, never a 500 — on SQLite and on PostgreSQL."""

import json
import re

import pytest
from sqlalchemy import func, select

from eservice.extensions import db
from eservice.input_guard import DB_INT_MAX, bounded_int, has_unstorable
from eservice.models import AuditEntry, Case, Division

from . import factories
from .form_crawler import encode
from .web import csrf_token, english, post, signed_in_client

BIG = "9" * 30


def _post_raw(client, url, pairs):
    return client.post(url, data=encode(pairs), content_type="application/x-www-form-urlencoded")


def _cases(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


# --- item 4: one check for every request -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "x\x1by", "\x7f", "\ud800", "ok\udfffok", "\ufffe"])
def test_unstorable_characters_are_recognised(text):
    assert has_unstorable(text)


@pytest.mark.parametrize("text", ["ถนนเป็นหลุม", "line one\r\nline two\tand a tab", "\u202eevil", "x" * 1000, ""])
def test_ordinary_text_passes(text):
    assert not has_unstorable(text)


@pytest.mark.parametrize("url", ["/track?code=BPT%00", "/staff/?q=%00", "/admin/audit?action=a%00b",
                                 "/admin/audit?actor=%01", "/stats?fy=%00", "/admin/stats?start=%00"])
def test_a_nul_in_a_query_string_is_refused_with_a_readable_page(app, make_user, url):
    client = signed_in_client(app, make_user("root", roles=("admin", "officer"), divisions=("engineering",)))
    response = client.get(url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This text cannot be kept" in page and "NUL" in page


@pytest.mark.parametrize("url", ["/track/BPT%00", "/receipt/%00x", "/open311/v2/requests/%00.json",
                                 "/open311/v2/services/a%01.json", "/file/%00"])
def test_a_nul_in_the_address_is_refused(client, url):
    assert client.get(url).status_code == 400


def test_a_nul_in_a_staff_address_is_refused(app, make_user):
    client = signed_in_client(app, make_user("root", roles=("admin", "officer"), divisions=("engineering",)))
    assert client.get("/staff/cases/BPT-2568-%00").status_code == 400


def test_the_refusal_speaks_thai_by_default(client):
    response = client.get("/track?code=%00")
    assert response.status_code == 400
    assert "<html lang=\"th\"" in response.get_data(as_text=True)
    assert "This text cannot be kept" not in response.get_data(as_text=True)


def test_a_nul_in_the_staff_sign_in_is_refused_and_nothing_is_recorded(app, client, make_user):
    make_user("somchai")
    token = csrf_token(english(client).get("/staff/login").get_data(as_text=True))
    before = factories.audit_count(app)
    response = _post_raw(client, "/staff/login", [("csrf_token", token), ("username", "som\x00chai"),
                                                  ("password", "x")])
    assert response.status_code == 400
    assert "This text cannot be kept" in response.get_data(as_text=True)
    assert factories.audit_count(app) == before


@pytest.mark.parametrize("field", ["description", "first_name", "address_string", "service_code", "village",
                                   "anonymous", "weird\x00name"])
def test_a_nul_in_any_filing_field_files_nothing(app, client, field):
    page = english(client).get("/file/complaint").get_data(as_text=True)
    from .web import submission_token

    form = {"csrf_token": csrf_token(page), "submission_token": submission_token(page), "service_code": "road",
            "description": "ถนนเป็นหลุม", "consent": "y", "anonymous": "y"}
    form[field] = form.get(field, "") + "\x00"
    response = _post_raw(client, "/file/complaint", list(form.items()))
    assert response.status_code == 400
    assert _cases(app) == 0


def test_a_lone_surrogate_in_a_json_body_is_refused(app, client):
    # No page takes JSON today; the check covers a JSON body all the same (e.g. a future API).
    response = client.post("/track", data=json.dumps({"code": "\ud800"}), content_type="application/json")
    assert response.status_code == 400


def test_the_line_webhook_reads_its_own_body(app):
    """LINE signs its body and a chat's text is cleaned when processed: the guard leaves the body to it."""
    from eservice.input_guard import OWN_BODY

    assert getattr(app.view_functions["line.webhook"], OWN_BODY, False)


def test_open311_answers_in_its_own_format(app, client):
    response = client.get("/open311/v2/requests.json?service_request_id=%00")
    assert response.status_code == 400
    body = response.get_json()
    assert body[0]["code"] == 400 and body[0]["description"].startswith("service_request_id: ")
    response = client.get("/open311/v2/services.xml?jurisdiction_id=%01")
    assert response.status_code == 400 and response.content_type.startswith("text/xml")


def test_open311_checks_its_own_body_after_capping_it(app):
    from eservice.input_guard import OWN_BODY

    assert getattr(app.view_functions["open311.post_requests"], OWN_BODY, False)
    from .open311_support import make_key

    before = _cases(app)
    response = app.test_client().post("/open311/v2/requests.json", data={
        "api_key": make_key(app), "service_code": "road", "description": "a\x00", "lat": "14", "long": "102"})
    assert response.status_code == 400 and response.get_json()[0]["description"].startswith("description: ")
    assert _cases(app) == before


def test_a_forged_forwarded_address_is_not_stored(make_app, make_user):
    app = make_app(TRUSTED_PROXIES=1)
    user_id = make_user("somchai")
    client = app.test_client()
    factories_token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", data={"csrf_token": factories_token, "username": "somchai",
                                                 "password": factories.PASSWORD},
                           headers={"X-Forwarded-For": "x" * 500})
    assert response.status_code in (302, 303)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == user_id)).first()
        assert entry is not None and entry.ip_address == ""


# --- item 5: out of range ---------------------------------------------------------------------------------


def test_bounded_int():
    assert bounded_int("12") == 12
    assert bounded_int(BIG) is None
    assert bounded_int(str(DB_INT_MAX)) == DB_INT_MAX
    assert bounded_int(str(DB_INT_MAX + 1)) is None
    assert bounded_int("   ") is None
    assert bounded_int("-3", 1) == 1
    assert bounded_int("๓") is None  # Thai digits are digits to Python, not to the database
    assert bounded_int("0", 1, low=1) == 1


@pytest.mark.parametrize("url", [
    f"/admin/users/{BIG}", f"/admin/divisions/{BIG}", f"/admin/measures/{BIG}", f"/admin/categories/{BIG}",
    f"/admin/villages/{BIG}", f"/admin/channels/{BIG}", f"/admin/api-keys/{BIG}", f"/staff/canned/{BIG}",
    f"/admin/users/{DB_INT_MAX + 1}",
])
def test_a_thirty_digit_id_in_an_address_is_404(app, make_user, url):
    client = signed_in_client(app, make_user("root", roles=("admin", "officer"), divisions=("engineering",)))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [f"/admin/users/{BIG}/password", f"/admin/measures/{BIG}/delete",
                                 f"/admin/measures/{BIG}/move", f"/admin/holidays/{BIG}/delete",
                                 f"/admin/outbox/{BIG}/retry", f"/staff/canned/{BIG}/delete",
                                 f"/admin/api-keys/{BIG}/revoke"])
def test_a_thirty_digit_id_in_a_post_is_404(app, make_user, url):
    client = signed_in_client(app, make_user("root", roles=("admin", "officer"), divisions=("engineering",)))
    assert post(client, url, token_page="/admin/").status_code == 404


def test_file_ids_of_thirty_digits_are_404(app, client, make_user):
    case = factories.new_case(app)
    staff = signed_in_client(app, make_user("root", roles=("admin", "officer", "head"), divisions=("engineering",)))
    assert staff.get(f"/staff/cases/{case.code}/files/{BIG}").status_code == 404
    assert client.get(f"/track/{case.code}/files/{BIG}").status_code == 404


@pytest.mark.parametrize("field,value", [("assignee", BIG), ("assignee", "   ")])
def test_assign_with_an_impossible_officer_is_refused(app, make_user, field, value):
    from .web import act

    head = make_user("head", roles=("officer", "head"), divisions=("engineering",))
    case = factories.new_case(app)
    client = signed_in_client(app, head)
    response = act(client, case.code, "assign", **{field: value})
    assert response.status_code < 500


@pytest.mark.parametrize("value", [BIG, "   "])
def test_transfer_to_an_impossible_division_is_refused(app, make_user, value):
    from .web import act

    head = make_user("head", roles=("officer", "head"), divisions=("engineering",))
    case = factories.new_case(app)
    response = act(signed_in_client(app, head), case.code, "transfer", division=value, reason="ผิดกอง")
    assert response.status_code == 422


@pytest.mark.parametrize("page", [BIG, "-1", "0", "abc", str(DB_INT_MAX), "%00"])
def test_audit_and_queue_pages_out_of_range(app, make_user, page):
    client = signed_in_client(app, make_user("root", roles=("admin", "officer"), divisions=("engineering",)))
    assert client.get(f"/admin/audit?page={page}").status_code in (200, 400)
    assert client.get(f"/staff/?page={page}").status_code in (200, 400)


@pytest.mark.parametrize("name", ["action", "actor", "target_type", "target_id", "ip_address"])
def test_a_huge_audit_filter_gets_a_message(app, make_user, name):
    client = signed_in_client(app, make_user("root", roles=("admin",)))
    response = client.get(f"/admin/audit?{name}=" + "x" * 100_000)
    assert response.status_code == 422
    assert "Keep it under 200 characters." in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "0000-01-01", "10000-01-01"])
def test_extreme_dates_in_the_audit_log_get_a_message(app, make_user, day):
    client = signed_in_client(app, make_user("root", roles=("admin",)))
    for name in ("start", "end"):
        response = client.get(f"/admin/audit?{name}={day}")
        assert response.status_code == 422
        assert 'class="error' in response.get_data(as_text=True) or "field-error" in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_dates_in_the_statistics_ranges_get_a_message(app, make_user, day):
    client = signed_in_client(app, make_user("root", roles=("admin",)))
    for url in (f"/admin/stats?period=range&start={day}&end=2025-01-01",
                f"/admin/stats?period=range&start=2025-01-01&end={day}",
                f"/admin/stats/export.csv?period=range&start={day}&end={day}",
                f"/admin/stats/export.xlsx?period=range&start=2025-01-01&end={day}"):
        assert client.get(url).status_code == 400, url
    for fy in (BIG, "0", "99999", "", "   ", "abc"):
        assert client.get(f"/admin/stats?fy={fy}").status_code in (200, 400)
        assert client.get(f"/stats?fy={fy}").status_code in (200, 400)


@pytest.mark.parametrize("blank", ["   ", "\t"])
def test_a_village_or_division_of_only_spaces(app, client, make_user, blank):
    from .web import submission_token

    page = client.get("/file/objection").get_data(as_text=True)
    response = client.post("/file/objection", data={
        "csrf_token": csrf_token(page), "submission_token": submission_token(page), "service_code": "budget_spending",
        "description": "งบประมาณถนน", "consent": "y", "anonymous": "y", "village": blank,
        "subject_division": blank}, follow_redirects=True)
    assert response.status_code == 200
    assert _cases(app) == 1
    officer = signed_in_client(app, make_user("officer", roles=("officer",), divisions=("engineering",)))
    page = officer.get("/staff/record/complaint").get_data(as_text=True)
    response = officer.post("/staff/record/complaint", data={
        "csrf_token": csrf_token(page), "submission_token": submission_token(page), "service_code": "road",
        "channel": "phone", "received_on": "2025-01-31", "description": "ถนนเป็นหลุม", "consent": "y",
        "anonymous": "y", "village": blank}, follow_redirects=True)
    assert response.status_code < 500


@pytest.mark.parametrize("blank", ["   ", BIG])
def test_a_division_whose_parent_is_only_spaces(app, make_user, blank):
    client = signed_in_client(app, make_user("root", roles=("admin",)))
    with app.app_context():
        division_id = db.session.scalar(select(Division.id).where(Division.code == "engineering"))
    response = post(client, f"/admin/divisions/{division_id}", {"name_th": "กองช่าง", "parent_id": blank,
                                                                 "sort_order": "1", "active": "y"})
    assert response.status_code in (302, 303, 422)


def test_a_holiday_csv_with_a_huge_field_gets_a_message(app, make_user):
    client = signed_in_client(app, make_user("root", roles=("admin",)))
    text = "2025-12-31," + "ก" * (200 * 1024) + "\n"
    response = post(client, "/admin/holidays/import", {"import-text": text}, token_page="/admin/holidays")
    assert response.status_code == 422
    response = post(client, "/admin/holidays/import", {"import-text": '2025-12-31,"' + "x" * (140 * 1024)},
                    token_page="/admin/holidays")
    assert response.status_code == 422


# --- item 5: an ITA question that measure texts name ------------------------------------------------------


def _remove_participation(admin):
    from .test_measures_admin import ita_form

    values = {**ita_form(admin), "action": "save"}
    row = next(name[:-len("_key")] for name, value in values.items()
               if name.startswith("q") and name.endswith("_key") and value == "participation")
    values.update({f"{row}_{part}": "" for part in ("key", "label_th", "label_en", "score", "change")})
    return post(admin, "/admin/ita/edit?fy=2568", values)


def test_removing_an_ita_question_that_measures_name_is_refused(app, admin, seeded):
    entries = factories.audit_count(app)
    response = _remove_participation(admin)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The question “participation” is named in the texts of these measures: 2568 " in html
    assert factories.audit_count(app) == entries
    assert admin.get("/admin/report?fy=2568").status_code == 200


def test_a_question_named_by_no_measure_can_be_removed(app, admin, seeded):
    from eservice.models.measures import Measure

    with app.app_context():
        named = re.compile(r"\{ita_participation[^{}]*\}")  # the figure, its change, any filter
        for measure in db.session.scalars(select(Measure)):
            for text in ("title", "period", "responsible", "results", "outcome"):
                setattr(measure, text, named.sub("", getattr(measure, text) or ""))
            measure.methods = [named.sub("", item) for item in measure.methods or []]
        db.session.commit()
    assert _remove_participation(admin).status_code == 302


def test_a_figure_that_vanished_prints_as_a_visible_placeholder(app, admin, seeded):
    from eservice.models.measures import ItaScore

    with app.app_context():  # removed behind the application's back
        db.session.execute(ItaScore.__table__.delete().where(ItaScore.key == "participation"))
        db.session.commit()
    for url in ("/admin/report?fy=2568", "/admin/report.html?fy=2568", "/admin/report.docx?fy=2568"):
        response = admin.get(url)
        assert response.status_code == 200, url
    html = admin.get("/admin/report?fy=2568").get_data(as_text=True)
    assert "{ita_participation}" in html


# --- operations -----------------------------------------------------------------------------------------


def test_healthz_is_ok_on_a_writable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_healthz_is_503_when_the_database_cannot_be_written(make_app, tmp_path):
    from .test_citizen_filing import _read_only_app

    app = _read_only_app(make_app, tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "read-only"}


def test_healthz_leaves_no_transaction_open(app, client):
    assert client.get("/healthz").status_code == 200
    factories.make_user(app, "after-health")  # a writer right after is not locked out


@pytest.mark.parametrize(("argv", "environ", "workers"), [
    (["/usr/bin/gunicorn", "-w", "4", "-b", "127.0.0.1:8000", "eservice:create_app()"], {}, 4),
    (["gunicorn", "--workers=3", "eservice:create_app()"], {}, 3),
    (["gunicorn", "-w2", "eservice:create_app()"], {}, 2),
    (["gunicorn", "eservice:create_app()"], {"GUNICORN_CMD_ARGS": "--workers 5"}, 5),
    (["gunicorn", "eservice:create_app()"], {"WEB_CONCURRENCY": "6"}, 6),
    (["gunicorn", "eservice:create_app()"], {}, 1),
    (["flask", "--app", "eservice", "run"], {"WEB_CONCURRENCY": "6"}, 0),
])
def test_gunicorn_workers_are_counted(argv, environ, workers):
    from eservice.deployment import gunicorn_workers

    assert gunicorn_workers(argv, environ) == workers


def test_memory_rate_limits_with_several_workers_are_reported_at_start_up(app, caplog, monkeypatch):
    from eservice import create_app
    from eservice.deployment import warn_about_rate_limits

    argv = ["gunicorn", "-w", "4", "eservice:create_app()"]
    app.config.update(RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ENABLED=True)
    with caplog.at_level("WARNING", logger="eservice.deployment"):
        assert warn_about_rate_limits(app, argv, {})
    assert "4 gunicorn workers" in caplog.text and "RATELIMIT_STORAGE_URI" in caplog.text
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    assert not warn_about_rate_limits(app, argv, {})
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    assert not warn_about_rate_limits(app, ["gunicorn", "-w", "1", "x"], {})
    # create_app itself says it, reading the real command line
    caplog.clear()
    monkeypatch.setattr("sys.argv", argv)
    with caplog.at_level("WARNING", logger="eservice.deployment"):
        create_app({**app.config, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert "4 gunicorn workers" in caplog.text


def test_the_rate_limit_storage_is_read_from_the_environment(monkeypatch, tmp_path):
    from eservice import create_app

    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://?from=env")
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/0")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://?from=env"


def test_the_sqlite_file_and_the_instance_folder_are_private(monkeypatch, tmp_path):
    import os
    import stat

    from flask import Flask

    from eservice import create_app

    instance = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(instance))
    for key in ("DATABASE_URL", "SECRET_KEY", "FLASK_SQLALCHEMY_DATABASE_URI"):
        monkeypatch.delenv(key, raising=False)
    old = os.umask(0o022)  # a usual service umask: files 0644, folders 0755
    try:
        app = create_app()
        with app.app_context():
            db.create_all()
            db.session.execute(select(1))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    finally:
        os.umask(old)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'eservice.db'}"
    assert stat.S_IMODE(os.stat(instance).st_mode) == 0o700
    assert (instance / "eservice.db").exists() and (instance / "secret_key").exists()
    for name in ("eservice.db", "eservice.db-wal", "eservice.db-shm", "secret_key"):
        if (instance / name).exists():
            assert stat.S_IMODE(os.stat(instance / name).st_mode) == 0o600, name


def test_a_configured_sqlite_file_is_made_private_too(tmp_path):
    import os
    import stat

    from eservice.database import private_sqlite_file

    old = os.umask(0o022)
    try:
        private_sqlite_file(f"sqlite:///{tmp_path / 'new' / 'e.db'}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "new" / "e.db").st_mode) == 0o600


@pytest.mark.parametrize("url", ["/admin/measures?fy=%C2%B2", "/admin/holidays?year=%C2%B2%C2%B3",
                                 "/admin/ita?fy=%C2%B2", "/admin/report?fy=%C2%B2", "/staff/?page=%C2%B2"])
def test_superscript_digits_are_not_numbers(app, make_user, url):
    """``"²".isdigit()`` is true but ``int("²")`` fails: every such check is ``isdecimal()``."""
    client = signed_in_client(app, make_user("root", roles=("admin", "officer"), divisions=("engineering",)))
    assert client.get(url).status_code < 500


def test_a_superscript_version_or_question_number_is_refused(app, make_user, seeded):
    from .test_measures_admin import ita_form
    from .web import act

    head = make_user("head", roles=("officer", "head", "admin"), divisions=("engineering",))
    client = signed_in_client(app, head)
    case = factories.new_case(app)
    assert act(client, case.code, "note", version="²", note="x").status_code < 500
    values = {**ita_form(client), "q²_key": "x", "action": "save"}
    assert post(client, "/admin/ita/edit?fy=2568", values).status_code < 500
