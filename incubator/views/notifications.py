"""Notification pages: one's messages, opening one (marks it read, goes where it points), all read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from incubator import notify
from incubator.i18n import ngettext
from incubator.pages import page_principal, redirect
from incubator.pagination import paginate, window
from incubator.templating import render


async def notification_list(request: Request) -> Response:
    principal = page_principal(request)
    limit, offset = window(request.query_params)
    page = await paginate(notify.inbox(principal), limit, offset)
    items = [{"note": n, "text": notify.message_text(n)} for n in page.items]
    return render(request, "incubator/notifications.html", {"page": page, "items": items, "nav": "notifications"})


async def open_notification(request: Request) -> Response:
    principal = page_principal(request)
    link = await notify.open_notification(principal, request.path_params["notification_id"])
    return redirect(link)


async def read_all(request: Request) -> Response:
    principal = page_principal(request)
    count = await notify.mark_all_read(principal)
    flash = ngettext("%(num)d message marked as read.", "%(num)d messages marked as read.", count) if count else None
    return redirect(notify.INBOX, flash, request)
