"""Models of grants/: the bureau's job audits (subsidy policies and applications join them).

Tortoise finds models by the names this package exports.
"""

from grants.models.audits import AuditFinding, AuditState, FindingKind, JobAudit, Outcome

__all__ = ["AuditFinding", "AuditState", "FindingKind", "JobAudit", "Outcome"]
