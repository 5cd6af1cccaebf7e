"""Peak memory and time of a worker for the worst uploads: the largest accepted photos, and refused bombs.

    python bench/upload_worst_case.py                 # every scenario at the configured limit (40 Mpx)
    python bench/upload_worst_case.py --pixels 40000000 --files 5

Each scenario runs in a fresh Python process that builds the application (as a gunicorn worker does, on its
own SQLite file) and files one complaint with the files of the scenario through the real form (CSRF, the
one-time token, every check; rate limits off). The process's peak resident memory (VmHWM: ``ru_maxrss``
of its own) is the figure: it is what the worker would reach. The baseline line is the same process filing with no file.

Scenarios, each photo the largest accepted for its kind (eservice.domain.uploads.pixel_limit), in a file of
a few hundred KB, turned by an EXIF orientation so that the pixels must be turned too, several in one filing:
- ``jpeg-cmyk``: a CMYK JPEG just under MAX_IMAGE_PIXELS (4 bytes a pixel, converted to RGB); decoded reduced.
- ``jpeg-16``: a CMYK JPEG just under 16 Mpx: the largest decoded whole.
- ``png-rgba``: PNG, RGBA (4 bytes a pixel decoded), just under the decoding budget's limit (20 Mpx).
- ``png-palette``: PNG with a palette (1 byte a pixel), just under MAX_IMAGE_PIXELS.
- ``webp``: a WebP just under its limit (its decoder holds a second copy of the canvas).
- ``png-rgba-over``: one pixel over the PNG limit: refused from its header.
- ``bomb``: the 12000×14000 PNG of the issue (168 Mpx, 650 KB): refused from its header.

Goal (issue 9): a worker under 300 MB for the worst accepted upload.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

SCENARIOS = ("none", "jpeg-cmyk", "jpeg-16", "png-rgba", "png-palette", "webp", "png-rgba-over", "bomb")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_MB = 300


def _side(pixels: int, ratio: float = 1.0) -> tuple[int, int]:
    """Width and height of an image just under ``pixels`` pixels."""
    height = int((pixels / ratio) ** 0.5)
    width = pixels // height
    while width * height > pixels:
        width -= 1
    return width, height


def _make(kind: str, max_pixels: int) -> bytes:
    from PIL import Image

    from eservice.domain.uploads import KEPT_PIXELS, pixel_limit

    out = io.BytesIO()
    format_, mode = {"png-rgba": ("PNG", "RGBA"), "png-palette": ("PNG", "P"),
                     "jpeg-cmyk": ("JPEG", "CMYK"), "jpeg-16": ("JPEG", "CMYK"),
                     "webp": ("WEBP", "RGBA")}.get(kind, ("PNG", "RGBA"))
    pixels = pixel_limit(max_pixels, format_, mode) - 1  # the largest accepted
    if kind == "jpeg-16":
        pixels = KEPT_PIXELS
    if kind.endswith("-over"):
        pixels += 10_000  # width x height lands just over the limit
    if kind == "bomb":
        Image.new("L", (12000, 14000), 0).save(out, format="PNG", optimize=True)
        return out.getvalue()
    size = _side(pixels, 4 / 3)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90°": the pixels must be turned before the EXIF goes
    if kind in ("png-rgba", "png-rgba-over"):
        Image.new("RGBA", size, (200, 120, 40, 255)).save(out, format="PNG", exif=exif)
    elif kind == "png-palette":
        Image.new("P", size, 3).save(out, format="PNG", exif=exif)
    elif kind in ("jpeg-cmyk", "jpeg-16"):
        Image.new("CMYK", size, (10, 80, 200, 0)).save(out, format="JPEG", quality=50, exif=exif)
    elif kind == "webp":
        Image.new("RGBA", size, (200, 120, 40, 255)).save(out, format="WEBP", quality=10, exif=exif.tobytes())
    else:
        raise SystemExit(f"unknown scenario {kind}")
    return out.getvalue()


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own memory; ru_maxrss would also
    count the parent's peak, which Linux carries across fork and exec."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, path: str, files: int, max_pixels: int) -> None:
    """One scenario in this process; prints one JSON line."""
    import re

    from eservice import create_app
    from eservice.domain.reference import load_reference_data
    from eservice.extensions import db

    folder = tempfile.mkdtemp(prefix="upload-bench-")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
        "RATELIMIT_ENABLED": False, "MAIL_SUPPRESS_SEND": True, "MAX_IMAGE_PIXELS": max_pixels,
        "MAX_CONTENT_LENGTH": 200 * 1024 * 1024,
    })
    with app.app_context():
        db.create_all()
        load_reference_data(db.session, app.config["REFERENCE_DATA"])
        db.session.commit()
    client = app.test_client()
    payload = b""
    if path:
        with open(path, "rb") as handle:
            payload = handle.read()
    html = client.get("/file/complaint").get_data(as_text=True)
    data = {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1),
        "submission_token": re.search(r'name="submission_token" type="hidden" value="([^"]*)"', html).group(1),
        "service_code": "road", "description": "benchmark", "consent": "y", "anonymous": "y",
    }
    if payload:
        data["media"] = [(io.BytesIO(payload), f"{kind}-{i}.bin") for i in range(files)]
    before = _peak_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    response = client.post("/file/complaint", data=data, content_type="multipart/form-data")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = _peak_mb()
    refused = response.status_code == 422
    print(json.dumps({"kind": kind, "bytes": len(payload), "files": files if payload else 0,
                      "status": response.status_code, "refused": refused, "seconds": round(seconds, 2),
                      "cpu": round(cpu, 2), "before_mb": round(before), "peak_mb": round(peak)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pixels", type=int, default=40_000_000, help="the pixel limit (MAX_IMAGE_PIXELS)")
    parser.add_argument("--files", type=int, default=5, help="files in one filing")
    parser.add_argument("--only", default="", help="comma-separated scenarios (default: all)")
    parser.add_argument("--scenario", default="", help=argparse.SUPPRESS)  # the child's side
    parser.add_argument("--payload", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        _child(args.scenario, args.payload, args.files, args.pixels)
        return
    folder = tempfile.mkdtemp(prefix="upload-bench-files-")
    print(f"pixel limit {args.pixels:,}; {args.files} files in one filing; goal: a worker under {GOAL_MB} MB")
    print(f"{'scenario':<10} {'file KB':>8} {'files':>5} {'answer':>7} {'seconds':>8} {'cpu s':>6} "
          f"{'before MB':>9} {'peak MB':>8}")
    worst = 0
    for kind in [k for k in SCENARIOS if not args.only or k in args.only.split(",")]:
        path = ""
        if kind != "none":
            # Made here, not in the worker's process: making a 40 Mpx picture costs memory of its own.
            path = os.path.join(folder, kind)
            with open(path, "wb") as handle:
                handle.write(_make(kind, args.pixels))
        result = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--scenario", kind, "--pixels", str(args.pixels),
             "--files", str(1 if kind in ("bomb", "png-rgba-over") else args.files), "--payload", path],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        if path:
            os.remove(path)
        if result.returncode != 0:
            print(kind, "failed:", result.stderr[-2000:])
            continue
        row = json.loads(result.stdout.strip().splitlines()[-1])
        answer = "refused" if row["refused"] else ("saved" if row["status"] in (302, 303) else str(row["status"]))
        print(f"{kind:<10} {row['bytes'] // 1024:>8} {row['files']:>5} {answer:>7} {row['seconds']:>8} "
              f"{row['cpu']:>6} {row['before_mb']:>9} {row['peak_mb']:>8}")
        if not row["refused"] and kind != "none":
            worst = max(worst, row["peak_mb"])
    print(f"worst accepted upload: peak {worst} MB — goal {'met' if worst < GOAL_MB else 'NOT met'} "
          f"(under {GOAL_MB} MB)")


if __name__ == "__main__":
    main()
