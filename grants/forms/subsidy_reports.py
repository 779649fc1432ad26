"""Reading the query of the subsidy dashboard and ledger: the year, the grouping and the filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grants.models import PolicyKind
from incubator.errors import ValidationFailed
from incubator.forms import FormReader
from incubator.i18n import N_
from incubator.regions import is_region_code

FIRST_YEAR = 2000
GROUPINGS = ("policy", "base", "month")


def parse_year(data: Mapping[str, Any], *, today: dt.date, required: bool = False) -> int:
    """The year asked for (this year when none): from 2000 to next year."""
    form = FormReader(data)
    year = form.integer("year", required=required, minimum=FIRST_YEAR, maximum=today.year + 1)
    form.done()
    return year if year is not None else today.year


def parse_grouping(data: Mapping[str, Any]) -> str:
    """How the figures are grouped: by policy kind (default), base or month."""
    value = str(data.get("by") or "policy")
    if value not in GROUPINGS:
        raise ValidationFailed({"by": N_("Choose one of the listed values.")})
    return value


@dataclass(frozen=True)
class LedgerQuery:
    """What the ledger shows: each filter is None when not chosen."""

    year: int | None = None
    kind: PolicyKind | None = None
    base_id: int | None = None
    startup_id: int | None = None
    region_code: str | None = None

    def params(self) -> dict[str, str]:
        """The filters as query parameters (for links to pages and the export)."""
        values = {
            "year": self.year,
            "kind": self.kind.value if self.kind else None,
            "base": self.base_id,
            "startup": self.startup_id,
            "region": self.region_code,
        }
        return {name: str(value) for name, value in values.items() if value is not None}


def parse_ledger_query(data: Mapping[str, Any], *, today: dt.date) -> LedgerQuery:
    """The ledger's filters, every wrong one reported at once (an empty field is no filter)."""
    form = FormReader(data)
    year = form.integer("year", required=False, minimum=FIRST_YEAR, maximum=today.year + 1)
    kind = form.choice("kind", PolicyKind, required=False)
    base_id = form.integer("base", required=False, minimum=1)
    startup_id = form.integer("startup", required=False, minimum=1)
    region = form.raw("region")
    if region and not is_region_code(region):
        form.error("region", N_("A region code has six digits (GB/T 2260), e.g. 540102."))
    form.done()
    return LedgerQuery(year, kind, base_id, startup_id, region or None)
