"""The integrity unit's membership: pending changes an administrator asked for, confirmed or declined by a
member of the unit (:mod:`eservice.domain.integrity_membership`)."""

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import permission_required
from ..domain import integrity_membership, policy
from ..extensions import db
from ..models import RoleRequest
from ..web import acting, saving
from . import bp
from .forms import EmptyForm


@bp.route("/integrity/membership")
@permission_required(policy.can_review_integrity_membership)
def integrity_requests():
    requests = integrity_membership.pending(db.session)
    return render_template("staff/integrity_requests.html", requests=requests, form=EmptyForm(),
                           may_decide={r.id: policy.can_decide_integrity_change(current_user, r) for r in requests})


@bp.route("/integrity/membership/<int:request_id>/<any(confirm, decline):decision>", methods=["POST"])
@permission_required(policy.can_review_integrity_membership)
def integrity_decide(request_id, decision):
    if db.session.get(RoleRequest, request_id) is None:
        abort(404)
    confirm = decision == "confirm"
    with saving(done=_("The change is confirmed and the unit has been told.") if confirm
                else _("The request is declined and the unit has been told.")):
        integrity_membership.decide(db.session, db.session.get(RoleRequest, request_id), confirm=confirm,
                                    by=acting())
    return redirect(url_for("staff.integrity_requests"))
