"""Type-check the domain and the models against a baseline that only shrinks.

    python tools/typecheck.py            # fails on an error not in the baseline, or a baseline line now fixed
    python tools/typecheck.py --update   # rewrite the baseline (only ever to remove lines)

Errors are compared without line numbers (``file: message [code]``), so that moving code does not disturb
the baseline; a new error of a kind already in the same file is still caught by the count.
"""

import collections
import pathlib
import re
import sys

from mypy import api

ROOT = pathlib.Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tools" / "mypy-baseline.txt"
TARGETS = ["eservice/domain", "eservice/models"]
LINE = re.compile(r"^(?P<file>[^:]+):\d+(?::\d+)?: error: (?P<message>.*)$")


def current_errors() -> collections.Counter:
    stdout, stderr, _ = api.run(["--config-file", str(ROOT / "pyproject.toml"), *TARGETS])
    if stderr.strip():
        print(stderr, file=sys.stderr)
    found = collections.Counter()
    for line in stdout.splitlines():
        match = LINE.match(line)
        if match:
            found[f"{match['file']}: {match['message']}"] += 1
    return found


def read_baseline() -> collections.Counter:
    if not BASELINE.exists():
        return collections.Counter()
    return collections.Counter(line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line.strip())


def main() -> int:
    import os

    os.chdir(ROOT)
    found = current_errors()
    if "--update" in sys.argv:
        BASELINE.write_text("".join(f"{line}\n" for line in sorted(found.elements())), encoding="utf-8")
        print(f"baseline written: {sum(found.values())} errors")
        return 0
    baseline = read_baseline()
    new = found - baseline
    fixed = baseline - found
    print(f"mypy over {', '.join(TARGETS)}: {sum(found.values())} errors, baseline {sum(baseline.values())}")
    for line in sorted(new.elements()):
        print(f"new error: {line}")
    for line in sorted(fixed.elements()):
        print(f"fixed, remove from the baseline: {line}")
    if new or fixed:
        print("Fix the new errors; run `python tools/typecheck.py --update` after fixing old ones.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
