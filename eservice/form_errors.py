"""Showing a domain refusal on the page the person is filling in."""

from flask import flash

from .domain.errors import DomainError


def show_domain_error(form, error: DomainError) -> None:
    """Put the message beside the field the rule names, or at the top of the page when it names none."""
    target = getattr(form, error.field, None) if error.field and form is not None else None
    if target is not None and hasattr(target, "errors"):
        target.errors = list(target.errors or []) + [error.message]
    else:
        # str(): a lazy message would otherwise reach the session as markup, unescaped.
        flash(str(error.message), "error")
