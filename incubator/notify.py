"""In-app notifications: a message to each person concerned, with an unread count in the header.

`notify` is called inside the service's transaction, so a refused change notifies nobody.
The message is a message id with plain parameters, translated when the reader opens it.
A user reads only their own messages (the model's scope is `own="user_id"`), the admin too.
When the installation has SMTP configured, `send_pending_emails` (run by the caller after its
transaction) also mails each message to a user who has an e-mail address.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from collections.abc import Iterable, Mapping, Sequence
from email.message import EmailMessage
from typing import Any

from starlette.concurrency import run_in_threadpool
from tortoise.queryset import QuerySet

from incubator.access import Principal, get_visible, visible
from incubator.i18n import DEFAULT_LOCALE, gettext, using_locale
from incubator.models import Notification
from incubator.settings import Settings, get_settings

log = logging.getLogger("incubator.notify")

INBOX = "/notifications"
# Messages older than this are not worth mailing any more (a user without an address ages out).
EMAIL_WITHIN = dt.timedelta(days=7)
EMAIL_BATCH = 200


async def notify(
    user_ids: Iterable[int], msgid: str, *, params: Mapping[str, str | int] | None = None, link: str = ""
) -> int:
    """Leave the message for each user (once each); returns how many were written."""
    users = sorted({uid for uid in user_ids if uid})
    if not users:
        return 0
    await Notification.bulk_create(
        [Notification(user_id=uid, msgid=msgid, params=dict(params or {}), link=link) for uid in users]
    )
    return len(users)


class _Params(dict[str, Any]):
    """A message's parameters; one the stored message lacks shows as nothing instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


def message_text(note: Notification) -> str:
    """The message in the active locale, its parameters filled in; never fails on odd parameters."""
    template = gettext(note.msgid)
    params = note.params if isinstance(note.params, Mapping) else {}
    try:
        return template % _Params(params)
    except (TypeError, ValueError):
        return template


def safe_link(link: str) -> str:
    """A path inside the app, else the inbox: never a redirect to another site (//host, /\\host)."""
    inside = link.startswith("/") and not link.startswith("//")
    if not inside or any(c == "\\" or c.isspace() or not c.isprintable() for c in link):
        return INBOX
    return link


def inbox(principal: Principal) -> QuerySet[Notification]:
    """The principal's own messages, newest first."""
    return visible(principal, Notification).order_by("-id")


async def unread_count(principal: Principal) -> int:
    """How many of the principal's messages are unread: one COUNT on the (user_id, read_at) index."""
    return await visible(principal, Notification).filter(read_at__isnull=True).count()


async def open_notification(principal: Principal, notification_id: int) -> str:
    """Mark one of the principal's messages read (NotFound for anyone else's); returns where it points.

    Reading one's own messages changes no record of the installation, so it is not audited.
    """
    note = await get_visible(principal, Notification, notification_id)
    if note.read_at is None:
        await visible(principal, Notification).filter(id=note.id, read_at__isnull=True).update(read_at=_now())
    return safe_link(note.link)


async def mark_all_read(principal: Principal) -> int:
    """Mark every unread message of the principal read; returns how many were."""
    return await visible(principal, Notification).filter(read_at__isnull=True).update(read_at=_now())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- e-mail -----------------------------------------------------------------------------------


def _email(note: Notification, address: str, settings: Settings) -> EmailMessage:
    with using_locale(note.user.locale or DEFAULT_LOCALE):
        text = message_text(note)
        subject = gettext("Incubator platform: %(text)s", text=text)
        body = text
        if note.link:
            body += "\n\n" + gettext("Open it on the platform: %(path)s", path=safe_link(note.link))
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = address
    message["Subject"] = subject.replace("\n", " ")[:200]
    message.set_content(body)
    return message


def _deliver(settings: Settings, outgoing: Sequence[tuple[int, EmailMessage]]) -> list[int]:
    """Send over one SMTP connection (in a worker thread); the ids of the messages sent."""
    sent: list[int] = []
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            for note_id, message in outgoing:
                try:
                    smtp.send_message(message)
                except smtplib.SMTPRecipientsRefused:
                    # Addresses and content stay out of the log.
                    log.warning("notification %s: the mail server refused the recipient", note_id)
                    continue
                sent.append(note_id)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("notification e-mails: the mail server failed (%s)", type(exc).__name__)
    return sent


async def send_pending_emails(settings: Settings | None = None) -> int:
    """Mail recent unsent messages to their users who have an e-mail address; returns how many were sent.

    Does nothing (and reads nothing) unless SMTP is configured. Run it after the transaction
    that notified, never inside it: a slow mail server must not hold locks. Each message is
    claimed before it is sent, so two processes never mail it twice.
    """
    settings = settings or get_settings()
    if not settings.smtp_configured:
        return 0
    pending = (
        await Notification.filter(emailed_at__isnull=True, created_at__gte=_now() - EMAIL_WITHIN)
        .select_related("user")
        .order_by("id")
        .limit(EMAIL_BATCH)
    )
    outgoing: list[tuple[int, EmailMessage]] = []
    for note in pending:
        address = str(getattr(note.user, "email", "") or "")
        if not address or not note.user.is_active:
            continue
        claimed = await Notification.filter(id=note.id, emailed_at__isnull=True).update(emailed_at=_now())
        if claimed:
            outgoing.append((note.id, _email(note, address, settings)))
    if not outgoing:
        return 0
    sent = await run_in_threadpool(_deliver, settings, outgoing)
    failed = [note_id for note_id, _message in outgoing if note_id not in set(sent)]
    if failed:
        # Not sent: leave them for the next run.
        await Notification.filter(id__in=failed).update(emailed_at=None)
    log.info("notification e-mails sent: %d", len(sent))
    return len(sent)
