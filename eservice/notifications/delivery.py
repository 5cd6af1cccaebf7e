"""Delivering the outbox through Flask-Mail, so that no mail is lost and none is sent twice.

One round (:func:`deliver_due`):

1. **Claim** up to ``OUTBOX_BATCH_SIZE`` due rows in a short transaction: ``pending`` rows whose time has
   come, and ``sending`` rows whose claim has run out (their worker died). On PostgreSQL the rows are
   selected ``FOR UPDATE SKIP LOCKED``, so several workers at once each take different rows; on
   SQLite the claim runs under ``BEGIN IMMEDIATE`` (the whole database is the lock), and one worker
   is all SQLite needs. A claim marks the rows ``sending`` with this worker's name and a deadline.
2. **Render** each row once (subject, text, HTML; see :mod:`.render`) and end the read transaction, so
   no database transaction is open while the mail server is slow.
3. **Send** each through one SMTP connection, with a timeout on every step, and record the outcome of
   each in its own short transaction: ``sent``; refused for good (5xx: a bounced or unknown
   recipient) → ``failed`` with the server's answer; anything temporary (4xx, timeout, connection
   refused) → ``pending`` again after a growing delay, and ``failed`` once ``OUTBOX_MAX_ATTEMPTS`` is
   reached. Failed mails are listed at ``/admin/outbox`` with a retry button.

Every mail carries a Message-ID fixed when its row was written, so the one case SMTP cannot rule out
(the server took the mail but the worker died before writing "sent") repeats the same Message-ID.
"""

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formataddr, parseaddr

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from ..database import begin_write
from ..domain.notify import clean_address, header_safe
from ..extensions import db
from ..models.outbox import OutboxMessage
from ..outbox import DeliveryResult, claim_rows, due_clause, retry_delay, worker_name
from .render import Rendered, organisation, render

__all__ = ["DeliveryResult", "deliver_due", "drain", "retry", "retry_delay", "worker_name"]

log = logging.getLogger(__name__)


def message_id_domain() -> str:
    configured = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN")
    if configured:
        return configured
    _, address = parseaddr(str(current_app.config.get("MAIL_DEFAULT_SENDER") or ""))
    return address.rpartition("@")[2] or "localhost"


def message_id(row: OutboxMessage) -> str:
    return f"<{row.token}@{message_id_domain()}>"


class TimedConnection(Connection):
    """Flask-Mail's connection with a timeout on connecting and on every command: a server that
    hangs fails the attempt instead of holding the worker forever."""

    def __init__(self, mail, timeout: float):
        super().__init__(mail)
        self.timeout = timeout

    def configure_host(self):
        mail = self.mail
        if mail.use_ssl:
            host = smtplib.SMTP_SSL(mail.server, mail.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(mail.server, mail.port, timeout=self.timeout)
        host.set_debuglevel(int(mail.debug))
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host

    def close(self) -> None:
        if self.host is not None:
            try:
                self.host.quit()
            except (smtplib.SMTPException, OSError):
                self.host.close()
            self.host = None


def build_message(row: OutboxMessage, rendered: Rendered, org) -> Message:
    """The Flask-Mail message. Names and subject are single lines; addresses were validated."""
    recipient = clean_address(row.recipient)
    if recipient is None:
        # The address itself stays out of the message: it goes to the log and to the outbox page.
        raise BadHeaderError(f"outbox {row.id}: the recipient is not a valid address")
    sender_name, sender_address = parseaddr(str(current_app.config.get("MAIL_DEFAULT_SENDER") or ""))
    display = header_safe(org.name(row.locale) if org is not None else sender_name)
    name = header_safe(row.recipient_name)
    message = Message(
        subject=header_safe(rendered.subject, limit=250),
        recipients=[(name, recipient) if name else recipient],
        body=rendered.text,
        html=rendered.html,
        sender=formataddr((display, sender_address)) if display else sender_address,
        # No Reply-To: a reporter's reply would land in a shared mailbox. The mails point to the tracking
        # page and the office's contact details instead. RFC 3834: no auto-replies to these.
        extra_headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    message.msgId = message_id(row)
    return message


# --- one round ---------------------------------------------------------------------------------------


def due_ids_query(dialect: str, *, now: datetime, limit: int):
    """The ids of due mails; on PostgreSQL locked for this transaction, skipping rows others hold."""
    query = (
        select(OutboxMessage.id)
        .where(due_clause(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query


def claim(session, *, now: datetime, limit: int, worker: str) -> list[int]:
    """Take up to ``limit`` due mails for this worker; other workers skip them."""
    return claim_rows(session, due_ids_query(session.get_bind().dialect.name, now=now, limit=limit),
                      now=now, worker=worker)


@dataclass
class _Prepared:
    id: int
    attempts: int
    recipient: str = ""  # only to keep it out of the log (without_address); never logged itself
    rendered: Rendered | None = None
    message: Message | None = None
    error: str = ""


def _prepare(session, ids: list[int]) -> list[_Prepared]:
    org = organisation()
    prepared = []
    for row in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)):
        item = _Prepared(id=row.id, attempts=row.attempts, recipient=row.recipient or "")
        try:
            item.rendered = (Rendered(row.subject, row.body_text, row.body_html) if row.subject else render(row))
            item.message = build_message(row, item.rendered, org)
        except SQLAlchemyError:
            raise  # the database, not this mail: the round stops, the claim runs out, it is tried again
        except Exception as error:  # a broken template or row fails this mail only, visibly
            item.error = f"{type(error).__name__}: {error}"
            # No traceback: its lines may quote the row (and so a sealed reporter's address).
            log.error("outbox %s: cannot build the mail: %s", row.id, without_address(item.error, item.recipient))
        prepared.append(item)
    session.commit()  # no transaction stays open while we talk to the mail server
    return prepared


def _record(session, item: _Prepared, worker: str, **values) -> None:
    if item.rendered is not None:
        values.update(subject=item.rendered.subject, body_text=item.rendered.text, body_html=item.rendered.html)
    begin_write(session)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.id, OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
        .values(claimed_by=None, claimed_until=None, **values)
    )
    session.commit()


def _sent(session, item, worker, now, result) -> None:
    _record(session, item, worker, status="sent", attempts=item.attempts + 1, sent_at=now, last_error="")
    result.sent += 1


def _failed(session, item, worker, now, error: str, result, *, permanent: bool) -> None:
    attempts = item.attempts + 1
    error = error[:2000]
    if permanent or attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        _record(session, item, worker, status="failed", attempts=attempts, failed_at=now, last_error=error)
        result.failed += 1
        log.warning("outbox %s failed after %d tries: %s", item.id, attempts, without_address(error, item.recipient))
    else:
        _record(session, item, worker, status="pending", attempts=attempts, next_attempt_at=now + retry_delay(attempts),
                last_error=error)
        result.retried += 1


def _release(session, item, worker, result) -> None:
    """Give a claimed mail back untried (the connection broke before its turn)."""
    begin_write(session)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.id, OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
        .values(status="pending", claimed_by=None, claimed_until=None)
    )
    session.commit()
    result.released += 1


_ADDRESS_LIKE = re.compile(r"[^\s<>\"'@,;:()\[\]]+@[^\s<>\"'@,;:()\[\]]+")


def without_address(text: str, recipient: str = "") -> str:
    """``text`` (a server's answer, an error) fit for the log: no address in it, nor the name part or the
    domain of the recipient's. The log is read by people who may not know who reported what."""
    text = _ADDRESS_LIKE.sub("<address>", text or "")
    local, _sep, domain = (recipient or "").partition("@")
    for part in (recipient, local if len(local) >= 3 else "", domain):
        if part:
            text = re.sub(re.escape(part), "<address>", text, flags=re.IGNORECASE)
    return text


def _smtp_answer(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def deliver_due(*, now: datetime | None = None, limit: int | None = None, worker: str | None = None) -> DeliveryResult:
    """Claim, render and send one batch of due mails. Returns what happened."""
    session = db.session
    now = now or datetime.now(UTC)
    worker = worker or worker_name()
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    result = DeliveryResult()
    ids = claim(session, now=now, limit=limit, worker=worker)
    result.claimed = len(ids)
    if not ids:
        return result
    prepared = _prepare(session, ids)

    connection = TimedConnection(current_app.extensions["mail"], current_app.config["MAIL_TIMEOUT"])
    try:
        connection.__enter__()
    except (smtplib.SMTPException, OSError) as error:
        message = f"mail server {connection.mail.server}:{connection.mail.port} unavailable: {error}"
        log.warning("outbox: %s", message)
        for item in prepared:
            _failed(session, item, worker, now, item.error or message, result, permanent=False)
        return result

    try:
        for index, item in enumerate(prepared):
            if item.message is None:
                _failed(session, item, worker, now, item.error, result, permanent=False)
                continue
            try:
                connection.send(item.message)
            except smtplib.SMTPRecipientsRefused as error:
                code, text = next(iter(error.recipients.values()))
                _failed(session, item, worker, now, _smtp_answer(code, text), result, permanent=code >= 500)
            except smtplib.SMTPResponseException as error:
                _failed(session, item, worker, now, _smtp_answer(error.smtp_code, error.smtp_error), result,
                        permanent=500 <= error.smtp_code < 600)
                if error.smtp_code == 421:  # the server is closing the connection
                    for rest in prepared[index + 1:]:
                        _release(session, rest, worker, result)
                    break
            except BadHeaderError as error:
                _failed(session, item, worker, now, f"refused to send a malformed header: {error}", result,
                        permanent=True)
            except (smtplib.SMTPException, OSError) as error:
                # The connection itself broke (timeout, reset): this one is tried again later, and so are
                # the ones not yet tried, without counting a try against them.
                _failed(session, item, worker, now, f"{type(error).__name__}: {error}", result, permanent=False)
                for rest in prepared[index + 1:]:
                    _release(session, rest, worker, result)
                break
            else:
                _sent(session, item, worker, now, result)
    finally:
        connection.close()
    return result


def drain(*, now: datetime | None = None, worker: str | None = None, max_rounds: int = 10_000) -> DeliveryResult:
    """Deliver until nothing is due (mails waiting for a later retry stay where they are)."""
    total = DeliveryResult()
    worker = worker or worker_name()
    for _ in range(max_rounds):
        result = deliver_due(now=now, worker=worker)
        total.add(result)
        if result.claimed == 0 or result.sent + result.failed + result.retried == 0:
            break
    return total


def retry(session, message_ids: list[int] | None = None, *, by=None, now: datetime | None = None) -> int:
    """Put failed mails back in the queue (all failed ones when ``message_ids`` is None); audited as done
    ``by`` someone (an :class:`eservice.domain.audit.By`) when given."""
    now = now or datetime.now(UTC)
    query = update(OutboxMessage).where(OutboxMessage.status == "failed")
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    outcome = session.execute(
        query.values(status="pending", attempts=0, next_attempt_at=now, failed_at=None, claimed_by=None,
                     claimed_until=None)
    )
    count = outcome.rowcount or 0
    if by is not None:
        from ..domain import audit

        ids = message_ids
        audit.change(session, by, "outbox.retry", target_type="outbox_message",
                     target_id=ids[0] if ids and len(ids) == 1 else "",
                     details={"ids": ids, "requeued": count} if ids else {"all_failed": True, "requeued": count})
    return count
