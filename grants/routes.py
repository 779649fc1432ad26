"""Routes of grants/: the bureau's job audits (subsidies join them)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from grants import labels as _labels  # noqa: F401 - registers display names
from grants.api import job_audits as audit_api
from grants.views import job_audits as audits

GET, POST = ["GET"], ["POST"]

audit_routes: list[BaseRoute] = [
    Route("/job-audits", audits.audit_list, methods=GET),
    Route("/job-audits", audits.audit_create, methods=POST),
    Route("/job-audits/startup-options", audits.audit_startups, methods=GET),
    Route("/job-audits/{audit_id:int}", audits.audit_detail, methods=GET),
    Route("/job-audits/{audit_id:int}/roster", audits.roster_upload, methods=POST),
    Route("/job-audits/{audit_id:int}/mapping", audits.roster_mapping, methods=POST),
    Route("/job-audits/{audit_id:int}/confirm", audits.confirm_all, methods=POST),
    Route("/job-audits/{audit_id:int}/sign-off", audits.audit_sign_off, methods=POST),
    Route("/job-audits/{audit_id:int}/report.xlsx", audits.audit_report_download, methods=GET),
    Route("/job-audit-findings/{finding_id:int}/decision", audits.finding_decide, methods=POST),
    Route("/api/v1/job-audits", audit_api.list_audits, methods=GET),
    Route("/api/v1/job-audits", audit_api.create_audit, methods=POST),
    Route("/api/v1/job-audits/{audit_id:int}", audit_api.get_audit, methods=GET),
    Route("/api/v1/job-audits/{audit_id:int}/findings", audit_api.list_findings, methods=GET),
    Route("/api/v1/job-audit-findings/{finding_id:int}", audit_api.decide_finding, methods=["PATCH"]),
    Route("/api/v1/job-audits/{audit_id:int}/sign-off", audit_api.sign_off, methods=POST),
]

routes: list[BaseRoute] = [*audit_routes]
