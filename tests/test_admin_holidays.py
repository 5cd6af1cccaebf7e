"""The holiday calendar: add, remove, and import a CSV with a clear message for each bad line."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from eservice.domain.clock import add_working_days
from eservice.extensions import db
from eservice.models import Holiday

from .factories import audit_count, last_audit
from .web import post


def holidays(app) -> dict[date, str]:
    with app.app_context():
        return {h.day: h.name for h in db.session.scalars(select(Holiday))}


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Holiday))


def test_add_and_remove_a_holiday(app, admin):
    response = post(admin, "/admin/holidays/add", {"day": "2031-05-13", "name": "วันหยุดท้องถิ่น"},
                    token_page="/admin/holidays")
    assert response.status_code == 302
    assert holidays(app)[date(2031, 5, 13)] == "วันหยุดท้องถิ่น"
    assert last_audit(app, "admin.holiday.create").details == {"day": "2031-05-13", "name": "วันหยุดท้องถิ่น"}
    page = admin.get("/admin/holidays?year=2574").get_data(as_text=True)  # B.E. works as well as C.E.
    assert "วันหยุดท้องถิ่น" in page
    with app.app_context():
        holiday_id = db.session.scalar(select(Holiday.id).where(Holiday.day == date(2031, 5, 13)))
    assert post(admin, f"/admin/holidays/{holiday_id}/delete", token_page="/admin/holidays").status_code == 302
    assert date(2031, 5, 13) not in holidays(app)
    assert last_audit(app, "admin.holiday.delete").details["day"] == "2031-05-13"


def test_the_clock_counts_an_added_holiday(app, admin):
    # Friday 2031-05-09 + 1 working day is Monday the 12th, unless the 12th is a holiday.
    post(admin, "/admin/holidays/add", {"day": "2031-05-12", "name": "ชดเชย"}, token_page="/admin/holidays")
    assert add_working_days(date(2031, 5, 9), 1, holidays(app)) == date(2031, 5, 13)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "", "name": "x"}, "Give the date of the holiday."),
        ({"day": "13/05/2031", "name": "x"}, "Not a valid date value"),
        ({"day": "2031-05-13", "name": ""}, "Name the holiday."),
    ],
)
def test_bad_holidays_are_refused(app, admin, data, message):
    before = count(app)
    response = post(admin, "/admin/holidays/add", data, token_page="/admin/holidays")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(app) == before


def test_a_date_already_in_the_calendar_is_refused(app, admin):
    existing = next(iter(holidays(app)))
    response = post(admin, "/admin/holidays/add", {"day": existing.isoformat(), "name": "ซ้ำ"},
                    token_page="/admin/holidays")
    assert response.status_code == 422
    assert "is in the calendar already" in response.get_data(as_text=True)


def test_csv_import_adds_every_line_and_skips_known_dates(app, admin):
    existing = min(holidays(app))
    text = ("วันที่,ชื่อ\n"
            "2031-01-02,วันหยุดพิเศษ\n"
            "13/4/2574,วันสงกรานต์\n"  # B.E. year
            "๑๔/๔/๒๕๗๔,วันสงกรานต์ (ต่อ)\n"  # Thai digits
            f"{existing.isoformat()},มีอยู่แล้ว\n"
            "\n"
            "2031-12-31,วันสิ้นปี, ปีใหม่\n")  # a comma in the name
    before = count(app)
    response = post(admin, "/admin/holidays/import", {"import-text": text}, token_page="/admin/holidays")
    assert response.status_code == 302
    added = holidays(app)
    assert count(app) == before + 4
    assert added[date(2031, 4, 13)] == "วันสงกรานต์" and added[date(2031, 4, 14)] == "วันสงกรานต์ (ต่อ)"
    assert added[date(2031, 12, 31)] == "วันสิ้นปี, ปีใหม่"
    entry = last_audit(app, "admin.holiday.import")
    assert len(entry.details["added"]) == 4 and entry.details["already_there"] == [existing.isoformat()]
    assert "4 holidays added; 1 were in the calendar already." in admin.get("/admin/holidays").get_data(as_text=True)


def test_csv_import_from_a_file(app, admin):
    data = "2032-01-05,หยุดชดเชย\r\n".encode("utf-8-sig")
    response = post(admin, "/admin/holidays/import", {"import-file": (io.BytesIO(data), "holidays.csv")},
                    token_page="/admin/holidays", content_type="multipart/form-data")
    assert response.status_code == 302
    assert holidays(app)[date(2032, 1, 5)] == "หยุดชดเชย"


def test_a_csv_with_mistakes_adds_nothing_and_names_each_line(app, admin):
    text = ("2031-01-02,ดี\n"
            "2031-02-30,ไม่มีวันนี้\n"
            "next friday,เลื่อน\n"
            "2031-03-03\n"
            "2031-01-02,ซ้ำในไฟล์\n")
    before, entries = count(app), audit_count(app)
    response = post(admin, "/admin/holidays/import", {"import-text": text}, token_page="/admin/holidays")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported." in html
    assert "Line 2: There is no such date: 2031-02-30." in html
    assert "Line 3: Write the date as 2025-04-13 or 13/4/2568." in html
    assert "Line 4: Give a date and a name separated by a comma" in html
    assert "Line 5: 2031-01-02 is also on line 1." in html
    assert count(app) == before and audit_count(app) == entries


def test_an_import_needs_content_and_utf8(app, admin):
    response = post(admin, "/admin/holidays/import", {"import-text": "  "}, token_page="/admin/holidays")
    assert response.status_code == 422 and "Choose a CSV file or paste its lines." in response.get_data(as_text=True)
    thai_windows = "2031-01-02,วันหยุด\n".encode("cp874")
    response = post(admin, "/admin/holidays/import", {"import-file": (io.BytesIO(thai_windows), "h.csv")},
                    token_page="/admin/holidays", content_type="multipart/form-data")
    assert response.status_code == 422 and "UTF-8" in response.get_data(as_text=True)
