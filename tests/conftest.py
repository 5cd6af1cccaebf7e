"""Fixtures: an app on a fresh database per test (SQLite file by default, PostgreSQL when
ESERVICE_TEST_DATABASE_URL is set), clients with real CSRF tokens, and case factories."""

import os
import re

import pytest
from sqlalchemy import select

from eservice import create_app, normalise_database_url
from eservice.extensions import db as _db
from eservice.models import Case

PG_URL = os.environ.get("ESERVICE_TEST_DATABASE_URL")


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
    }


def reset_database(app) -> None:
    """Empty schema with reference data. On PostgreSQL the tables are dropped and made again."""
    from eservice.domain.reference import load_reference_data

    with app.app_context():
        _db.drop_all()
        _db.create_all()
        load_reference_data(_db.session, app.config["REFERENCE_DATA"])
        _db.session.commit()


@pytest.fixture
def make_app(tmp_path):
    """Build an app with extra config; the database is reset for each test."""
    apps = []

    def factory(**overrides):
        config = _base_config(tmp_path)
        config.update(overrides)
        app = create_app(config)
        if not apps:
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


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
TOKEN_RE = re.compile(r'id="submission_token" name="submission_token" type="hidden" value="([^"]*)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def submission_token(html: str) -> str:
    match = TOKEN_RE.search(html)
    return match.group(1) if match else ""


def extract(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]+)<', html)
    assert match, f"no element #{element_id}"
    return match.group(1).strip()


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
            "service_code": {"corruption": "bribery", "gift": "gift", "objection": "budget_spending"}.get(
                case_type, "road"
            ),
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


def get_case(app, code: str) -> Case:
    with app.app_context():
        case = _db.session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
        _db.session.expunge_all()
        return case


def make_jpeg(with_gps: bool = False, size=(64, 48)) -> bytes:
    """A real JPEG; with ``with_gps`` it carries an EXIF GPS block like a phone photo."""
    from io import BytesIO

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


@pytest.fixture
def jpeg_bytes():
    return make_jpeg()


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def make_user(app):
    """Create a staff user: make_user("somchai", roles=("officer",), divisions=("engineering",))."""
    from eservice.domain.accounts import create_user
    from eservice.models import Division

    def _make(username="officer1", roles=("officer",), divisions=(), password="correct horse battery"):
        with app.app_context():
            found = [_db.session.scalar(select(Division).where(Division.code == code)) for code in divisions]
            user = create_user(_db.session, username, password, roles=roles, divisions=found)
            _db.session.commit()
            return user.id

    return _make


@pytest.fixture
def login_as(client):
    """Sign a client in as a user id without going through the sign-in form (that has its own tests)."""

    def _login(user_id: int, target=None):
        target = target or client
        with target.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        return target

    return _login


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
