"""Fixtures: an app on a fresh database per test, clients with real CSRF tokens, a counter of SQL
statements, and a real SMTP server.

The database is built once per session: on SQLite (the default) a template file with the schema and the
reference data is copied into each test's folder; on PostgreSQL (``ESERVICE_TEST_DATABASE_URL``) the
schema is created once and each test starts from emptied tables, sequences back at 1 and freshly loaded
reference data, as on a new database. Rows are made with
:mod:`tests.factories`; HTTP helpers are in :mod:`tests.web`.
"""

import functools
import os
import pathlib
import shutil
import sqlite3
import threading
from contextlib import contextmanager

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.orm import Session

from eservice import create_app, normalise_database_url
from eservice.config import Defaults
from eservice.domain import days_off
from eservice.domain.reference import load_reference_data
from eservice.domain.thai import bangkok_today
from eservice.extensions import db as _db

from . import factories
from .web import csrf_token, extract, log_in_session, submission_token

PG_URL = os.environ.get("ESERVICE_TEST_DATABASE_URL")
# Every test database has the official days off of these years loaded, as `flask init` and the worker keep
# them on a live site (tests of a missing year delete one).
CALENDAR_YEARS = range(2024, bangkok_today().year + 3)


def load_test_data(session, reference: str) -> None:
    """The reference data and the official days off of :data:`CALENDAR_YEARS`."""
    load_reference_data(session, reference)
    days_off.sync(session, CALENDAR_YEARS, audited=False)

# A test database need not survive a crash of its server: commits do not wait for the write-ahead log to
# reach the disk (what they make visible, and when, is the same).
PG_CONNECT_ARGS = {"options": "-c synchronous_commit=off"}
PG_TEST_ENGINE_OPTIONS = {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": PG_CONNECT_ARGS}}


def _base_config(tmp_path) -> dict:
    url = normalise_database_url(PG_URL) if PG_URL else f"sqlite:///{tmp_path / 'test.db'}"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SUPPRESS_SEND": True,
        "SERVER_NAME": None,
        **(PG_TEST_ENGINE_OPTIONS if PG_URL else {}),
    }


def reset_database(app) -> None:
    """Drop and build the whole schema with reference data, for a database the suite does not manage
    (bench/ uses it); the tests get theirs from :class:`FreshDatabases`."""
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        load_test_data(_db.session, app.config["REFERENCE_DATA"])
        _db.session.commit()


class FreshDatabases:
    """Hands each test an empty schema with the reference data, built once per session."""

    def __init__(self, folder):
        self.folder = folder
        self.templates: dict[str, str] = {}  # reference data file -> SQLite template
        self.lock = threading.Lock()
        self.pg_engine = None
        self.pg_schema_ready = False

    def prepare(self, config: dict) -> bool:
        """Make the database ``config`` names fresh before its first app is made; False if it is not
        one the suite manages (then the caller resets it the slow way)."""
        url = make_url(config["SQLALCHEMY_DATABASE_URI"])
        reference = config.get("REFERENCE_DATA", Defaults.REFERENCE_DATA)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(url.database + suffix):
                    os.remove(url.database + suffix)
            shutil.copyfile(self._sqlite_template(reference), url.database)
            return True
        if PG_URL and url == make_url(normalise_database_url(PG_URL)):
            self._empty_postgresql(reference)
            return True
        return False

    def _sqlite_template(self, reference: str) -> str:
        with self.lock:
            if reference not in self.templates:
                path = os.path.join(self.folder, f"template-{len(self.templates)}.db")
                app = create_app({**_base_config(pathlib.Path(self.folder)), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                                  "REFERENCE_DATA": reference})
                with app.app_context():
                    _db.create_all()
                    load_test_data(_db.session, reference)
                    _db.session.commit()
                    _db.session.remove()
                    _db.engine.dispose()
                # One self-contained file: fold the write-ahead log in and leave WAL mode, so that copying
                # the file alone copies everything (each test's app turns WAL on again when it connects).
                connection = sqlite3.connect(path)
                try:
                    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    connection.execute("PRAGMA journal_mode = DELETE")
                finally:
                    connection.close()
                self.templates[reference] = path
            return self.templates[reference]

    def _empty_postgresql(self, reference: str) -> None:
        if self.pg_engine is None:
            self.pg_engine = create_engine(normalise_database_url(PG_URL), connect_args=PG_CONNECT_ARGS)
        if not self.pg_schema_ready:
            self._build_postgresql_schema()
        with Session(self.pg_engine) as session:
            # A connection left in a transaction by an earlier test would make this wait for ever.
            session.execute(text("SET LOCAL lock_timeout = '20s'"))
            # DELETE, not TRUNCATE: TRUNCATE ... RESTART IDENTITY CASCADE makes new files for every table,
            # index and sequence, about 1 s a test on this machine; deleting the few rows a test leaves
            # takes some 30 ms. Every sequence then starts again at 1, as on a new database.
            for table in reversed(_db.metadata.sorted_tables):
                session.execute(table.delete())
            session.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                                 "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"))
            load_test_data(session, reference)
            session.commit()

    def _build_postgresql_schema(self) -> None:
        import eservice.models  # noqa: F401  (every table on the metadata)

        with self.pg_engine.begin() as connection:
            _db.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            _db.metadata.create_all(connection)
        self.pg_schema_ready = True

    def schema_changed(self) -> None:
        """A test dropped or migrated the schema itself: the next test builds it again."""
        self.pg_schema_ready = False

    def close(self) -> None:
        if self.pg_engine is not None:
            self.pg_engine.dispose()


# --- making an app per test cheaply ---------------------------------------------------------------------
# Each test gets its own app, so each would compile every template it renders and every URL rule's
# builder again. The compiled forms do not depend on the app: one bytecode cache for the templates and one
# memo of the rule builders serve the whole session.


class SharedBytecodeCache(BytecodeCache):
    """Jinja's compiled templates in memory, shared by every app of the session (checked against the
    template's source, as any bytecode cache is)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = SharedBytecodeCache()


@pytest.fixture(scope="session", autouse=True)
def _shared_url_rule_builders():
    """Werkzeug compiles two Python functions for every URL rule of every new app; for a rule without
    defaults they depend only on the rule's parsed parts, so equal rules share them."""
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder
    builders = {}

    def compile_builder(self, append_unknown=True):
        if self.defaults:
            return original(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in builders:
            builders[key] = original(self, append_unknown)
        return builders[key]

    Rule._compile_builder = compile_builder
    yield
    Rule._compile_builder = original


@pytest.fixture(scope="session")
def fresh_databases(tmp_path_factory):
    databases = FreshDatabases(str(tmp_path_factory.mktemp("template")))
    yield databases
    databases.close()


@pytest.fixture
def make_app(tmp_path, fresh_databases):
    """Build an app with extra config; the first app of a test gets a fresh database, later ones share it."""
    apps = []

    def factory(**overrides):
        config = _base_config(tmp_path)
        config.update(overrides)
        prepared = fresh_databases.prepare(config) if not apps else True
        app = create_app(config)
        app.jinja_env.bytecode_cache = TEMPLATE_CACHE
        if not prepared:
            reset_database(app)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _db.session.remove()
            for engine in _db.engines.values():
                engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


class QueryCount:
    """The SQL statements an engine ran while counting."""

    def __init__(self):
        self.statements: list[str] = []

    def record(self, _conn, _cursor, statement, _parameters, _context, _executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        listing = "\n".join(f"  {n}. {s.strip()[:200]}" for n, s in enumerate(self.statements, 1))
        return f"{self.count} statements:\n{listing}"


@pytest.fixture
def count_queries():
    """``with count_queries(app) as counted:`` ... ``counted.count``: the statements the app's engines
    executed inside the block (every cursor execute, BEGIN included), for N+1 guards."""

    @contextmanager
    def counting(app):
        counted = QueryCount()
        with app.app_context():
            engines = list(_db.engines.values())
        for engine in engines:
            event.listen(engine, "before_cursor_execute", counted.record)
        try:
            yield counted
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", counted.record)

    return counting


@pytest.fixture
def file_case(client):
    """File a case through the real form (GET for the tokens, then POST). Returns (response, code, key)."""

    def _file(case_type="complaint", data=None, files=None, expect_ok=True):
        page = client.get(f"/file/{case_type}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        form = {
            "csrf_token": csrf_token(html),
            "submission_token": submission_token(html),
            "service_code": factories.CATEGORY_FOR_TYPE.get(case_type, "road"),
            "description": "ถนนหน้าบ้านเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย",
            "consent": "y",
            "anonymous": "y",
        }
        form.update(data or {})
        form = {k: v for k, v in form.items() if v is not None}
        if files:
            form["media"] = files
        response = client.post(f"/file/{case_type}", data=form, content_type="multipart/form-data",
                               follow_redirects=expect_ok)
        if expect_ok:
            assert response.status_code == 200, response.get_data(as_text=True)[:3000]
            html = response.get_data(as_text=True)
            return response, extract(html, "tracking-code"), extract(html, "receipt-key")
        return response, None, None

    return _file


@pytest.fixture
def jpeg_bytes():
    return factories.make_jpeg()


@pytest.fixture
def make_user(app):
    """Create a staff user: make_user("somchai", roles=("officer",), divisions=("engineering",))."""
    return functools.partial(factories.make_user, app)


@pytest.fixture
def login_as(client):
    """Sign a client in as a user id without going through the sign-in form (that has its own tests)."""

    def _login(user_id: int, target=None):
        return log_in_session(target or client, user_id)

    return _login


@pytest.fixture
def admin(client, make_user, login_as):
    """A client signed in as the administrator "root", reading English."""
    login_as(make_user("root", roles=("admin",)))
    client.get("/lang/en")
    return client


@pytest.fixture
def seeded(app):
    """The seed's measures report loaded, so measure pages and the report have something to show."""
    return factories.load_measures(app)


# --- mail: a real SMTP server on loopback (tests/smtp_server.py) -------------------------------------


@pytest.fixture
def smtp():
    from .smtp_server import SmtpServer

    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    """An app that mails through the ``smtp`` server (a module uses it as its ``app``)."""
    from .smtp_server import mail_config

    return make_app(**mail_config(smtp.port))


# --- browser tests: Playwright driving Debian's Chromium against a live server ---------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "screenshots")


@pytest.fixture
def live_server(make_app):
    """The app served on a free loopback port in a thread; yields (base_url, app)."""
    import threading

    from werkzeug.serving import make_server

    app = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium through Playwright; skipped only where Chromium is absent and not in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_factory(chromium):
    """New isolated browser pages at a given width: page_factory(390) for a phone."""
    contexts = []

    def _page(width=1280, height=900, locale="th-TH"):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale=locale)
        contexts.append(context)
        return context.new_page()

    yield _page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> str:
    """Save a full-page screenshot under screenshots/ (git-ignored) for people to look at."""
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


# --- LINE: the fake LINE Platform on loopback and signed webhook events (tests/line_support.py) -------
from tests.line_support import line, platform  # noqa: E402,F401  (fixtures)
