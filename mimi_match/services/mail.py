"""E-mail for notifications: queued with the database change that caused them; once it commits, each
message becomes a job on the mail queue, and a mail worker sends it (with retries), never the request.

With ``MAIL_SERVER`` set, messages go out over SMTP (STARTTLS when ``MAIL_USE_TLS``); without it
(development, tests) they are written to the log instead, so nothing leaves the machine by accident.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
OUTBOX = "mimi_outbox"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    # (file name, MIME type, text): a meeting's calendar file
    attachments: tuple[tuple[str, str, str], ...] = ()


def queue(session: Session, mail: Mail) -> None:
    """Send ``mail`` once ``session`` commits; forget it on rollback."""
    session.info.setdefault(OUTBOX, []).append(mail)


def deliver(mail: Mail, raise_errors: bool = False) -> None:
    """Send one message now (the mail worker does this); ``raise_errors`` lets the queue retry it."""
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        if cfg.get("ENV_NAME") == "production":  # the log is no place for addresses, names or account links
            log.warning("mail not sent (no MAIL_SERVER configured)")
        else:  # a developer's machine: the whole message, so its links can be followed
            log.info("mail not sent (no MAIL_SERVER configured)", extra={
                "mail_to": mail.to, "subject": mail.subject, "body": mail.body,
                "attachments": [name for name, _type, _text in mail.attachments]})
        return
    try:
        message = EmailMessage()
        message["From"] = cfg["MAIL_FROM"]
        message["To"] = " ".join(mail.to.split())
        message["Subject"] = " ".join(mail.subject.split())[:250]  # no line breaks in a header
        message.set_content(mail.body)
        for name, mime, text in mail.attachments:
            maintype, _slash, subtype = mime.partition("/")
            message.add_attachment(text.encode(), maintype=maintype, subtype=subtype or "plain", filename=name)
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg.get("MAIL_PORT", 587), timeout=10) as smtp:
            if cfg.get("MAIL_USE_TLS", True):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except Exception as error:  # noqa: BLE001  (one failed mail must not fail the change; the in-app note is there)
        log.warning("mail delivery failed", extra={"error": type(error).__name__})
        if raise_errors:
            raise


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    outbox = session.info.pop(OUTBOX, None)
    if outbox and has_app_context():
        from .. import jobs

        for mail in outbox:
            jobs.send_mail(mail.to, mail.subject, mail.body, [list(a) for a in mail.attachments])


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, _previous_transaction) -> None:
    session.info.pop(OUTBOX, None)
