"""How fast the officer's queue and a case page render over many cases, on SQLite.

    python bench/staff_queue_benchmark.py                       # 200,000 cases in instance/bench-queue.db
    python bench/staff_queue_benchmark.py --cases 1000000 --db /tmp/queue.db --rebuild

Builds the database once with ``flask --app eservice demo-data`` (or reuses it), makes an engineering
officer, an integrity officer and an executive, then renders through Flask's test client: the default
queue, the overdue filter, a text search, a deep page, and one case page. Prints the median of several
renders per page. Goal: every queue page in under 300 ms and a case page in under 100 ms at 200,000 cases,
so that scanning the queue feels instant on a phone and a desk.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import func, select  # noqa: E402

from eservice import create_app  # noqa: E402
from eservice.domain import days_off  # noqa: E402
from eservice.domain.accounts import create_user  # noqa: E402
from eservice.domain.reference import load_reference_data  # noqa: E402
from eservice.domain.thai import bangkok_today  # noqa: E402
from eservice.extensions import db  # noqa: E402
from eservice.models import Case, Division, User  # noqa: E402


def build(path: str, cases: int) -> None:
    url = f"sqlite:///{path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.create_all()
        load_reference_data(db.session, app.config["REFERENCE_DATA"])
        days_off.sync(db.session, range(2022, bangkok_today().year + 2), audited=False)
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(Case))
    if have >= cases:
        print(f"Reusing {path}: {have:,} cases.")
        return
    if have:
        raise SystemExit(f"{path} holds {have:,} cases, fewer than {cases:,}: use --rebuild.")
    command = [sys.executable, "-m", "flask", "--app", "eservice", "demo-data", "--cases", str(cases), "--seed", "2568"]
    print("Running:", " ".join(command[2:]))
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=dict(os.environ, DATABASE_URL=url), check=True, stderr=subprocess.DEVNULL)
    print(f"demo-data: {time.perf_counter() - started:.1f} s")


def user(name: str, roles: tuple, division_codes: tuple) -> int:
    found = db.session.scalar(select(User).where(User.username == name))
    if found is None:
        divisions = [db.session.scalar(select(Division).where(Division.code == c)) for c in division_codes]
        found = create_user(db.session, name, "bench password 2568", roles=roles, divisions=divisions)
        db.session.commit()
    return found.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--db", default=os.path.join(ROOT, "instance", "bench-queue.db"))
    parser.add_argument("--rebuild", action="store_true", help="delete the database first")
    parser.add_argument("--runs", type=int, default=5, help="timed renders of each page")
    args = parser.parse_args()

    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(args.db + suffix):
                os.remove(args.db + suffix)
    build(args.db, args.cases)

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}", "TESTING": True, "RATELIMIT_ENABLED": False})
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Case))
        people = {
            "officer": user("bench-officer", ("officer", "head"), ("engineering",)),
            "integrity": user("bench-integrity", ("integrity",), ("integrity",)),
            "executive": user("bench-executive", ("executive",), ()),
        }
        engineering = db.session.scalar(select(Division.id).where(Division.code == "engineering"))
        sample = db.session.scalar(select(Case.tracking_code).where(Case.division_id == engineering)
                                   .order_by(Case.id.desc()).limit(1))
        in_division = db.session.scalar(select(func.count()).select_from(Case).where(Case.division_id == engineering))

    def client_for(who):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(people[who])
            session["_fresh"] = True
        return client

    pages = [
        ("officer", "/staff/", "queue, open cases"),
        ("officer", "/staff/?status=all", "queue, every status"),
        ("officer", "/staff/?due=overdue", "queue, overdue"),
        ("officer", "/staff/?q=%E0%B8%96%E0%B8%99%E0%B8%99&status=all", "queue, text search"),
        ("officer", "/staff/?status=all&page=200", "queue, page 200"),
        ("integrity", "/staff/?status=all", "integrity queue"),
        ("executive", "/staff/?status=all", "executive queue (all divisions)"),
        ("officer", f"/staff/cases/{sample}", "one case page"),
    ]
    print(f"Database: {args.db} ({os.path.getsize(args.db) / 1e6:,.0f} MB), {total:,} cases, "
          f"{in_division:,} in engineering.")
    for who, url, label in pages:
        client = client_for(who)
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        print(f"{label:36s} median {statistics.median(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
