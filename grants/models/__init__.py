"""Models of grants/: job audits, subsidy policies, loans, applications, notices and disbursements.

Tortoise finds models by the names this package exports.
"""

from grants.models.applications import (
    APPLICATION_SCOPE,
    FINAL_STATES,
    LIVE_STATES,
    Application,
    ApplicationEvent,
    AppState,
    Claim,
    Disbursement,
    DisbursementState,
    Evidence,
    NoticeState,
    Objection,
    PublicNotice,
)
from grants.models.audits import AuditFinding, AuditState, FindingKind, JobAudit, Outcome
from grants.models.loans import BorrowerKind, Loan, LoanRepayment, RepaymentMethod
from grants.models.policies import LprRate, Policy, PolicyKind, PolicyVersion, RegionHoliday

__all__ = [
    "APPLICATION_SCOPE",
    "FINAL_STATES",
    "LIVE_STATES",
    "AppState",
    "Application",
    "ApplicationEvent",
    "AuditFinding",
    "AuditState",
    "BorrowerKind",
    "Claim",
    "Disbursement",
    "DisbursementState",
    "Evidence",
    "FindingKind",
    "JobAudit",
    "Loan",
    "LoanRepayment",
    "LprRate",
    "NoticeState",
    "Objection",
    "Outcome",
    "Policy",
    "PolicyKind",
    "PolicyVersion",
    "PublicNotice",
    "RegionHoliday",
    "RepaymentMethod",
]
