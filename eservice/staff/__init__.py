"""The officer workspace (/staff): sign in, queue, cases and their actions."""

from flask import Blueprint, Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l

bp = Blueprint("staff", __name__, url_prefix="/staff")

# Defaults of this area; instance/config.py or FLASK_<KEY> override them.
CONFIG_DEFAULTS = {
    "STAFF_LOGIN_RATE_LIMIT": "10 per minute;60 per hour",
    "LOGIN_MAX_FAILURES": 5,  # wrong passwords in a row before the account is locked...
    "LOGIN_LOCK_MINUTES": 15,  # ...for this long
    "STAFF_QUEUE_PER_PAGE": 25,
    # Behind a TLS-terminating proxy, how many proxies to believe about the client's address and scheme
    # (X-Forwarded-For / -Proto). Without it every sign-in is audited and rate-limited as the proxy's address,
    # and the session cookie cannot tell that the page was served over HTTPS.
    "TRUSTED_PROXIES": 0,
}


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over HTTPS (or always, with
    ``SESSION_COOKIE_SECURE``), so that a deployment behind TLS needs no extra setting."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return has_request_context() and request.is_secure


def init_app(app: Flask) -> None:
    from ..extensions import login_manager
    from . import account, canned_views, cli, filters, views  # noqa: F401  registers the routes

    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.session_interface = SessionInterface()
    proxies = int(app.config["TRUSTED_PROXIES"] or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    filters.init_app(app)
    cli.init_app(app)
