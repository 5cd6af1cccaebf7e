"""The case types of the brief: what each is called, where it goes and whether it is sealed."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class CaseType:
    code: str
    label: object  # lazy string
    short: object
    # Sealed: only the integrity unit sees it; routed there whatever the category.
    confidential: bool
    # Objections may name the division whose spending they question.
    names_division: bool
    # Integrity reports start anonymous; others start with contact details offered.
    anonymous_by_default: bool


CASE_TYPES: dict[str, CaseType] = {
    t.code: t
    for t in (
        CaseType("complaint", _l("Complaint or grievance"), _l("Complaint"), False, False, False),
        CaseType("suggestion", _l("Suggestion or comment"), _l("Suggestion"), False, False, False),
        CaseType("inquiry", _l("Question / request for information"), _l("Inquiry"), False, False, False),
        CaseType(
            "objection", _l("Objection to budget spending"), _l("Objection"), False, True, False
        ),
        CaseType(
            "corruption", _l("Corruption or misconduct report"), _l("Corruption report"), True, True, True
        ),
        CaseType("gift", _l("No Gift Policy report"), _l("Gift report"), True, True, True),
    )
}

GENERAL_TYPES = tuple(code for code, t in CASE_TYPES.items() if not t.confidential)
INTEGRITY_TYPES = tuple(code for code, t in CASE_TYPES.items() if t.confidential)


def get_case_type(code: str) -> CaseType | None:
    return CASE_TYPES.get(code)
