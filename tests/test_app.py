"""The application as a whole: set-up command, migrations, health check, headers, languages, limits."""


from datetime import date

import pytest
from sqlalchemy import func, select, text

from eservice import create_app
from eservice.domain import clock, days_off
from eservice.domain.thai import bangkok_today
from eservice.extensions import db
from eservice.models import Category, Division, Organisation

from .conftest import PG_URL


@pytest.fixture
def fresh_app(tmp_path, fresh_databases):
    """An app on a database with no tables at all (on PostgreSQL the suite's schema is dropped, and the next
    test builds it again)."""
    apps = []

    def make(**config):
        url = PG_URL or f"sqlite:///{tmp_path / 'fresh.db'}"
        from eservice import normalise_database_url

        base = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": normalise_database_url(url)}
        base.update(config)
        app = create_app(base)
        apps.append(app)
        fresh_databases.schema_changed()
        with app.app_context():
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_init_builds_schema_loads_reference_data_and_is_idempotent(fresh_app):
    app = fresh_app()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "create-user admin --role admin" in first.output
    with app.app_context():
        assert db.session.scalar(select(Organisation.tracking_prefix)) == "BPT"
        codes = set(db.session.scalars(select(Division.code)))
        assert {"palad", "finance", "engineering", "education", "health", "integrity"} <= codes
        unit = db.session.scalar(select(Division).where(Division.is_integrity_unit.is_(True)))
        assert unit.parent.code == "palad"
        categories = db.session.scalar(select(func.count()).select_from(Category))
        # An administrator's edit survives a second init.
        road = db.session.scalar(select(Category).where(Category.code == "road"))
        road.resolve_days = 20
        db.session.commit()
    # The official days off of this year and the next come from the holidays package (issue 10).
    today = bangkok_today()
    assert f"Days off of {today.year} and {today.year + 1} loaded" in first.output
    with app.app_context():
        assert {today.year, today.year + 1} <= days_off.loaded_years(db.session)
        assert date(today.year, 4, 13) in clock.holidays_from(db.session, date(today.year, 1, 1))  # Songkran
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0, second.output
    assert "nothing new" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Category)) == categories
        assert db.session.scalar(select(Category.resolve_days).where(Category.code == "road")) == 20


def test_init_sets_the_go_live_date_once_and_keeps_an_administrators_correction(fresh_app):
    from datetime import date

    from eservice.domain.thai import bangkok_today

    app = fresh_app()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    today = bangkok_today()
    assert f"in use since {today.isoformat()}" in first.output
    with app.app_context():
        org = db.session.scalar(select(Organisation))
        assert org.in_use_since == today  # a new installation: no case before today
        org.in_use_since = date(2024, 10, 1)  # corrected by an administrator
        db.session.commit()
    assert runner.invoke(args=["init"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Organisation.in_use_since)) == date(2024, 10, 1)


def test_migrations_match_the_models(fresh_app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = fresh_app()
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models changed without a migration: " + repr(differences)[:2000]


def test_create_user_command(app, runner):
    result = runner.invoke(args=["create-user", "somchai", "--role", "officer", "--role", "head",
                                 "--division", "engineering", "--password", "long enough password"])
    assert result.exit_code == 0, result.output
    duplicate = runner.invoke(args=["create-user", "somchai", "--password", "long enough password"])
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output
    short = runner.invoke(args=["create-user", "other", "--division", "engineering", "--password", "short"])
    assert short.exit_code != 0 and "at least" in short.output
    with app.app_context():
        from eservice.models import User

        user = db.session.scalar(select(User).where(User.username == "somchai"))
        assert user.role_set == {"officer", "head"}
        assert [d.code for d in user.divisions] == ["engineering"]
        assert user.password_hash.startswith("scrypt:")


def test_an_officer_without_a_division_is_refused_and_told_the_codes(app, runner):
    result = runner.invoke(args=["create-user", "malee", "--password", "long enough password"])
    assert result.exit_code != 0
    assert "--division" in result.output and "engineering" in result.output and "กองช่าง" in result.output
    wrong = runner.invoke(args=["create-user", "malee", "--division", "enginering", "--password", "long enough pw"])
    assert wrong.exit_code != 0 and "No division with code 'enginering'" in wrong.output
    assert "engineering" in wrong.output
    admin = runner.invoke(args=["create-user", "root", "--role", "admin", "--password", "long enough password"])
    assert admin.exit_code == 0, admin.output  # an administrator needs no division
    listed = runner.invoke(args=["divisions"])
    assert listed.exit_code == 0 and "integrity" in listed.output and "[integrity unit]" in listed.output


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_healthz_503_when_the_database_does_not_answer():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_security_headers_allow_no_inline_code(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_templates_have_no_inline_scripts_or_styles():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        if "email" in path.parts:
            continue  # mail clients need inline styles; no CSP applies there
        source = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source) or re.search(r"\sstyle=|<style", source) or re.search(
            r"\son[a-z]+=", source
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_thai_is_the_default_language_and_english_a_switch_away(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="th">' in html
    assert "เทศบาลตำบลบ่อปลาทอง" in html
    response = client.get("/lang/en?next=/track")
    assert response.status_code == 302 and response.headers["Location"].endswith("/track")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Bo Pla Thong Subdistrict Municipality" in html


def test_language_switch_is_no_open_redirect(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get("/lang/en", query_string={"next": target})
        assert response.headers["Location"] in ("/", "http://localhost/")


def test_home_shows_every_channel_and_the_service_standard(client):
    client.get("/lang/en")
    html = client.get("/").get_data(as_text=True)
    for channel in ("This e-Service", "Telephone", "LINE", "Facebook", "In person", "Letter", "Suggestion box"):
        assert channel in html, channel
    assert "Street lights out or damaged" in html and "7 working days" in html
    for case_type in ("complaint", "suggestion", "inquiry", "objection", "corruption", "gift"):
        assert f'href="/file/{case_type}"' in html


def test_secret_key_is_generated_once_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from eservice import _instance_secret_key

    first = _instance_secret_key(str(tmp_path))
    second = _instance_secret_key(str(tmp_path))
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example:5432/eservice")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("FLASK_RATELIMIT_ENABLED", "false")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example:5432/eservice"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["RATELIMIT_ENABLED"] is False
