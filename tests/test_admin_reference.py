"""Divisions, categories, villages and channels: each change saved and audited, each bad input refused
with a message and nothing changed, and deactivation that never breaks old cases."""

from html import unescape

import pytest
from sqlalchemy import func, select

from eservice.extensions import db
from eservice.models import Case, Category, Channel, Division, Village

from .factories import audit_count, last_audit, make_case
from .web import post


def row(app, model, **where):
    with app.app_context():
        found = db.session.scalar(select(model).filter_by(**where))
        if found is not None:
            db.session.expunge(found)
        return found


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def division_id(app, code) -> int:
    return row(app, Division, code=code).id


# --- divisions ------------------------------------------------------------------------------------

DIVISION = {"code": "welfare", "name_th": "กองสวัสดิการสังคม", "name_en": "Social Welfare Division", "parent_id": "",
            "sort_order": "70", "active": "y"}


def test_a_division_is_created_and_audited(app, admin):
    response = post(admin, "/admin/divisions/new", DIVISION)
    assert response.status_code == 302
    created = row(app, Division, code="welfare")
    assert created.name_th == "กองสวัสดิการสังคม" and created.active
    entry = last_audit(app, "admin.division.create")
    assert entry.target_id == str(created.id) and entry.details["code"] == [None, "welfare"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "Welfare Dept"}, "A code uses small English letters"),
        ({"code": "engineering"}, "exists already"),
        ({"name_th": ""}, "Give the division's name in Thai."),
        ({"is_integrity_unit": "y"}, "is the integrity unit already"),
        ({"receives_objections": "y"}, "receives objections already"),
        ({"parent_id": "99999"}, "Not a valid choice"),
        ({"sort_order": "abc"}, "Give the order as a whole number."),
    ],
)
def test_bad_divisions_are_refused(app, admin, data, message):
    before, entries = count(app, Division), audit_count(app)
    response = post(admin, "/admin/divisions/new", {**DIVISION, **data})
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert count(app, Division) == before and audit_count(app) == entries


def test_a_division_with_active_categories_cannot_be_deactivated(app, admin):
    engineering = division_id(app, "engineering")
    response = post(admin, f"/admin/divisions/{engineering}", {"name_th": "กองช่าง", "parent_id": "",
                                                               "sort_order": "0"})  # active unticked
    assert response.status_code == 422
    assert "active categories are handled by this division" in response.get_data(as_text=True)
    assert row(app, Division, code="engineering").active


def test_the_integrity_unit_stays_the_integrity_unit(app, admin):
    unit = row(app, Division, code="integrity")
    response = post(admin, f"/admin/divisions/{unit.id}", {"name_th": unit.name_th, "parent_id": str(unit.parent_id),
                                                           "sort_order": "0", "active": "y"})
    assert response.status_code == 422
    assert "corruption and gift reports would have nowhere to go" in response.get_data(as_text=True)
    assert row(app, Division, code="integrity").is_integrity_unit


def test_a_division_cannot_sit_under_its_own_sub_division(app, admin):
    palad, integrity = division_id(app, "palad"), division_id(app, "integrity")
    response = post(admin, f"/admin/divisions/{palad}", {"name_th": "สำนักปลัดเทศบาล", "parent_id": str(integrity),
                                                         "sort_order": "0", "active": "y"})
    assert response.status_code == 422
    assert "cannot sit under itself" in response.get_data(as_text=True)
    assert row(app, Division, code="palad").parent_id is None


def test_renaming_a_division_is_audited_with_old_and_new(app, admin):
    finance = row(app, Division, code="finance")
    response = post(admin, f"/admin/divisions/{finance.id}", {
        "name_th": "กองคลัง (ใหม่)", "name_en": finance.name_en, "parent_id": "", "sort_order": "5",
        "receives_objections": "y", "active": "y"})
    assert response.status_code == 302
    assert row(app, Division, code="finance").name_th == "กองคลัง (ใหม่)"
    assert last_audit(app, "admin.division.update").details["name_th"] == ["กองคลัง", "กองคลัง (ใหม่)"]


# --- categories -----------------------------------------------------------------------------------


def category_form(app, **overrides):
    data = {"code": "tree", "division_id": str(division_id(app, "engineering")), "name_th": "ต้นไม้ล้ม",
            "name_en": "Fallen trees", "case_types": ["complaint", "inquiry"], "ack_days": "1", "resolve_days": "5",
            "sort_order": "0", "active": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_category_is_created_with_its_limits_and_case_types(app, admin):
    assert post(admin, "/admin/categories/new", category_form(app)).status_code == 302
    created = row(app, Category, code="tree")
    assert (created.ack_days, created.resolve_days, created.case_types) == (1, 5, "complaint inquiry")
    assert last_audit(app, "admin.category.create").details["resolve_days"] == [None, 5]
    # Offered on the form of its case types only.
    assert 'value="tree"' in admin.get("/file/complaint").get_data(as_text=True)
    assert 'value="tree"' not in admin.get("/file/suggestion").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"division_id": ""}, "Choose the division that handles this category."),
        ({"division_id": "424242"}, "Not a valid choice"),
        ({"case_types": None}, "Tick at least one case type"),
        ({"ack_days": "0"}, "Between 1 and 30 working days."),
        ({"resolve_days": "400"}, "Between 1 and 180 working days."),
        ({"ack_days": "abc"}, "Not a valid integer value"),
        ({"ack_days": "5", "resolve_days": "3"}, "cannot be shorter than the time to acknowledge"),
        ({"code": "road"}, "exists already"),
        ({"code": ""}, "A code uses small English letters"),
        ({"name_th": ""}, "Give the category's name in Thai."),
    ],
)
def test_bad_categories_are_refused(app, admin, overrides, message):
    before, entries = count(app, Category), audit_count(app)
    response = post(admin, "/admin/categories/new", category_form(app, **overrides))
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert count(app, Category) == before and audit_count(app) == entries


def test_a_category_cannot_go_to_an_inactive_division(app, admin):
    post(admin, "/admin/divisions/new", {**DIVISION, "active": None})
    welfare = row(app, Division, code="welfare")
    assert not welfare.active
    response = post(admin, "/admin/categories/new", category_form(app, division_id=str(welfare.id)))
    assert response.status_code == 422
    assert "is not active; choose an active division" in response.get_data(as_text=True)


def test_deactivating_a_category_keeps_its_old_cases(app, client, admin):
    case_id = make_case(app, case_type="complaint")  # filed under "road"
    road = row(app, Category, code="road")
    response = post(admin, f"/admin/categories/{road.id}", category_form(
        app, code=None, name_th=road.name_th, name_en=road.name_en, case_types=road.case_types.split(), ack_days="1",
        resolve_days="15", active=None))
    assert response.status_code == 302
    assert not row(app, Category, code="road").active
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.category.code == "road" and case.division.code == "engineering"
    # The form no longer offers it; the administration still lists it, marked inactive.
    assert 'value="road"' not in client.get("/file/complaint").get_data(as_text=True)
    listing = admin.get("/admin/categories").get_data(as_text=True)
    assert road.name_en in listing and "Inactive" in listing


def test_the_last_category_of_a_case_type_cannot_be_withdrawn(app, admin):
    gift = row(app, Category, code="gift")
    with app.app_context():
        offered = [c.code for c in db.session.scalars(select(Category)) if c.offered_for("gift") and c.active]
    assert offered == ["gift"]
    response = post(admin, f"/admin/categories/{gift.id}", category_form(
        app, code=None, division_id=str(gift.division_id), name_th=gift.name_th, case_types=["gift"],
        ack_days=str(gift.ack_days), resolve_days=str(gift.resolve_days), active=None))
    assert response.status_code == 422
    assert "only active category offered for" in response.get_data(as_text=True)
    assert row(app, Category, code="gift").active


# --- villages and channels -------------------------------------------------------------------------


def test_villages_are_added_and_checked(app, admin):
    assert post(admin, "/admin/villages/new", {"number": "13", "name_th": "บ้านใหม่", "active": "y"}).status_code == 302
    assert row(app, Village, number=13).name_th == "บ้านใหม่"
    assert last_audit(app, "admin.village.create")
    for data, message in (({"number": "13"}, "Village 13 exists already."),
                          ({"number": "0"}, "A village number is between 1 and 99."),
                          ({"number": "x"}, "Not a valid integer value"),
                          ({"number": ""}, "Give the village number")):
        before = count(app, Village)
        response = post(admin, "/admin/villages/new", {"name_th": "", "active": "y", **data})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        assert count(app, Village) == before


def test_channels_are_added_and_the_web_channel_stays_active(app, admin):
    assert post(admin, "/admin/channels/new", {"code": "mobile_unit", "name_th": "หน่วยบริการเคลื่อนที่",
                                               "sort_order": "95", "active": "y"}).status_code == 302
    assert row(app, Channel, code="mobile_unit").name_th == "หน่วยบริการเคลื่อนที่"
    web = row(app, Channel, code="web")
    response = post(admin, f"/admin/channels/{web.id}", {"name_th": web.name_th, "sort_order": "0"})
    assert response.status_code == 422
    assert "cannot be deactivated" in response.get_data(as_text=True)
    assert row(app, Channel, code="web").active
    response = post(admin, "/admin/channels/new", {"code": "line", "name_th": "ซ้ำ", "active": "y"})
    assert response.status_code == 422 and "exists already" in response.get_data(as_text=True)


def test_editing_a_missing_row_is_404(admin):
    for url in ("/admin/divisions/9999", "/admin/categories/9999", "/admin/villages/9999", "/admin/channels/9999",
                "/admin/users/9999", "/admin/measures/9999"):
        assert admin.get(url).status_code == 404, url
