"""Open311 errors: ``<errors><error><code/><description/></error></errors>`` / ``[{"code", "description"}]``.

The spec asks for 404 for what does not exist, 403 for a missing or bad ``api_key`` and 400 for anything
else; several errors may be returned at once. The descriptions are lazy strings, so they come out in the
language the partner asked for.
"""

from dataclasses import dataclass

BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404


@dataclass(frozen=True)
class Problem:
    status: int
    field: str  # the parameter it is about, as the partner sent it ("" for the request as a whole)
    message: object  # a (lazy) translated sentence

    def description(self) -> str:
        return f"{self.field}: {self.message}" if self.field else str(self.message)


class Open311Error(Exception):
    """One or more problems; the HTTP status is the most telling one's (403, then 404, then 400)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.description() for p in problems))
        self.problems = problems

    @property
    def status(self) -> int:
        statuses = {p.status for p in self.problems}
        for status in (FORBIDDEN, NOT_FOUND):
            if status in statuses:
                return status
        return BAD_REQUEST


def fail(status: int, field: str, message) -> Open311Error:
    return Open311Error([Problem(status, field, message)])
