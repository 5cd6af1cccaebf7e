"""The web side's small helpers, shared by every blueprint: who is acting, one unit of work per form,
a domain refusal shown on the form, and the one guard against open redirects.

A view that saves a form reads::

    if form.validate_on_submit():
        with saving(form, done=_("Division saved.")) as saved:
            admin_rules.save_division(db.session, current, data, by=acting())
        if saved:
            return redirect(url_for("admin.divisions"))
    return render_template(...), 422 if form.is_submitted() else 200
"""

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import current_app, flash, request
from flask_login import current_user

from .database import begin_write
from .domain.audit import By
from .domain.errors import DomainError
from .domain.uploads import CleanFile, clean_upload
from .extensions import db


def client_ip() -> str:
    """The client's address (behind a proxy, as ProxyFix gives it from X-Forwarded-For); "" when that is not
    an IP address (a forged or mangled header is never stored or used as a key)."""
    try:
        return str(ipaddress.ip_address((request.remote_addr or "").strip()))
    except ValueError:
        return ""


def clean_uploaded(filename: str, data: bytes) -> CleanFile:
    """One attachment checked and cleaned under the configured limits (bytes, pixels): the one door of every
    upload, whether from a public form, the staff recording form, added information or a LINE photo."""
    config = current_app.config
    return clean_upload(filename, data, config["MAX_ATTACHMENT_BYTES"], config["MAX_IMAGE_PIXELS"])


def acting() -> By:
    """The signed-in user (if any) and their address: who the audit log names for a change."""
    user = current_user._get_current_object() if current_user and current_user.is_authenticated else None
    return By(user, client_ip())


def show_domain_error(form, error: DomainError) -> None:
    """Put the message beside the field the rule names, or at the top of the page when it names none."""
    target = getattr(form, error.field, None) if error.field and form is not None else None
    if target is not None and hasattr(target, "errors") and error.field != "version":
        target.errors = list(target.errors or []) + [error.message]
    else:
        # str(): a lazy message would otherwise reach the session as markup, unescaped.
        flash(str(error.message), "error")


class Saved:
    """What became of a unit of work: true when it committed."""

    def __init__(self, done) -> None:
        self.ok = False
        self.error: DomainError | None = None
        self.done = done

    def __bool__(self) -> bool:
        return self.ok

    def say(self, message) -> None:
        """Replace the message shown after success (e.g. "Nothing was changed.")."""
        self.done = message


@contextmanager
def saving(form=None, *, done=None) -> Iterator[Saved]:
    """One unit of work: take the write lock, run the block (domain operations that flush and write their
    own audit entries), commit, and say ``done``. When a rule refuses (:class:`DomainError`) nothing is
    saved, the message goes beside its field on ``form`` (or to the top of the page) and the block's
    outcome is false. Any other error rolls back and propagates."""
    saved = Saved(done)
    begin_write(db.session)
    try:
        yield saved
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        saved.error = error
        show_domain_error(form, error)
        return
    except BaseException:
        db.session.rollback()
        raise
    saved.ok = True
    if saved.done:
        flash(str(saved.done), "success")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or "\\" in target or parts.scheme or parts.netloc
            or any(ord(c) < 32 for c in target)):
        return None
    return target
