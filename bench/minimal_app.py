"""The yardstick for bench/citizen_round_trip.py: the least a Flask + SQLite filing service can do. A form
page, a POST that does one INSERT and redirects, a status page that does one SELECT. No templates, no
sessions, no CSRF, no translations: what is left is Flask, the WSGI server and SQLite."""

import os
import sqlite3

from flask import Flask, abort, redirect, request
from markupsafe import escape

DATABASE = os.environ["MINIMAL_DATABASE"]  # set by bench/citizen_round_trip.py

app = Flask(__name__)

FORM = """<!doctype html><html lang="th"><head><meta charset="utf-8"><title>แจ้งเรื่อง</title></head><body>
<form method="post" action="/file"><label for="d">เรื่อง</label><textarea id="d" name="description"></textarea>
<button type="submit">ส่ง</button></form></body></html>"""


def _db():
    connection = sqlite3.connect(DATABASE, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


with _db() as setup:
    setup.execute("CREATE TABLE IF NOT EXISTS filing (id INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                  "status TEXT NOT NULL DEFAULT 'received')")


@app.get("/form")
def form():
    return FORM


@app.post("/file")
def file():
    connection = _db()
    try:
        cursor = connection.execute("INSERT INTO filing (description) VALUES (?)", (request.form["description"],))
        return redirect(f"/status/{cursor.lastrowid}", 303)
    finally:
        connection.close()


@app.get("/status/<int:filing_id>")
def status(filing_id):
    connection = _db()
    try:
        row = connection.execute("SELECT id, status, description FROM filing WHERE id = ?", (filing_id,)).fetchone()
    finally:
        connection.close()
    if row is None:
        abort(404)
    return f"<!doctype html><p>เรื่องที่ {row[0]}: {escape(row[1])}</p><p>{escape(row[2])}</p>"
