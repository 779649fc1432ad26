"""Printed documents: a bill, a credit note or a receipt as a print-ready page, and the same page as PDF.

The PDF is rendered from the very template of the print view (its print CSS applies), so
what the browser prints and what is downloaded say the same thing.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator.i18n import gettext
from incubator.pages import page_principal
from incubator.pdf import html_to_pdf, pdf_response
from incubator.templating import STATIC_DIR, context_for, environment, render
from tenants.services import documents

UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
TEMPLATES = {
    "bill": "tenants/documents/bill.html",
    "credit_note": "tenants/documents/credit_note.html",
    "receipt": "tenants/documents/receipt.html",
}


def document_filename(title: str, number: str) -> str:
    """e.g. 缴费通知单-DSJ-2026-000001.pdf, whatever characters the base's numbering pattern uses."""
    return UNSAFE_IN_NAME.sub("_", f"{title}-{number}") + ".pdf"


async def document_pdf(request: Request, kind: str, context: dict[str, Any]) -> bytes:
    """The document's print page rendered to PDF in the request's language."""
    html = environment().get_template(TEMPLATES[kind]).render(context_for(request, {**context, "pdf": True}))
    return await html_to_pdf(html, base_url=STATIC_DIR.as_uri() + "/")


def _page(request: Request, kind: str, context: dict[str, Any]) -> Response:
    return render(request, TEMPLATES[kind], {**context, "pdf": False}, headers={"cache-control": "private, no-store"})


async def _bill(request: Request) -> dict[str, Any]:
    doc = await documents.bill_document(page_principal(request), request.path_params["bill_id"])
    return {"doc": doc, "pdf_url": f"/bills/{doc.bill.id}/pdf", "back_url": f"/bills/{doc.bill.id}"}


async def bill_print(request: Request) -> Response:
    return _page(request, "bill", await _bill(request))


async def bill_pdf(request: Request) -> Response:
    context = await _bill(request)
    content = await document_pdf(request, "bill", context)
    return pdf_response(content, document_filename(gettext("Bill"), context["doc"].bill.number))


async def _credit_note(request: Request) -> dict[str, Any]:
    doc = await documents.credit_note_document(page_principal(request), request.path_params["credit_note_id"])
    note_id = doc.note.id
    return {"doc": doc, "pdf_url": f"/credit-notes/{note_id}/pdf", "back_url": f"/credit-notes/{note_id}"}


async def credit_note_print(request: Request) -> Response:
    return _page(request, "credit_note", await _credit_note(request))


async def credit_note_pdf(request: Request) -> Response:
    context = await _credit_note(request)
    content = await document_pdf(request, "credit_note", context)
    return pdf_response(content, document_filename(gettext("Credit note"), context["doc"].note.number))


async def _receipt(request: Request) -> dict[str, Any]:
    doc = await documents.receipt_document(page_principal(request), request.path_params["payment_id"])
    payment_id = doc.payment.id
    return {"doc": doc, "pdf_url": f"/payments/{payment_id}/receipt/pdf", "back_url": f"/payments/{payment_id}"}


async def receipt_print(request: Request) -> Response:
    return _page(request, "receipt", await _receipt(request))


async def receipt_pdf(request: Request) -> Response:
    context = await _receipt(request)
    content = await document_pdf(request, "receipt", context)
    return pdf_response(content, document_filename(gettext("Receipt"), context["doc"].payment.number))
