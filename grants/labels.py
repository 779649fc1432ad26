"""Display names of grants/ enumerations."""

from __future__ import annotations

from grants.models import AuditState, FindingKind, Outcome
from incubator.i18n import N_
from incubator.labels import register

register(
    "audit_state",
    {
        AuditState.OPEN: N_("Open, waiting for the insurance roster"),
        AuditState.RECONCILED: N_("Reconciled, findings to decide"),
        AuditState.SIGNED_OFF: N_("Signed off"),
        AuditState.SUPERSEDED: N_("Superseded by a later audit"),
    },
)
register(
    "finding_kind",
    {
        FindingKind.VERIFIED: N_("Verified"),
        FindingKind.NOT_FOUND: N_("Not in the insurance roster"),
        FindingKind.OTHER_EMPLOYER: N_("Insured by another employer"),
        FindingKind.FEWER_MONTHS: N_("Fewer months paid than required"),
        FindingKind.COUNTED_TWICE: N_("Declared at two startups"),
        FindingKind.NAME_DIFFERS: N_("Name differs"),
        FindingKind.UNDECLARED: N_("Insured but not on the roster"),
    },
)
register(
    "outcome",
    {
        Outcome.VERIFIED: N_("Verify"),
        Outcome.REJECTED: N_("Reject"),
        Outcome.NOTED: N_("Note for the base"),
    },
)
