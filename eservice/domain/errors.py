"""Errors the domain raises; views turn them into messages."""


class DomainError(Exception):
    """A rule refused an action. ``message`` is a (lazily) translated sentence for the user."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class InvalidTransition(DomainError):
    pass


class NotAllowed(DomainError):
    pass
