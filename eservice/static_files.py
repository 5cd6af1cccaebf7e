"""Static files with versioned addresses and long-lived caching: ``url_for('static', filename=...)`` adds
``?v=<content hash>``, and a request carrying the version is cached for a year (immutable). A changed file
gets a new address, so a phone on a slow network downloads CSS, JS and fonts once, never stale ones."""

import hashlib
import os

from flask import Flask, request, send_from_directory

YEAR = 365 * 24 * 3600
WEEK = 7 * 24 * 3600


def init_app(app: Flask) -> None:
    versions: dict[str, tuple[float, str]] = {}

    def version(filename: str) -> str | None:
        path = os.path.join(app.static_folder, filename)
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        known = versions.get(filename)
        if known is None or (app.debug and known[0] != mtime):
            with open(path, "rb") as handle:
                known = (mtime, hashlib.sha256(handle.read()).hexdigest()[:12])
            versions[filename] = known
        return known[1]

    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            found = version(values["filename"])
            if found:
                values["v"] = found

    @app.after_request
    def cache_static(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            if request.args.get("v"):
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
            else:
                # Fonts and images named from a stylesheet carry no version: a week is safe for those.
                response.cache_control.public = True
                response.cache_control.max_age = WEEK
        return response

    @app.route("/favicon.ico")
    def favicon():
        response = send_from_directory(app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=WEEK)
        return response
