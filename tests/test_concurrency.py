"""Tracking codes never repeat, even with many filers at once (file SQLite and PostgreSQL)."""

import threading

import pytest
from sqlalchemy import func, select

from eservice.domain.errors import DomainError
from eservice.extensions import db
from eservice.models import Case, TrackingSequence

from .factories import new_case

THREADS = 8
FILINGS_EACH = 12


def _fail_after_numbering(_session, _case):
    raise DomainError("simulated failure after numbering")


def _file_one(app, description: str, fail: bool = False) -> str:
    """One filing in its own app context (its session is removed, rolled back on failure, at the end)."""
    return new_case(app, category="garbage", description=description,
                    before_commit=_fail_after_numbering if fail else None).code


def test_concurrent_filers_get_distinct_consecutive_codes(app):
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(n: int):
        start.wait()
        for i in range(FILINGS_EACH):
            try:
                code = _file_one(app, f"filer {n} case {i}")
            except BaseException as error:  # collected and reported below
                with lock:
                    errors.append(error)
                return
            with lock:
                codes.append(code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    total = THREADS * FILINGS_EACH
    assert len(codes) == total
    assert len(set(codes)) == total
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, total + 1))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == total


def test_failed_filing_gives_its_number_back(app):
    first = _file_one(app, "one")
    with pytest.raises(DomainError):
        _file_one(app, "two", fail=True)
    third = _file_one(app, "three")
    assert first.endswith("-00001")
    assert third.endswith("-00002")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 2
        assert db.session.scalar(select(TrackingSequence.last_number)) == 2


def test_concurrent_filers_get_consecutive_codes_in_both_series(app):
    """Corruption and gift reports number from their own series (issue 9): both stay consecutive."""
    threads_n, each = 6, 8
    codes: dict[str, list[str]] = {"complaint": [], "corruption": []}
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads_n)

    def worker(n: int):
        start.wait()
        case_type = "corruption" if n % 2 else "complaint"
        for i in range(each):
            try:
                code = new_case(app, case_type=case_type, category=None if case_type == "corruption" else "garbage",
                                description=f"filer {n} case {i}").code
            except BaseException as error:  # collected and reported below
                with lock:
                    errors.append(error)
                return
            with lock:
                codes[case_type].append(code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    per_series = threads_n // 2 * each
    general = sorted(int(c.rsplit("-", 1)[1]) for c in codes["complaint"])
    integrity = sorted(int(c.rsplit("-", 1)[1].removeprefix("T")) for c in codes["corruption"])
    assert general == list(range(1, per_series + 1))
    assert integrity == list(range(1, per_series + 1))
    assert all("-T" in c for c in codes["corruption"]) and not any("-T" in c for c in codes["complaint"])
