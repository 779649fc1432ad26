"""Signed agreements: uploads checked by their bytes, kept by SHA-256, downloaded only through the lease."""

from __future__ import annotations

import dataclasses
import hashlib
from urllib.parse import quote

from incubator import files
from incubator.files import FileType, content_disposition, safe_filename
from incubator.models import AuditEvent, StoredFile
from incubator.settings import get_settings
from tenants.models import Lease

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(name: str, content: bytes, declared: str = "application/pdf") -> dict[str, tuple[str, bytes, str]]:
    return {"agreement": (name, content, declared)}


def stored_files() -> set[str]:
    folder = get_settings().var_dir / "files"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


async def nothing_changed(before: tuple[int, int], lease: Lease) -> bool:
    now = (await StoredFile.all().count(), await AuditEvent.all().count())
    return now == before and (await Lease.get(id=lease.id)).agreement_id is None


async def test_it_keeps_an_uploaded_agreement_by_its_hash_and_audits_it(login, world):
    lease = world.leases["dsj"]
    operator = await login("operator_dsj")
    response = await operator.post(f"/leases/{lease.id}/agreement", {}, files=upload("入驻协议 2025.pdf", PDF))
    assert response.status_code == 303
    stored = await StoredFile.get(id=(await Lease.get(id=lease.id)).agreement_id)
    digest = hashlib.sha256(PDF).hexdigest()
    assert (stored.sha256, stored.size, stored.content_type, stored.filename) == (
        digest,
        len(PDF),
        "application/pdf",
        "入驻协议 2025.pdf",
    )
    assert (stored.base_id, stored.uploaded_by_id) == (world.bases["dsj"].id, world.users["operator_dsj"].id)
    assert (get_settings().var_dir / "files" / digest).read_bytes() == PDF
    event = await AuditEvent.get(action="lease.agreement_attached")
    assert event.after["sha256"] == digest and event.before == {"agreement_id": None}
    assert event.base_id == world.bases["dsj"].id
    page = await operator.get(f"/leases/{lease.id}")
    assert f'href="/leases/{lease.id}/agreement"' in page.text and "入驻协议 2025.pdf" in page.text


async def test_it_recognises_files_by_their_bytes_not_their_name(login, world):
    lease = world.leases["dsj"]
    operator = await login("operator_dsj")
    before = (await StoredFile.all().count(), await AuditEvent.all().count())
    on_disk = stored_files()
    for name, content, declared, message in [
        ("合同.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "请上传 PDF、JPEG 或 PNG 文件"),
        ("合同.pdf", b"PK\x03\x04 a zip or docx", "application/pdf", "请上传 PDF、JPEG 或 PNG 文件"),
        ("合同.exe", b"MZ\x90\x00", "application/octet-stream", "请上传 PDF、JPEG 或 PNG 文件"),
        ("空.pdf", b"", "application/pdf", "文件为空"),
    ]:
        response = await operator.post(f"/leases/{lease.id}/agreement", {}, files=upload(name, content, declared))
        assert response.status_code == 422, name
        assert message in response.text and 'id="agreement-error"' in response.text, name
    missing = await operator.post(f"/leases/{lease.id}/agreement", {"agreement": ""})
    assert missing.status_code == 422 and "请选择要上传的文件" in missing.text
    assert await nothing_changed(before, lease)
    assert stored_files() == on_disk
    # A PNG sent as "scan.pdf" with a PDF content type is kept as the PNG it is.
    response = await operator.post(f"/leases/{lease.id}/agreement", {}, files=upload("scan.pdf", PNG))
    assert response.status_code == 303
    stored = await StoredFile.get(sha256=hashlib.sha256(PNG).hexdigest())
    assert (stored.content_type, stored.filename) == ("image/png", "scan.pdf.png")


async def test_it_refuses_a_file_over_the_upload_limit(login, world, monkeypatch):
    small = dataclasses.replace(get_settings(), max_upload_bytes=1000)
    monkeypatch.setattr(files, "get_settings", lambda: small)
    lease = world.leases["dsj"]
    operator = await login("operator_dsj")
    before = (await StoredFile.all().count(), await AuditEvent.all().count())
    too_big = JPEG + b"\x00" * (1001 - len(JPEG))
    response = await operator.post(
        f"/leases/{lease.id}/agreement", {}, files=upload("photo.jpg", too_big, "image/jpeg")
    )
    assert response.status_code == 422 and "文件超过" in response.text
    assert await nothing_changed(before, lease)
    just_fits = too_big[:1000]
    accepted = await operator.post(
        f"/leases/{lease.id}/agreement", {}, files=upload("photo.jpg", just_fits, "image/jpeg")
    )
    assert accepted.status_code == 303
    assert (await StoredFile.get(sha256=hashlib.sha256(just_fits).hexdigest())).content_type == "image/jpeg"


async def test_it_lets_only_operators_upload(login, world):
    lease = world.leases["dsj"]
    browsers = {
        persona: await login(persona) for persona in ("founder_dsj", "bureau_lhasa", "admin", "operator_chamdo")
    }
    other = browsers.pop("operator_chamdo")
    before = (await StoredFile.all().count(), await AuditEvent.all().count())
    for persona, browser in browsers.items():
        response = await browser.post(f"/leases/{lease.id}/agreement", {}, files=upload("a.pdf", PDF))
        assert response.status_code == 403, persona
    assert (await other.post(f"/leases/{lease.id}/agreement", {}, files=upload("a.pdf", PDF))).status_code == 404
    assert await nothing_changed(before, lease)


async def test_it_downloads_the_agreement_safely_and_only_within_scope(login, world):
    operator = await login("operator_dsj")
    for key in ("dsj", "dsj_sibling"):
        await operator.post(f"/leases/{world.leases[key].id}/agreement", {}, files=upload("入驻协议.pdf", PDF))
    url = f"/leases/{world.leases['dsj'].id}/agreement"
    founder = await login("founder_dsj")
    response = await founder.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('入驻协议.pdf')}" in disposition
    # A founder never reaches a sibling startup's agreement.
    assert (await founder.get(f"/leases/{world.leases['dsj_sibling'].id}/agreement")).status_code == 404
    assert (await (await login("bureau_lhasa")).get(url)).status_code == 200
    assert (await (await login("admin")).get(url)).status_code == 200
    assert (await (await login("bureau_chamdo")).get(url)).status_code == 404
    assert (await (await login("operator_chamdo")).get(url)).status_code == 404
    none_yet = await (await login("operator_chamdo")).get(f"/leases/{world.leases['chamdo'].id}/agreement")
    assert none_yet.status_code == 404


def test_it_cleans_file_names_for_storage_and_download():
    pdf = FileType("application/pdf", ".pdf", b"%PDF-")
    assert safe_filename("../../etc/passwd.pdf", pdf) == "passwd.pdf"
    assert safe_filename("C:\\Users\\扎西\\协议.PDF", pdf) == "协议.pdf"
    assert safe_filename('a"b<c>\x00d.pdf', pdf) == "a_b_c_d.pdf"
    assert safe_filename("", pdf) == "file.pdf"
    assert safe_filename("report.docx", pdf) == "report.docx.pdf"
    assert safe_filename("x" * 500 + ".pdf", pdf) == "x" * 190 + ".pdf"
    header = content_disposition('协议 "final".pdf')
    assert header == "attachment; filename=\"__ _final_.pdf\"; filename*=UTF-8''%E5%8D%8F%E8%AE%AE%20%22final%22.pdf"
