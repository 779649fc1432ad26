"""Display names of grants/ enumerations."""

from __future__ import annotations

from grants.models import (
    AppState,
    AuditState,
    BorrowerKind,
    DisbursementState,
    FindingKind,
    NoticeState,
    Outcome,
    PolicyKind,
    RepaymentMethod,
)
from grants.rules.params import InterestMode
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

# --- Subsidies ------------------------------------------------------------------------------
register(
    "policy_kind",
    {
        PolicyKind.STARTUP_GRANT: N_("One-time start-up grant"),
        PolicyKind.RENT_SUBSIDY: N_("Rent subsidy"),
        PolicyKind.LOAN_INTEREST: N_("Loan interest subsidy"),
    },
)
register(
    "eligible_group",
    {
        "registered_unemployed": N_("Registered urban unemployed"),
        "employment_difficulty": N_("Person with employment difficulties"),
        "veteran": N_("Veteran"),
        "released_prisoner": N_("Released prisoner"),
        "graduate": N_("College graduate"),
        "overcapacity_worker": N_("Worker laid off from overcapacity cuts"),
        "returning_migrant": N_("Migrant worker returning home to start a business"),
        "online_merchant": N_("Online merchant"),
        "poverty_alleviated": N_("Lifted out of poverty"),
        "rural_entrepreneur": N_("Farmer or herder starting a business"),
    },
)
register(
    "interest_mode",
    {
        InterestMode.FULL: N_("The whole interest"),
        InterestMode.SHARE: N_("A share of the interest"),
        InterestMode.ABOVE_LPR: N_("The rate above LPR minus the spread"),
    },
)
register(
    "application_state",
    {
        AppState.DRAFT: N_("Draft"),
        AppState.SUBMITTED: N_("Waiting for the base's pre-review"),
        AppState.RETURNED: N_("Returned to the applicant"),
        AppState.FORWARDED: N_("Waiting for the bureau's review"),
        AppState.APPROVED: N_("Approved, waiting for public notice"),
        AppState.IN_NOTICE: N_("In public notice"),
        AppState.PAID: N_("Paid"),
        AppState.REJECTED: N_("Rejected"),
        AppState.WITHDRAWN: N_("Withdrawn"),
    },
)
register(
    "notice_state",
    {NoticeState.OPEN: N_("Published"), NoticeState.CLOSED: N_("Closed")},
)
register(
    "disbursement_state",
    {DisbursementState.DRAFT: N_("Transfer list prepared"), DisbursementState.PAID: N_("Paid")},
)
register(
    "borrower_kind",
    {
        BorrowerKind.INDIVIDUAL: N_("Individual"),
        BorrowerKind.PARTNERSHIP: N_("Partnership"),
        BorrowerKind.ENTERPRISE: N_("Small or micro enterprise"),
    },
)
register(
    "repayment_method",
    {
        RepaymentMethod.EQUAL_INSTALMENT: N_("Equal instalments"),
        RepaymentMethod.EQUAL_PRINCIPAL: N_("Equal principal"),
        RepaymentMethod.INTEREST_ONLY: N_("Interest only, principal at the end"),
    },
)
