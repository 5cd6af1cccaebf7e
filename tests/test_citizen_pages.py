"""Small things on the citizen's and officer's pages: the gift form's single category is chosen, an anonymous
report offers no "reveal identity", static files have versioned addresses and long-lived caching, a favicon,
and reference data is cached per process but a change shows at once."""

import re

from sqlalchemy import select

from eservice.extensions import db
from eservice.models import Category

from .factories import make_user, seed_case
from .web import act, signed_in_client


def test_the_gift_form_has_its_single_category_chosen(client):
    html = client.get("/file/gift").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="service_code".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>", select_html)
    assert len(options) == 2  # "— choose —" and the one category
    assert "selected" in options[1]


def test_reveal_identity_is_not_offered_on_an_anonymous_report(app):
    pim = signed_in_client(app, make_user(app, "pim", roles=("officer", "integrity"), divisions=("integrity",)))
    anonymous = seed_case(app, case_type="corruption", category="bribery", anonymous=True)
    html = pim.get(f"/staff/cases/{anonymous}").get_data(as_text=True)
    assert "action-reveal" not in html
    refused = act(pim, anonymous, "reveal", reason="อยากรู้")
    assert refused.status_code in (403, 422)
    assert "You may not reveal the identity" in refused.get_data(as_text=True)
    named = seed_case(app, case_type="corruption", category="bribery", anonymous=False, first_name="สมศรี")
    assert "action-reveal" in pim.get(f"/staff/cases/{named}").get_data(as_text=True)


def test_static_files_have_versioned_addresses_and_long_caching(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]
    # Pages themselves are never cached (they may show a key).
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_a_favicon(client):
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"


def test_a_changed_category_shows_on_the_form_at_once(app, client):
    client.get("/file/complaint")  # the choices are now kept in this process
    with app.app_context():
        road = db.session.scalar(select(Category).where(Category.code == "road"))
        road.name_th = "ถนนเสียหายมาก"
        db.session.commit()
    assert "ถนนเสียหายมาก" in client.get("/file/complaint").get_data(as_text=True)
    with app.app_context():
        road = db.session.scalar(select(Category).where(Category.code == "road"))
        road.active = False
        db.session.commit()
    assert 'value="road"' not in client.get("/file/complaint").get_data(as_text=True)


def test_secondary_buttons_are_not_outweighed_by_the_primary_style(client):
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert "button.button" not in css  # the element+class selector outweighed every variant
    assert ".button-secondary {" in css and ".button-integrity {" in css
