"""Reference data that nearly every page reads (the organisation, the choices of the filing form), kept per
process instead of read from the database on every request.

Safe because: a change made through this process (the administration pages, ``flask init``) empties the
cache when its transaction commits; other worker processes see it within ``REFERENCE_CACHE_SECONDS``; and
the cached values only decide what a page shows: the rules that matter read the database inside their own
transaction (a category switched off a moment ago is refused by :func:`eservice.domain.filing.file_case`,
the tracking prefix is read when a number is given). Values are plain data or detached copies, never rows
bound to a session, so threads and requests cannot share a session through them."""

import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from .models import Category, Channel, Division, Organisation, Village

REFERENCE_MODELS = (Organisation, Category, Channel, Division, Village)

_lock = threading.Lock()
_generation = 0  # moves on at every committed change: every app's values are then stale


def _values() -> dict[Any, tuple[float, int, Any]]:
    """This application's values (one app per process in production; tests make many, each with its own
    database)."""
    return current_app.extensions.setdefault("reference_cache", {})


def cached(key, build: Callable[[], Any]):
    """The value kept under ``key``, built by ``build()`` when missing, stale or invalidated."""
    ttl = current_app.config.get("REFERENCE_CACHE_SECONDS", 30)
    now = time.monotonic()
    values = _values()
    found = values.get(key)
    if found is not None and found[0] > now and found[1] == _generation:
        return found[2]
    generation = _generation
    value = build()
    with _lock:
        values[key] = (now + ttl, generation, value)
    return value


def invalidate() -> None:
    global _generation
    with _lock:
        _generation += 1


def detached_organisation(org: Organisation | None) -> Organisation | None:
    """A copy of the organisation row that belongs to no session (the logo's bytes left out)."""
    if org is None:
        return None
    columns = [c.key for c in Organisation.__mapper__.column_attrs if c.key != "logo"]
    return Organisation(**{name: getattr(org, name) for name in columns})


@event.listens_for(Session, "after_flush")
def _note_reference_changes(session, _context):
    if any(isinstance(row, REFERENCE_MODELS) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info["reference_changed"] = True


@event.listens_for(Session, "after_commit")
def _invalidate_after_commit(session):
    if session.info.pop("reference_changed", False):
        invalidate()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session):
    session.info.pop("reference_changed", None)
