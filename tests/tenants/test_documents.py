"""Printed documents: bills, credit notes and receipts as print pages and as PDF, to whoever sees the row."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from incubator import pdf
from incubator.formatting import money
from incubator.i18n import using_locale
from incubator.templating import environment
from tenants.forms.billing import parse_credit_note, parse_payment
from tenants.models import Bill, BillLine, BillStatus, LineKind
from tenants.services import documents
from tenants.services.payments import issue_credit_note, record_payment
from tests.personas import World, principal_of

BASE_NAME = "拉萨市第三极众创空间"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_fonts(content: bytes) -> set[str]:
    """The base font names of the first page's fonts, e.g. ABCDEF+WenQuanYi-Micro-Hei."""
    page = PdfReader(io.BytesIO(content)).pages[0]
    fonts = page["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]) for font in fonts.values()}


def urls_of(world: World, key: str) -> dict[str, tuple[str, str]]:
    """Each document's (print page, PDF) URLs for a startup of the world."""
    bill, note, payment = world.bills[key].id, world.credit_notes[key].id, world.payments[key].id
    return {
        "bill": (f"/bills/{bill}/print", f"/bills/{bill}/pdf"),
        "credit_note": (f"/credit-notes/{note}/print", f"/credit-notes/{note}/pdf"),
        "receipt": (f"/payments/{payment}/receipt", f"/payments/{payment}/receipt/pdf"),
    }


def assert_pdf(response, filename: str) -> bytes:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert f"filename*=UTF-8''{quote(filename, safe='')}" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF-")
    return response.content


async def test_it_gives_the_operator_and_the_founder_each_document_as_page_and_pdf(world: World, login):
    numbers = {
        "bill": world.bills["dsj"].number,
        "credit_note": world.credit_notes["dsj"].number,
        "receipt": world.payments["dsj"].number,
    }
    titles = {"bill": "缴费通知单", "credit_note": "红冲单", "receipt": "收据"}
    for persona in ("operator_dsj", "founder_dsj"):
        browser = await login(persona)
        for kind, (page_url, pdf_url) in urls_of(world, "dsj").items():
            page = await browser.get(page_url)
            assert page.status_code == 200, (persona, page_url)
            assert page.headers["content-type"].startswith("text/html")
            assert '<html lang="zh-CN">' in page.text
            assert BASE_NAME in page.text and titles[kind] in page.text and numbers[kind] in page.text
            assert f'href="{pdf_url}"' in page.text and "data-print" in page.text
            assert_pdf(await browser.get(pdf_url), f"{titles[kind]}-{numbers[kind]}.pdf")


async def test_it_prints_the_bill_with_its_lines_totals_and_amounts_in_words(world: World, login):
    browser = await login("operator_dsj")
    page_url, pdf_url = urls_of(world, "dsj")["bill"]
    page = (await browser.get(page_url)).text
    # Billed to the snapshot on the bill; January's rent on A-203 at list price less the discount.
    assert "拉萨雪域青稞文创有限公司" in page and "A-203" in page and "(31 天)" in page
    assert "¥1,200.00" in page and "-¥200.00" in page and "¥1,000.00" in page
    # 1000 charged, 100 credited, 600 paid: 300 due, in figures and in words.
    assert "人民币壹仟元整" in page and "¥300.00" in page and "人民币叁佰元整" in page
    assert world.credit_notes["dsj"].number in page and world.payments["dsj"].number in page
    assert "cancelled-stamp" not in page

    content = assert_pdf(await browser.get(pdf_url), f"缴费通知单-{world.bills['dsj'].number}.pdf")
    text = pdf_text(content)
    for expected in (
        BASE_NAME,
        "缴费通知单",
        world.bills["dsj"].number,
        "¥1,000.00",
        "人民币壹仟元整",
        "人民币叁佰元整",
    ):
        assert expected in text, expected
    assert any("WenQuanYi" in name for name in pdf_fonts(content)), pdf_fonts(content)


async def test_it_prints_the_receipt_with_the_amount_in_words_and_a_place_for_the_seal(world: World, login):
    browser = await login("founder_dsj")
    payment = world.payments["dsj"]
    _page_url, pdf_url = urls_of(world, "dsj")["receipt"]
    content = assert_pdf(await browser.get(pdf_url), f"收据-{payment.number}.pdf")
    text = pdf_text(content)
    for expected in (BASE_NAME, "收据", payment.number, "¥600.00", "人民币陆佰元整", "银行转账", payment.reference):
        assert expected in text, expected
    assert world.bills["dsj"].number in text and "收款人" in text and "（盖章）" in text
    assert any("WenQuanYi" in name for name in pdf_fonts(content))


async def test_it_prints_the_credit_note_with_the_line_it_reverses(world: World, login):
    browser = await login("operator_dsj")
    note = world.credit_notes["dsj"]
    page_url, pdf_url = urls_of(world, "dsj")["credit_note"]
    page = (await browser.get(page_url)).text
    assert "空调维修停用两天" in page and world.bills["dsj"].number in page and "A-203" in page
    assert "-¥100.00" in page and "人民币壹佰元整" in page and "¥900.00" in page
    text = pdf_text(assert_pdf(await browser.get(pdf_url), f"红冲单-{note.number}.pdf"))
    assert BASE_NAME in text and "红冲单" in text and note.number in text and "人民币壹佰元整" in text


async def test_it_speaks_english_to_an_english_reader(world: World, login):
    browser = await login("operator_dsj")
    await browser.post("/language", {"locale": "en"})
    urls = urls_of(world, "dsj")
    bill = await browser.get(urls["bill"][0])
    assert '<html lang="en">' in bill.text
    assert ">Bill<" in bill.text and "Amount due" in bill.text and "(31 days)" in bill.text
    assert "Print" in bill.text and "Download PDF" in bill.text
    receipt = await browser.get(urls["receipt"][0])
    assert ">Receipt<" in receipt.text and "Received by" in receipt.text and "(seal)" in receipt.text
    # 大写 is what a Chinese receipt carries, whatever the reader's language.
    assert "人民币陆佰元整" in receipt.text
    assert ">Credit note<" in (await browser.get(urls["credit_note"][0])).text
    pdf = await browser.get(urls["bill"][1])
    assert_pdf(pdf, f"Bill-{world.bills['dsj'].number}.pdf")


async def test_it_words_generated_line_codes_and_shows_service_quantities(world: World):
    principal = await principal_of(world, "operator_dsj")
    doc = await documents.bill_document(principal, world.bills["dsj"].id)
    day = dt.date(2025, 1, 1)
    extra = [
        BillLine(
            position=3, kind=LineKind.RENT, description="above_list", period_start=day, days=31, amount=Decimal(1)
        ),
        BillLine(position=4, kind=LineKind.WAIVER, description="concession", period_start=day, amount=Decimal(-1)),
        BillLine(
            position=5,
            kind=LineKind.MEETING_ROOM,
            description="会议室 2小时",
            period_start=day,
            period_end=day,
            quantity=Decimal("2.000"),
            unit_price=Decimal("50.00"),
            amount=Decimal("100.00"),
        ),
    ]
    with using_locale("en"):
        html = (
            environment()
            .get_template("tenants/documents/bill.html")
            .render(locale="en", pdf=False, doc=replace(doc, lines=[*doc.lines, *extra]), pdf_url="", back_url="")
        )
    assert "Rent · Agreed rent above list" in html
    assert "Rent waived · Rent concession" in html
    assert "Meeting room · 会议室 2小时" in html and "¥50.00" in html and ">2<" in html


async def test_it_shows_a_cancelled_bill_with_a_stamp(world: World, login):
    operator = await principal_of(world, "operator_dsj")
    bill = world.bills["dsj"]
    note = await issue_credit_note(
        operator,
        bill,
        parse_credit_note(
            {"reason": "入驻协议撤销", "whole": "1", "issued_on": "2025-03-01"}, today=dt.date(2025, 3, 1)
        ),
    )
    assert (await Bill.get(id=bill.id)).status is BillStatus.CANCELLED
    browser = await login("founder_dsj")
    page = (await browser.get(f"/bills/{bill.id}/print")).text
    assert 'id="cancelled-stamp"' in page and "已作废" in page
    # The payment on it went back to credit: both documents say so.
    assert f"因红冲单 {note.number} 退回账户余额" in page
    text = pdf_text(assert_pdf(await browser.get(f"/bills/{bill.id}/pdf"), f"缴费通知单-{bill.number}.pdf"))
    assert "已作废" in text
    receipt = (await browser.get(f"/payments/{world.payments['dsj'].id}/receipt")).text
    assert "留作账户余额（预收款）：¥600.00" in receipt
    await browser.post("/language", {"locale": "en"})
    assert "Cancelled" in (await browser.get(f"/bills/{bill.id}/print")).text


async def test_it_shows_the_part_of_a_payment_kept_as_credit(world: World, login):
    operator = await principal_of(world, "operator_dsj")
    startup = world.startups["dsj"]
    payment = await record_payment(
        operator,
        parse_payment(
            {
                "startup_id": str(startup.id),
                "received_on": "2025-03-05",
                "amount": "12000.00",
                "method": "cash",
                "payer": "次仁卓玛",
            },
            today=dt.date(2025, 3, 5),
        ),
    )
    browser = await login("operator_dsj")
    await browser.post("/language", {"locale": "en"})
    page = (await browser.get(f"/payments/{payment.id}/receipt")).text
    assert "人民币壹万贰仟元整" in page and "Cash" in page and "次仁卓玛" in page
    # 300.00 paid the January bill; the rest stays on the account.
    assert world.bills["dsj"].number in page and "¥300.00" in page
    assert f"Kept as credit on the account: {money(Decimal('11700'), 'en')}" in page


async def test_it_lets_the_bureau_read_and_hides_documents_from_other_startups_and_bases(world: World, login):
    lhasa = await login("bureau_lhasa")
    page_url, _pdf_url = urls_of(world, "dsj")["bill"]
    assert (await lhasa.get(page_url)).status_code == 200
    outsiders = {
        "founder_dsj": "dsj_sibling",  # another startup of the same base
        "operator_chamdo": "dsj",  # another base
        "operator_dsj": "chamdo",
        "bureau_chamdo": "dsj",  # another region
    }
    for persona, key in outsiders.items():
        browser = await login(persona)
        for page_url, pdf_url in urls_of(world, key).values():
            for url in (page_url, pdf_url):
                response = await browser.get(url)
                assert response.status_code == 404, (persona, url)
                assert world.startups[key].name not in response.text


async def test_it_sends_anonymous_visitors_to_the_login_page(world: World, anonymous):
    for page_url, pdf_url in urls_of(world, "dsj").values():
        for url in (page_url, pdf_url):
            response = await anonymous.get(url)
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/login")


async def test_it_gives_a_bill_pdf_through_the_api(world: World, token_for, api):
    bill = world.bills["dsj"]
    client = await token_for("founder_dsj")
    response = await client.get(f"/api/v1/bills/{bill.id}/pdf")
    assert BASE_NAME in pdf_text(assert_pdf(response, f"缴费通知单-{bill.number}.pdf"))
    english = await client.get(f"/api/v1/bills/{bill.id}/pdf", headers={"Accept-Language": "en"})
    assert_pdf(english, f"Bill-{bill.number}.pdf")
    foreign = await client.get(f"/api/v1/bills/{world.bills['dsj_sibling'].id}/pdf")
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "not_found"
    anonymous = await api.get(f"/api/v1/bills/{bill.id}/pdf")
    assert anonymous.status_code == 401
    document = (await api.get("/api/v1/openapi.json")).json()
    ok = document["paths"]["/api/v1/bills/{bill_id}/pdf"]["get"]["responses"]["200"]
    assert ok["content"]["application/pdf"]["schema"]["format"] == "binary"


def test_it_reads_no_url_but_data_and_files_under_the_base(tmp_path: Path):
    sheet = tmp_path / "print.css"
    sheet.write_text("body { color: black }", encoding="utf-8")
    fetcher = pdf._weasyprint()[1](tmp_path.resolve())
    assert fetcher.fetch(sheet.as_uri()).read() == b"body { color: black }"
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    for url in ("file:///etc/passwd", (tmp_path / ".." / "x.css").as_uri(), "http://127.0.0.1:9/x.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    with pytest.raises(ValueError):
        pdf._weasyprint()[1](None).fetch(sheet.as_uri())


async def test_it_answers_503_with_a_way_out_when_the_server_cannot_make_pdfs(login, world, monkeypatch):
    def missing() -> None:
        raise pdf.PdfUnavailable()

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    operator = await login("operator_dsj")
    response = await operator.get(f"/bills/{world.bills['dsj'].id}/pdf")
    assert response.status_code == 503
    assert "另存为 PDF" in response.text
    assert (await operator.get(f"/bills/{world.bills['dsj'].id}/print")).status_code == 200
