"""What an audit entry's action key (``admin.category.update``) says in the reader's language.

The keys stay in the log (they are what filters and scripts match); people read these labels. A key that
is not listed is named from its parts (the thing, then what was done to it), so that an action added
later still reads as words; only a key with no known part is shown as it is."""

from flask_babel import lazy_gettext as _l

from .actions import ACTIONS

LABELS = {
    "case.file": _l("Case recorded by an officer"),
    "case.view": _l("Confidential case opened"),
    "case.denied": _l("Case refused to an officer"),
    "login.success": _l("Signed in"),
    "login.failed": _l("Wrong password"),
    "login.locked": _l("Sign-in paused after wrong passwords"),  # entries from before sign-ins were slowed
    "login.slowed": _l("Sign-in slowed down after wrong passwords"),
    "logout": _l("Signed out"),
    "logout.everywhere": _l("Signed out everywhere"),
    "integrity.request": _l("Integrity unit membership change requested"),
    "integrity.confirm": _l("Integrity unit membership change confirmed"),
    "integrity.decline": _l("Integrity unit membership change declined"),
    "user.create": _l("Staff account created (command line)"),
    "user.password_change": _l("Own password changed"),
    "admin.user.password": _l("Password reset by an administrator"),
    "admin.organisation.logo": _l("Logo changed"),
    "admin.organisation.logo_remove": _l("Logo removed"),
    "admin.organisation.texts": _l("Public texts changed"),
    "admin.holiday.import": _l("Days off imported"),
    "admin.holiday.restore": _l("Day off put back"),
    "holiday.sync": _l("Official days off loaded"),
    "admin.ita.update": _l("ITA scores changed"),
    "admin.signoff.update": _l("Sign-off block of the measures report changed"),
    "admin.complaint_summary.update": _l("Problems and improvements of the complaint-handling summary changed"),
    "outbox.retry": _l("Mail sent again"),
}

THINGS = {
    "category": _l("category"),
    "channel": _l("channel"),
    "division": _l("division"),
    "village": _l("village"),
    "holiday": _l("day off"),
    "paper_total": _l("total from paper records"),
    "measure": _l("measure"),
    "ita": _l("ITA question"),
    "organisation": _l("organisation settings"),
    "user": _l("staff account"),
    "canned": _l("canned reply"),
    "case": _l("case"),
    "key": _l("partner key"),
    "line": _l("LINE settings"),
}

DONE = {
    "create": _l("Added: %(thing)s"),
    "update": _l("Changed: %(thing)s"),
    "delete": _l("Removed: %(thing)s"),
    "copy": _l("Copied: %(thing)s"),
    "move": _l("Moved: %(thing)s"),
    "revoke": _l("Revoked: %(thing)s"),
}


def label(action: str) -> str:
    """The words for ``action``; the key itself when nothing about it is known."""
    if action in LABELS:
        return str(LABELS[action])
    parts = action.split(".")
    if len(parts) == 2 and parts[0] == "case" and parts[1] in ACTIONS:
        return str(ACTIONS[parts[1]].staff_label)  # an action on a case, named as on the case page
    thing = next((THINGS[p] for p in reversed(parts[:-1]) if p in THINGS), None)
    verb = DONE.get(parts[-1])
    if thing is not None and verb is not None:
        return str(verb) % {"thing": thing}
    return action
