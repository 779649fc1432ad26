"""Routes of grants/: job audits, subsidy policies, applications, notices, disbursements, loans."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from grants import explain as _explain  # noqa: F401 - registers the trace helper for templates
from grants import labels as _labels  # noqa: F401 - registers display names
from grants.api import applications as application_api
from grants.api import job_audits as audit_api
from grants.api import loans as loan_api
from grants.api import notices as notice_api
from grants.api import policies as policy_api
from grants.api import subsidy_reports as report_api
from grants.views import applications as apps
from grants.views import disbursements, loans, notices, policies
from grants.views import job_audits as audits
from grants.views import subsidy_reports as reports

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

application_routes: list[BaseRoute] = [
    Route("/subsidies", apps.subsidies, methods=GET),
    Route("/subsidies/apply", apps.subsidy_apply, methods=GET),
    Route("/applications", apps.applications, methods=GET),
    Route("/applications", apps.application_create, methods=POST),
    Route("/applications/{application_id:int}", apps.application_detail, methods=GET),
    Route("/applications/{application_id:int}", apps.application_update, methods=POST),
    Route("/applications/{application_id:int}/evidence", apps.evidence_upload, methods=POST),
    Route("/applications/{application_id:int}/evidence/{evidence_id:int}", apps.evidence_download, methods=GET),
    Route("/applications/{application_id:int}/evidence/{evidence_id:int}/delete", apps.evidence_delete, methods=POST),
    Route("/applications/{application_id:int}/transitions", apps.application_transition, methods=POST),
    Route("/api/v1/eligibility", application_api.eligibility, methods=GET),
    Route("/api/v1/applications", application_api.list_applications, methods=GET),
    Route("/api/v1/applications", application_api.create_application, methods=POST),
    Route("/api/v1/applications/{application_id:int}", application_api.get_application, methods=GET),
    Route("/api/v1/applications/{application_id:int}", application_api.update_application, methods=["PATCH"]),
    Route("/api/v1/applications/{application_id:int}/transitions", application_api.transition, methods=POST),
]

# Public notices (公示) and disbursements (拨付); /public/notices/… needs no login (tests/routes_walk PUBLIC).
notice_routes: list[BaseRoute] = [
    Route("/notices", notices.notice_list, methods=GET),
    Route("/notices", notices.notice_create, methods=POST),
    Route("/notices/new", notices.notice_new, methods=GET),
    Route("/notices/{notice_id:int}", notices.notice_detail, methods=GET),
    Route("/notices/{notice_id:int}/objections", notices.objection_create, methods=POST),
    Route("/notices/{notice_id:int}/print", notices.notice_print, methods=GET),
    Route("/notices/{notice_id:int}.pdf", notices.notice_pdf, methods=GET),
    Route("/public/notices/{notice_id:int}", notices.public_page, methods=GET),
    Route("/public/notices/{notice_id:int}.pdf", notices.public_pdf, methods=GET),
    Route("/disbursements", disbursements.disbursement_list, methods=GET),
    Route("/disbursements", disbursements.disbursement_create, methods=POST),
    Route("/disbursements/new", disbursements.disbursement_new, methods=GET),
    Route("/disbursements/{disbursement_id:int}", disbursements.disbursement_detail, methods=GET),
    Route("/disbursements/{disbursement_id:int}/paid", disbursements.disbursement_paid, methods=POST),
    Route("/disbursements/{disbursement_id:int}/remove", disbursements.disbursement_remove, methods=POST),
    Route("/disbursements/{disbursement_id:int}/delete", disbursements.disbursement_delete, methods=POST),
    Route(
        "/disbursements/{disbursement_id:int}/transfer-list.xlsx",
        disbursements.transfer_list_download,
        methods=GET,
    ),
    Route("/api/v1/notices", notice_api.list_notices, methods=GET),
    Route("/api/v1/notices", notice_api.publish_notice, methods=POST),
    Route("/api/v1/notices/{notice_id:int}", notice_api.get_notice, methods=GET),
    Route("/api/v1/notices/{notice_id:int}/objections", notice_api.object_to, methods=POST),
    Route("/api/v1/disbursements", notice_api.list_disbursements, methods=GET),
    Route("/api/v1/disbursements", notice_api.create_disbursement, methods=POST),
    Route("/api/v1/disbursements/{disbursement_id:int}", notice_api.get_disbursement, methods=GET),
    Route("/api/v1/disbursements/{disbursement_id:int}/paid", notice_api.record_paid, methods=POST),
]

loan_routes: list[BaseRoute] = [
    Route("/loans", loans.loans, methods=GET),
    Route("/loans", loans.loan_create, methods=POST),
    Route("/loans/new", loans.loan_new, methods=GET),
    Route("/loans/{loan_id:int}", loans.loan_detail, methods=GET),
    Route("/loans/{loan_id:int}/edit", loans.loan_edit, methods=GET),
    Route("/loans/{loan_id:int}/edit", loans.loan_update, methods=POST),
    Route("/loans/{loan_id:int}/repayments", loans.repayment_create, methods=POST),
    Route("/api/v1/loans", loan_api.list_loans, methods=GET),
    Route("/api/v1/loans", loan_api.create_loan, methods=POST),
    Route("/api/v1/loans/{loan_id:int}", loan_api.get_loan, methods=GET),
    Route("/api/v1/loans/{loan_id:int}/repayments", loan_api.create_repayment, methods=POST),
]

policy_routes: list[BaseRoute] = [
    Route("/policies", policies.policy_list, methods=GET),
    Route("/policies", policies.policy_create, methods=POST),
    Route("/policies/new", policies.policy_new, methods=GET),
    Route("/policies/defaults", policies.install_defaults, methods=POST),
    Route("/policies/lpr", policies.lpr_list, methods=GET),
    Route("/policies/lpr", policies.lpr_create, methods=POST),
    Route("/policies/lpr/{lpr_id:int}", policies.lpr_update, methods=POST),
    Route("/policies/lpr/{lpr_id:int}/delete", policies.lpr_delete, methods=POST),
    Route("/policies/holidays", policies.holiday_list, methods=GET),
    Route("/policies/holidays", policies.holiday_create, methods=POST),
    Route("/policies/holidays/{holiday_id:int}", policies.holiday_update, methods=POST),
    Route("/policies/holidays/{holiday_id:int}/delete", policies.holiday_delete, methods=POST),
    Route("/policies/{policy_id:int}", policies.policy_detail, methods=GET),
    Route("/policies/{policy_id:int}", policies.policy_update, methods=POST),
    Route("/policies/{policy_id:int}/versions/new", policies.version_new, methods=GET),
    Route("/policies/{policy_id:int}/versions", policies.version_create, methods=POST),
    Route("/policy-versions/{version_id:int}", policies.version_edit, methods=GET),
    Route("/policy-versions/{version_id:int}", policies.version_update, methods=POST),
    Route("/api/v1/policies", policy_api.list_policies, methods=GET),
    Route("/api/v1/policies/{policy_id:int}", policy_api.get_policy, methods=GET),
    Route("/api/v1/policies/{policy_id:int}/versions", policy_api.create_version, methods=POST),
    Route("/api/v1/policy-versions/{version_id:int}", policy_api.update_version, methods=["PATCH"]),
    Route("/api/v1/lpr-rates", policy_api.list_lpr_rates, methods=GET),
    Route("/api/v1/holidays", policy_api.list_holidays, methods=GET),
]

# The dashboard of money applied, approved and paid, and the ledger of subsidies (read-only).
report_routes: list[BaseRoute] = [
    Route("/subsidies/dashboard", reports.dashboard, methods=GET),
    Route("/subsidies/dashboard.xlsx", reports.dashboard_export, methods=GET),
    Route("/subsidies/ledger", reports.ledger, methods=GET),
    Route("/subsidies/ledger.xlsx", reports.ledger_export, methods=GET),
    Route("/api/v1/subsidy-figures", report_api.figures, methods=GET),
    Route("/api/v1/subsidy-ledger", report_api.ledger, methods=GET),
]

routes: list[BaseRoute] = [
    *audit_routes,
    *policy_routes,
    *application_routes,
    *notice_routes,
    *loan_routes,
    *report_routes,
]
