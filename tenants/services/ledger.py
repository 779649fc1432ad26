"""The base's billing ledger: its profile lock, gapless numbers, the document hash chain, closed periods.

Every service that issues a bill, a credit note or a payment calls `lock` first, inside its
transaction: the BillingProfile row of the base is then held until commit, so numbers are
taken and the chain is extended by one issuer at a time (PostgreSQL `FOR UPDATE`; SQLite
serialises its write transactions anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import string
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require
from incubator.audit import snapshot
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import date as format_date
from incubator.formatting import to_fen, today
from incubator.i18n import N_
from incubator.models import Base
from tenants.models import (
    Bill,
    BillingProfile,
    BillLine,
    ClosedPeriod,
    CreditNote,
    CreditNoteLine,
    DocumentCounter,
    Payment,
    Series,
)

GENESIS = "0" * 64
PATTERN_FIELDS = frozenset({"base_code", "year", "seq"})
PROFILE_FIELDS = (
    "bill_pattern",
    "credit_note_pattern",
    "receipt_pattern",
    "due_days",
    "payee_name",
    "bank_name",
    "bank_account",
    "footer",
)


async def profile_of(base_id: int) -> BillingProfile:
    """The base's billing profile, created with the defaults on first use."""
    profile = await BillingProfile.get_or_none(base_id=base_id)
    if profile is None:
        profile, _ = await BillingProfile.get_or_create(base_id=base_id)
    return profile


async def lock(base_id: int) -> BillingProfile:
    """Inside a transaction: the base's profile row, locked until commit."""
    await profile_of(base_id)
    return await BillingProfile.select_for_update().get(base_id=base_id)


# -- numbering ---------------------------------------------------------------------------


def pattern_error(pattern: str) -> str | None:
    """Why a numbering pattern is unusable (a message id), or None."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        return N_("The pattern has an unmatched brace.")
    names = {name for _, name, _, _ in parsed if name is not None}
    if not names <= PATTERN_FIELDS:
        return N_("Use only {base_code}, {year} and {seq} in the pattern.")
    if "seq" not in names:
        return N_("The pattern must contain {seq}.")
    try:
        sample = pattern.format(base_code="DEMO-01", year=2026, seq=123456)
    except (ValueError, KeyError, IndexError):
        return N_("The pattern's format is not valid, e.g. {seq:06d}.")
    if len(sample) > 60 or not sample.strip():
        return N_("The pattern makes numbers longer than 60 characters.")
    return None


def render_number(pattern: str, base_code: str, year: int, seq: int) -> str:
    return pattern.format(base_code=base_code, year=year, seq=seq)


async def next_number(profile: BillingProfile, base: Base, series: Series, day: dt.date) -> tuple[str, int, int]:
    """(number, year, seq) of the next document in the series; call with the profile locked."""
    counter, _ = await DocumentCounter.get_or_create(base_id=base.id, series=series, year=day.year)
    counter = await DocumentCounter.select_for_update().get(id=counter.id)
    counter.last_seq += 1
    await counter.save(update_fields=["last_seq"])
    pattern = {
        Series.BILL: profile.bill_pattern,
        Series.CREDIT_NOTE: profile.credit_note_pattern,
        Series.RECEIPT: profile.receipt_pattern,
    }[series]
    return render_number(pattern, base.code, day.year, counter.last_seq), day.year, counter.last_seq


# -- the chain ---------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return format(to_fen(value), "f")


def _quantity(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.001")), "f")


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def bill_content(bill: Bill, lines: list[BillLine]) -> dict[str, Any]:
    """What a bill says, as hashed: header and lines, never its settlement."""
    return {
        "type": "bill",
        "number": bill.number,
        "base_id": bill.base_id,
        "startup_id": bill.startup_id,
        "billed_to": bill.billed_to,
        "billed_to_code": bill.billed_to_code,
        "period": [_day(bill.period_start), _day(bill.period_end)],
        "issued_on": _day(bill.issued_on),
        "due_on": _day(bill.due_on),
        "totals": [_money(bill.list_rent), _money(bill.waived), _money(bill.rent), _money(bill.services)],
        "total": _money(bill.total),
        "note": bill.note,
        "by": bill.created_by,
        "lines": [
            [
                line.position,
                str(line.kind.value if hasattr(line.kind, "value") else line.kind),
                line.description,
                line.lease_id,
                line.space_id,
                line.space_code,
                _day(line.period_start),
                _day(line.period_end),
                line.days,
                _quantity(line.quantity),
                _money(line.unit_price),
                _money(line.amount),
            ]
            for line in sorted(lines, key=lambda x: x.position)
        ],
    }


def credit_note_content(note: CreditNote, bill_number: str, lines: list[CreditNoteLine]) -> dict[str, Any]:
    return {
        "type": "credit_note",
        "number": note.number,
        "base_id": note.base_id,
        "startup_id": note.startup_id,
        "bill": bill_number,
        "issued_on": _day(note.issued_on),
        "reason": note.reason,
        "total": _money(note.total),
        "by": note.created_by,
        "lines": sorted([line.bill_line_id, _money(line.amount)] for line in lines),
    }


def payment_content(payment: Payment) -> dict[str, Any]:
    return {
        "type": "payment",
        "number": payment.number,
        "base_id": payment.base_id,
        "startup_id": payment.startup_id,
        "received_on": _day(payment.received_on),
        "amount": _money(payment.amount),
        "method": str(getattr(payment.method, "value", payment.method)),
        "payer": payment.payer,
        "reference": payment.reference,
        "note": payment.note,
        "by": payment.created_by,
    }


def link_hash(prev: str, content: dict[str, Any]) -> str:
    body = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def seal(profile: BillingProfile, document: Bill | CreditNote | Payment, content: dict[str, Any]) -> None:
    """Link the document to the chain's head and move the head (save the profile afterwards)."""
    document.chain_seq = profile.chain_seq + 1
    document.prev_hash = profile.chain_hash
    document.hash = link_hash(profile.chain_hash, content)
    profile.chain_seq = document.chain_seq
    profile.chain_hash = document.hash


async def save_head(profile: BillingProfile) -> None:
    """Store the chain's new head after sealing documents (inside the same transaction)."""
    await profile.save(update_fields=["chain_seq", "chain_hash", "updated_at"])


@dataclass(frozen=True)
class ChainCheck:
    base_id: int
    base_code: str
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"{self.base_code}: ok ({self.checked} documents)"
        return f"{self.base_code}: broken at document {self.broken_at}: {self.reason}"


async def _documents(base_id: int, after: int, batch: int) -> list[tuple[int, str, str, dict[str, Any]]]:
    """The next chained documents of a base after `after`, as (chain_seq, prev, hash, content)."""
    upto = after + batch
    found: list[tuple[int, str, str, dict[str, Any]]] = []
    bills = await Bill.filter(base_id=base_id, chain_seq__gt=after, chain_seq__lte=upto)
    lines: dict[int, list[BillLine]] = {}
    for line in await BillLine.filter(bill_id__in=[b.id for b in bills]):
        lines.setdefault(line.bill_id, []).append(line)
    found += [(b.chain_seq, b.prev_hash, b.hash, bill_content(b, lines.get(b.id, []))) for b in bills]
    notes = await CreditNote.filter(base_id=base_id, chain_seq__gt=after, chain_seq__lte=upto).select_related("bill")
    note_lines: dict[int, list[CreditNoteLine]] = {}
    for cline in await CreditNoteLine.filter(credit_note_id__in=[n.id for n in notes]):
        note_lines.setdefault(cline.credit_note_id, []).append(cline)
    found += [
        (n.chain_seq, n.prev_hash, n.hash, credit_note_content(n, n.bill.number, note_lines.get(n.id, [])))
        for n in notes
    ]
    payments = await Payment.filter(base_id=base_id, chain_seq__gt=after, chain_seq__lte=upto)
    found += [(p.chain_seq, p.prev_hash, p.hash, payment_content(p)) for p in payments]
    return sorted(found, key=lambda d: d[0])


async def verify_base(base: Base, batch: int = 500) -> ChainCheck:
    """Walk a base's chain in order: every document present, linked and unaltered, up to the head."""
    profile = await BillingProfile.get_or_none(base_id=base.id)
    head_seq, head_hash = (profile.chain_seq, profile.chain_hash) if profile else (0, GENESIS)
    prev, expected = GENESIS, 1
    while True:
        documents = await _documents(base.id, expected - 1, batch)
        if not documents:
            break
        for seq, prev_hash, digest, content in documents:
            if seq != expected:
                return ChainCheck(base.id, base.code, False, expected - 1, expected, "document missing")
            if prev_hash != prev:
                return ChainCheck(base.id, base.code, False, expected - 1, seq, "link to previous document broken")
            if link_hash(prev, content) != digest:
                return ChainCheck(base.id, base.code, False, expected - 1, seq, "content altered")
            prev, expected = digest, expected + 1
    checked = expected - 1
    if head_seq != checked or head_hash != prev:
        return ChainCheck(base.id, base.code, False, checked, checked + 1, "latest documents removed")
    return ChainCheck(base.id, base.code, True, checked)


async def verify_all() -> list[ChainCheck]:
    return [await verify_base(base) for base in await Base.all().order_by("id")]


# -- closed periods ----------------------------------------------------------------------


def refuse_closed(profile: BillingProfile, day: dt.date, field: str) -> None:
    """A ValidationFailed when the day lies in a closed period."""
    if profile.closed_through is not None and day <= profile.closed_through:
        raise ValidationFailed(
            {field: N_("The books are closed through %(date)s: choose a later date.")},
            field_params={field: {"date": format_date(profile.closed_through)}},
        )


def require_operator(principal: Principal, base_id: int) -> None:
    """Forbidden unless the principal is an operator of this base: billing is kept by the base alone."""
    require(principal, "billing.manage")
    if principal.base_id != base_id:
        raise Forbidden()


async def _record(principal: Principal, action: str, obj: Any, base_id: int, **changes: Any) -> None:
    base = await Base.get(id=base_id)
    await audit.record(principal, action, obj, base_id=base.id, region_code=base.region_id, **changes)


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


async def close_month(principal: Principal, base_id: int, month: dt.date) -> BillingProfile:
    """Close the base's books through the last day of `month` (a month that has ended); never reopened."""
    require_operator(principal, base_id)
    through = month_end(month)
    if through >= today():
        raise ValidationFailed({"month": N_("Only a month that has ended can be closed.")})
    async with in_transaction():
        profile = await lock(base_id)
        if profile.closed_through is not None and through <= profile.closed_through:
            raise ValidationFailed(
                {"month": N_("The books are closed through %(date)s already.")},
                field_params={"month": {"date": format_date(profile.closed_through)}},
            )
        before = profile.closed_through
        profile.closed_through = through
        await profile.save(update_fields=["closed_through", "updated_at"])
        closing = await ClosedPeriod.create(base_id=base_id, through=through, closed_by=principal.username)
        await _record(
            principal,
            "billing.period_closed",
            closing,
            base_id,
            before={"closed_through": before},
            after={"closed_through": through},
        )
    return profile


async def update_profile(principal: Principal, base_id: int, values: dict[str, Any]) -> BillingProfile:
    """Change the base's numbering patterns, due days and payee details (not the chain or closings)."""
    require_operator(principal, base_id)
    errors = {
        name: message
        for name in ("bill_pattern", "credit_note_pattern", "receipt_pattern")
        if (message := pattern_error(str(values[name])))
    }
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        profile = await lock(base_id)
        before = snapshot(profile, PROFILE_FIELDS)
        for name in PROFILE_FIELDS:
            setattr(profile, name, values[name])
        await profile.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
        await _record(
            principal,
            "billing.settings_changed",
            profile,
            base_id,
            before=before,
            after=snapshot(profile, PROFILE_FIELDS),
        )
    return profile
