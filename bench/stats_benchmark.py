"""How fast the statistics page renders a fiscal year of a million cases on SQLite.

    python bench/stats_benchmark.py                      # 1,000,000 cases in instance/bench-stats.db
    python bench/stats_benchmark.py --cases 200000 --db /tmp/stats.db --rebuild

Builds the database once (schema, reference data, then ``flask --app eservice demo-data`` run as a
command, timed) or reuses it when it already holds the cases asked for. Then, through Flask's test
client signed in as an administrator, renders /admin/stats for the fiscal year with the most cases
(every figure, table and chart, the previous year beside it), and times a single hand-written
GROUP BY over the same rows with sqlite3 for comparison. Prints the times and their ratio.
Goal: the page in under a second; demo-data for a million cases in under two minutes.
"""

import argparse
import os
import resource
import sqlite3
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
from eservice.models import Case, User  # noqa: E402

FIRST_FY, LAST_FY = 2566, 2569  # complete fiscal years, so the data do not depend on today's date


def build(path: str, cases: int) -> tuple[float, float] | None:
    """Make the database if it lacks the cases; returns demo-data's wall-clock and CPU seconds when it ran
    (CPU too, because on a shared machine the wall clock also counts other people's work)."""
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
        return None
    if have:
        raise SystemExit(f"{path} holds {have:,} cases, fewer than {cases:,}: use --rebuild.")
    env = dict(os.environ, DATABASE_URL=url)
    command = [sys.executable, "-m", "flask", "--app", "eservice", "demo-data", "--cases", str(cases),
               "--from-fy", str(FIRST_FY), "--to-fy", str(LAST_FY), "--seed", "2568"]
    print("Running:", " ".join(command[2:]))
    started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - started, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default=os.path.join(ROOT, "instance", "bench-stats.db"))
    parser.add_argument("--rebuild", action="store_true", help="delete the database first")
    parser.add_argument("--runs", type=int, default=5, help="timed renders after the first")
    args = parser.parse_args()

    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(args.db + suffix):
                os.remove(args.db + suffix)
    demo_seconds = build(args.db, args.cases)

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}", "TESTING": True,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Case))
        fiscal_year, in_year = db.session.execute(
            select(Case.fiscal_year, func.count()).group_by(Case.fiscal_year).order_by(func.count().desc()).limit(1)
        ).one()
        admin = db.session.scalar(select(User).where(User.username == "bench-admin"))
        if admin is None:
            admin = create_user(db.session, "bench-admin", "bench password 2568", roles=("admin",), divisions=[])
            db.session.commit()
        admin_id = admin.id
        # The integrity role sees exact counts of corruption and gift reports; an administrator without
        # it gets figures without them (integrity_figures), from the same queries with one more condition.
        integrity = db.session.scalar(select(User).where(User.username == "bench-integrity"))
        if integrity is None:
            integrity = create_user(db.session, "bench-integrity", "bench password 2568",
                                    roles=("admin", "integrity"), divisions=[])
            db.session.commit()
        integrity_id = integrity.id

    def client_for(user_id):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        return client

    url = f"/admin/stats?period=fy&fy={fiscal_year}"

    def render(client) -> float:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        assert b"table-channel_type" in response.data
        return elapsed

    admin_client, integrity_client = client_for(admin_id), client_for(integrity_id)
    first = render(admin_client)
    page_times = [render(admin_client) for _ in range(args.runs)]
    render(integrity_client)
    exact_times = [render(integrity_client) for _ in range(args.runs)]

    # The yardstick: one GROUP BY over the same fiscal year's rows, written by hand, fetched in full.
    connection = sqlite3.connect(args.db)
    sql = 'SELECT channel_code, case_type, COUNT(*) FROM "case" WHERE fiscal_year = ? GROUP BY channel_code, case_type'
    connection.execute(sql, (fiscal_year,)).fetchall()
    query_times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        rows = connection.execute(sql, (fiscal_year,)).fetchall()
        query_times.append(time.perf_counter() - started)
    assert sum(n for *_, n in rows) == in_year
    connection.close()

    page, query = statistics.median(page_times), statistics.median(query_times)
    print(f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    print(f"Database: {args.db} ({os.path.getsize(args.db) / 1e6:,.0f} MB), {total:,} cases; "
          f"fiscal year {fiscal_year}: {in_year:,} cases.")
    if demo_seconds is not None:
        wall, cpu = demo_seconds
        print(f"demo-data --cases {args.cases:,}: {wall:.1f} s wall clock, {cpu:.1f} s CPU (goal: under 120 s); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"Statistics page {url}: first render {first * 1000:.0f} ms; median of {args.runs} renders "
          f"{page * 1000:.0f} ms (goal: under 1000 ms)")
    print(f"The same page for the integrity role (exact corruption and gift counts): median of {args.runs} "
          f"renders {statistics.median(exact_times) * 1000:.0f} ms")
    print(f"Hand-written GROUP BY channel, type over the same rows: median {query * 1000:.1f} ms")
    print(f"Ratio page / GROUP BY: {page / query:.1f}")


if __name__ == "__main__":
    main()
