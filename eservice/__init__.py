"""e-Service for complaints, comments and integrity reports of a Thai local government."""

import os

from flask import Flask

from .config import Defaults

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
PROJECT_DIR = os.path.dirname(PACKAGE_DIR)


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: defaults, then ``instance/config.py``, then the environment."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_DIR, "templates"),
        static_folder=os.path.join(PROJECT_DIR, "static"),
    )
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        _config_from_environment(app)
    else:
        app.config.from_mapping(test_config)
    if app.config["SECRET_KEY"] == Defaults.SECRET_KEY and not app.testing:
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        private_folder(app.instance_path)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "eservice.db")

    from . import auth, cli, database, deployment, errors, i18n, input_guard, security, static_files, templating

    database.private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    deployment.warn_about_rate_limits(app)
    from .extensions import csrf, db, limiter, login_manager, mail, migrate

    database.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PACKAGE_DIR, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    # After the rate limits (they count robots too, and Open311 caps its body size there before it is read),
    # before every view: text that cannot be stored is refused first.
    input_guard.init_app(app)
    login_manager.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    from . import admin, line, notifications, open311, staff, statistics
    from .public import bp as public_bp

    app.register_blueprint(public_bp)
    for part in (staff, admin, statistics, notifications, open311, line):
        part.init_app(app)
    return app


def _config_from_environment(app: Flask) -> None:
    """``SECRET_KEY``, ``DATABASE_URL`` and ``MAIL_*`` as they are; any key as ``FLASK_<KEY>``."""
    for key in ("SECRET_KEY",):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    for key, value in os.environ.items():
        if key.startswith("MAIL_"):
            app.config[key] = _parse_scalar(value)
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
    elif os.environ.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    app.config.from_prefixed_env()
    if app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])


def _instance_secret_key(instance_path: str) -> str:
    """A random key made once and kept in the instance folder, so that a fresh install is not left
    signing sessions with a published default, and restarts do not sign everyone out."""
    import secrets

    private_folder(instance_path)
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made by an earlier start, or by another worker starting now
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip()


def private_folder(path: str) -> None:
    """Make ``path`` if it is missing, readable by the service's user only (it holds the SQLite database and
    the secret key); a folder that exists is left as its owner set it."""
    if not os.path.isdir(path):
        os.makedirs(path, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)  # makedirs' mode is filtered by the umask; this is not


def normalise_database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` both mean psycopg 3 here."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _parse_scalar(value: str):
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if value.isdecimal():
        return int(value)
    return value
