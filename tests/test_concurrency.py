"""Tracking codes never repeat, even with many filers at once (file SQLite and PostgreSQL)."""

import threading

import pytest
from sqlalchemy import func, select

from eservice.database import begin_write
from eservice.domain.errors import DomainError
from eservice.domain.filing import Intake, file_case
from eservice.extensions import db
from eservice.models import Case, Category, TrackingSequence

THREADS = 8
FILINGS_EACH = 12


def _file_one(app, description: str, fail: bool = False) -> str:
    with app.app_context():
        try:
            category = db.session.scalar(select(Category).where(Category.code == "garbage"))
            begin_write(db.session)
            filed = file_case(db.session, Intake(case_type="complaint", description=description, category=category))
            if fail:
                raise DomainError("simulated failure after numbering")
            db.session.commit()
            return filed.case.tracking_code
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


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
