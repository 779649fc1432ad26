"""Print-ready HTML turned into PDF (WeasyPrint), and the PDF as a download.

Rendering is CPU-bound and blocking, so it runs in a worker thread. The renderer fetches
nothing from the network: only `data:` URLs and files under `base_url` (a local directory)
are read, so text a user typed can never make the server request a URL. Chinese text needs
a CJK font installed on the machine (Debian `fonts-wqy-microhei`), named in the document's
CSS; HarfBuzz's subsetter (`libharfbuzz-subset0`) keeps rendering fast.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio.to_thread
from starlette.responses import Response

from incubator.errors import AppError
from incubator.files import content_disposition
from incubator.i18n import N_

PDF_TYPE = "application/pdf"
log = logging.getLogger("incubator.pdf")


class PdfUnavailable(AppError):
    """WeasyPrint's system libraries (pango) are missing: the app serves, PDFs answer 503."""

    status_code = 503
    code = "pdf_unavailable"
    message = N_("PDF files cannot be made on this server now. Use the print view and your browser's “Save as PDF”.")


@cache
def _weasyprint() -> tuple[Any, type[Any]]:
    """WeasyPrint's HTML class and a fetcher class, loaded on first use (it needs pango at import)."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        log.error("WeasyPrint cannot load (install pango and a CJK font): %s", exc)
        raise PdfUnavailable() from exc

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        """Data URLs, and files inside one directory; everything else is refused."""

        def __init__(self, root: Path | None) -> None:
            super().__init__(timeout=5, allowed_protocols={"data", "file"}, allow_redirects=False)
            self._root = root

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.lower().startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if self._root is None or not path.is_relative_to(self._root):
                    raise ValueError(f"refused to read {url}")
            return super().fetch(url, headers)

    return HTML, LocalFetcher


def _root_of(base_url: str | None) -> Path | None:
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("", "file"):
        return None
    return Path(unquote(parts.path)).resolve()


def _render(html: str, base_url: str | None) -> bytes:
    html_class, fetcher = _weasyprint()
    document = html_class(string=html, base_url=base_url, url_fetcher=fetcher(_root_of(base_url)))
    content: bytes = document.write_pdf()
    return content


async def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of a complete HTML document (its print CSS applies), rendered in a worker thread."""
    return await anyio.to_thread.run_sync(_render, html, base_url)


def pdf_response(content: bytes, filename: str) -> Response:
    """A PDF attachment that is neither sniffed nor kept in any cache."""
    return Response(
        content,
        media_type=PDF_TYPE,
        headers={
            "content-disposition": content_disposition(filename),
            "cache-control": "private, no-store",
            "x-content-type-options": "nosniff",
        },
    )
