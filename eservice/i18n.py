"""Thai by default, English second; the choice is kept in the session."""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale

from .extensions import babel

# Addresses of machine interfaces (Open311), which answer in the language of Accept-Language.
MACHINE_PATHS = ("/open311/",)


def select_locale() -> str:
    if not has_request_context():
        # The worker (mail, LINE) says what language it writes in with force_locale; anything else
        # evaluated there, e.g. a domain error's message, falls back to the default.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if request.path.startswith(MACHINE_PATHS):
        # Machines keep no session: their Accept-Language header chooses, Thai when it names neither.
        return request.accept_languages.best_match(languages, default=current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    # Thai is the default whatever the browser says: most phones here are set to English menus.
    if request.args.get("lang") in languages:
        return request.args["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(get_locale() or "th")


def init_app(app: Flask) -> None:
    import os

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"),
    )
