"""JSON API's documents: a bill as PDF, the same document as the print page's download."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from incubator.apikit import api_principal, operation
from incubator.i18n import gettext
from incubator.pdf import PDF_TYPE, pdf_response
from tenants.services import documents
from tenants.views.documents import document_filename, document_pdf

PDF_BODY = {"type": "string", "format": "binary", "description": "The bill (缴费通知单) as an A4 PDF"}


@operation(
    "A bill as PDF, in the language of Accept-Language (Chinese by default)",
    tags=("billing",),
    response=PDF_BODY,
    media_type=PDF_TYPE,
)
async def bill_pdf(request: Request) -> Response:
    doc = await documents.bill_document(api_principal(request), request.path_params["bill_id"])
    content = await document_pdf(request, "bill", {"doc": doc, "pdf_url": "", "back_url": ""})
    return pdf_response(content, document_filename(gettext("Bill"), doc.bill.number))
