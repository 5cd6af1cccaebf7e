"""Server CPU per citizen round trip: ours against a minimal Flask + SQLite app, side by side.

    python bench/citizen_round_trip.py                  # 300 round trips each, 4 concurrent citizens
    python bench/citizen_round_trip.py --rounds 600 --concurrency 8

A round trip is what a citizen on a phone does: open the filing form, file (ours answers with a redirect to
the receipt page, which the browser opens), and open the case's status page. Both apps run under gunicorn
with 2 sync workers on loopback, each on its own fresh SQLite file, and the same driver (threads with a
cookie jar each) sends the same round trips to both. The figure is the CPU time (user + system, from
/proc) that the gunicorn master and its workers spent, divided by the round trips; the driver's own CPU is
not counted. Every check of ours stays on: CSRF, the one-time submission token, the filing rate limit (set
high enough not to refuse a benchmark), translations, the audit of the filing, the security headers.

Goal (issue 11): ours at most 4 times the minimal app's CPU per round trip.
"""

import argparse
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token" type="hidden" value="([^"]*)"')
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU of the gunicorn master and its live workers (workers are never recycled here)."""
    total = 0
    for pid in [master_pid] + children(master_pid):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / TICKS


def children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
        except OSError:
            pass
    return found


def wait_until_up(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer {path}")


def start(app_spec: str, port: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", app_spec]
    help_text = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True).stdout
    if "--no-control-socket" in help_text:
        command.insert(-1, "--no-control-socket")  # recent gunicorns open one in the home folder: two would clash
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def ours_round_trip(base: str, number: int) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/file/complaint").read().decode()
    data = urllib.parse.urlencode({
        "csrf_token": CSRF.search(html).group(1), "submission_token": TOKEN.search(html).group(1),
        "service_code": "road", "description": f"ถนนหน้าบ้านเลขที่ {number} เป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย",
        "consent": "y", "anonymous": "y",
    }).encode()
    receipt = opener.open(f"{base}/file/complaint", data=data)  # follows the redirect to the receipt page
    page = receipt.read().decode()
    code = re.search(r'id="tracking-code">([^<]+)<', page).group(1)
    status = opener.open(f"{base}/track/{code}").read().decode()
    assert code in status


def minimal_round_trip(base: str, number: int) -> None:
    opener = urllib.request.build_opener()
    opener.open(f"{base}/form").read()
    data = urllib.parse.urlencode({"description": f"ถนนหน้าบ้านเลขที่ {number} เป็นหลุมลึก"}).encode()
    opener.open(f"{base}/file", data=data).read()  # follows the redirect to the status page (one SELECT)


def drive(round_trip, base: str, rounds: int, concurrency: int) -> float:
    """Run ``rounds`` round trips from ``concurrency`` threads; returns the wall time."""
    counter = iter(range(rounds))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker():
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            try:
                round_trip(base, number)
            except BaseException as error:  # reported below
                errors.append(error)
                return

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"round trip failed: {errors[0]!r}")
    return time.perf_counter() - started


def measure(name, process, port, round_trip, rounds, concurrency, warmup):
    base = f"http://127.0.0.1:{port}"
    drive(round_trip, base, warmup, concurrency)  # imports, template compilation, caches
    before = cpu_seconds(process.pid)
    wall = drive(round_trip, base, rounds, concurrency)
    cpu = cpu_seconds(process.pid) - before
    per_trip = cpu / rounds * 1000
    print(f"{name:>8}: {per_trip:6.2f} ms server CPU per round trip  ({rounds} round trips in {wall:.1f} s, "
          f"{rounds / wall:.0f}/s wall)")
    return per_trip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=40)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="citizen-bench-")
    ours_db = os.path.join(work, "eservice.db")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{ours_db}", SECRET_KEY="bench-" + os.urandom(8).hex(),
               FLASK_FILING_RATE_LIMIT="1000000 per hour", FLASK_FILING_ATTEMPT_RATE_LIMIT="1000000 per hour",
               MINIMAL_DATABASE=os.path.join(work, "minimal.db"),
               PYTHONPATH=ROOT + os.pathsep + os.path.join(ROOT, "bench"))
    env.pop("FLASK_DEBUG", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "eservice", "init"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours_port, minimal_port = free_port(), free_port()
    ours = start("eservice:create_app()", ours_port, env)
    minimal = start("minimal_app:app", minimal_port, env)
    try:
        wait_until_up(ours_port, "/healthz")
        wait_until_up(minimal_port, "/form")
        print(f"{args.rounds} round trips each, {args.concurrency} at a time, gunicorn 2 sync workers, SQLite")
        mine = measure("ours", ours, ours_port, ours_round_trip, args.rounds, args.concurrency, args.warmup)
        least = measure("minimal", minimal, minimal_port, minimal_round_trip, args.rounds, args.concurrency,
                        args.warmup)
        print(f"   ratio: {mine / least:.1f}x  (goal: at most 4x)")
    finally:
        stop(ours)
        stop(minimal)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
