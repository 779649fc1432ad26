"""Routes of tenants/: startups and people, spaces and leases, base figures, import/export."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from tenants import labels as _labels  # noqa: F401 - registers display names
from tenants.api import accounts as account_api
from tenants.api import billing as billing_api
from tenants.api import billing_runs as run_api
from tenants.api import documents as document_api
from tenants.api import figures as figure_api
from tenants.api import jobs as job_api
from tenants.api import payments as payment_api
from tenants.api import spaces as space_api
from tenants.api import startups as startup_api
from tenants.views import accounts as account_views
from tenants.views import billing, figures, job_exports, jobs, people, roster_import, startups, transfer
from tenants.views import bills as bill_views
from tenants.views import documents as document_views
from tenants.views import leases as lease_views
from tenants.views import payments as payment_views
from tenants.views import spaces as space_views

GET, POST = ["GET"], ["POST"]

# -- startups, founders, people --------------------------------------------------------
startup_routes: list[BaseRoute] = [
    Route("/startups", startups.startups, methods=GET),
    Route("/startups/new", startups.startup_new, methods=GET),
    Route("/startups/new", startups.startup_create, methods=POST),
    Route("/startups/{startup_id:int}", startups.startup_detail, methods=GET),
    Route("/startups/{startup_id:int}/edit", startups.startup_edit, methods=GET),
    Route("/startups/{startup_id:int}/edit", startups.startup_update, methods=POST),
    Route("/startups/{startup_id:int}/transitions", startups.startup_transition, methods=POST),
    Route("/startups/{startup_id:int}/founders", startups.founder_add, methods=POST),
    Route("/founders/{founder_id:int}/end", startups.founder_end, methods=POST),
    Route("/people", people.people, methods=GET),
    Route("/people/{person_id:int}", people.person_detail, methods=GET),
    Route("/people/{person_id:int}/edit", people.person_edit, methods=GET),
    Route("/people/{person_id:int}/edit", people.person_update, methods=POST),
    Route("/people/{person_id:int}/reveal", people.person_reveal, methods=POST),
    Route("/people/{person_id:int}/name-flag", people.person_keep_name, methods=POST),
    Route("/api/v1/startups", startup_api.list_startups, methods=GET),
    Route("/api/v1/startups", startup_api.create_startup, methods=POST),
    Route("/api/v1/startups/{startup_id:int}", startup_api.get_startup, methods=GET),
    Route("/api/v1/startups/{startup_id:int}", startup_api.patch_startup, methods=["PATCH"]),
    Route("/api/v1/startups/{startup_id:int}/transitions", startup_api.create_transition, methods=POST),
    Route("/api/v1/people", startup_api.register_person, methods=POST),
    Route("/api/v1/people/{person_id:int}", startup_api.get_person, methods=GET),
]

# -- the job roster and job counts ------------------------------------------------------
job_routes: list[BaseRoute] = [
    Route("/startups/{startup_id:int}/roster", jobs.startup_roster, methods=GET),
    Route("/startups/{startup_id:int}/roster", jobs.roster_add, methods=POST),
    Route("/startups/{startup_id:int}/roster/import", roster_import.startup_roster_import, methods=POST),
    Route("/bases/{base_id:int}/roster/import", roster_import.base_roster_import, methods=POST),
    Route("/roster/template.xlsx", roster_import.roster_template, methods=GET),
    Route("/employments/{employment_id:int}/edit", jobs.employment_edit, methods=GET),
    Route("/employments/{employment_id:int}/edit", jobs.employment_update, methods=POST),
    Route("/employments/{employment_id:int}/end", jobs.employment_end, methods=POST),
    Route("/bases/{base_id:int}/jobs", jobs.base_jobs, methods=GET),
    Route("/region/jobs", jobs.region_jobs, methods=GET),
    Route("/startups/{startup_id:int}/jobs.xlsx", job_exports.startup_figures_export, methods=GET),
    Route("/startups/{startup_id:int}/roster.xlsx", job_exports.startup_people_export, methods=GET),
    Route("/bases/{base_id:int}/jobs.xlsx", job_exports.base_figures_export, methods=GET),
    Route("/bases/{base_id:int}/job-people.xlsx", job_exports.base_people_export, methods=GET),
    Route("/region/jobs.xlsx", job_exports.region_figures_export, methods=GET),
    Route("/region/job-people.xlsx", job_exports.region_people_export, methods=GET),
    Route("/region/counting-rules", jobs.counting_rules, methods=GET),
    Route("/region/counting-rules", jobs.counting_rule_create, methods=POST),
    Route("/api/v1/startups/{startup_id:int}/employments", job_api.list_employments, methods=GET),
    Route("/api/v1/startups/{startup_id:int}/employments", job_api.create_employment, methods=POST),
    Route("/api/v1/employments/{employment_id:int}", job_api.get_employment, methods=GET),
    Route("/api/v1/employments/{employment_id:int}", job_api.patch_employment, methods=["PATCH"]),
    Route("/api/v1/job-counts", job_api.get_job_counts, methods=GET),
]

# -- spaces and leases ------------------------------------------------------------------
space_routes: list[BaseRoute] = [
    Route("/spaces", space_views.spaces, methods=GET),
    Route("/spaces/new", space_views.space_new, methods=GET),
    Route("/spaces/new", space_views.space_create, methods=POST),
    Route("/spaces/{space_id:int}", space_views.space_detail, methods=GET),
    Route("/spaces/{space_id:int}/edit", space_views.space_edit, methods=GET),
    Route("/spaces/{space_id:int}/edit", space_views.space_update, methods=POST),
    Route("/leases", lease_views.leases, methods=GET),
    Route("/leases/new", lease_views.lease_new, methods=GET),
    Route("/leases/new", lease_views.lease_create, methods=POST),
    Route("/leases/{lease_id:int}", lease_views.lease_detail, methods=GET),
    Route("/leases/{lease_id:int}/concessions", lease_views.concession_add, methods=POST),
    Route("/leases/{lease_id:int}/end", lease_views.lease_end, methods=POST),
    Route("/leases/{lease_id:int}/renew", lease_views.lease_renew, methods=POST),
    Route("/leases/{lease_id:int}/move", lease_views.lease_move, methods=POST),
    Route("/leases/{lease_id:int}/agreement", lease_views.agreement_download, methods=GET),
    Route("/leases/{lease_id:int}/agreement", lease_views.agreement_upload, methods=POST),
    Route("/api/v1/spaces", space_api.list_spaces, methods=GET),
    Route("/api/v1/spaces", space_api.create_space, methods=POST),
    Route("/api/v1/spaces/{space_id:int}", space_api.get_space, methods=GET),
    Route("/api/v1/leases", space_api.list_leases, methods=GET),
    Route("/api/v1/leases", space_api.create_lease, methods=POST),
    Route("/api/v1/leases/{lease_id:int}", space_api.get_lease, methods=GET),
]

# -- base figures and recognition standards ---------------------------------------------
figure_routes: list[BaseRoute] = [
    Route("/bases/{base_id:int}/figures", figures.base_figures, methods=GET),
    Route("/region/figures", figures.region_figures, methods=GET),
    Route("/standards", figures.standards, methods=GET),
    Route("/admin/standards", figures.standard_create, methods=POST),
    Route("/api/v1/bases/{base_id:int}/figures", figure_api.get_base_figures, methods=GET),
]

# -- spreadsheet import and export ------------------------------------------------------
transfer_routes: list[BaseRoute] = [
    Route("/transfer", transfer.transfer, methods=GET),
    Route("/transfer/templates/startups.xlsx", transfer.startups_template, methods=GET),
    Route("/transfer/templates/spaces.xlsx", transfer.spaces_template, methods=GET),
    Route("/transfer/startups", transfer.startups_import, methods=POST),
    Route("/transfer/spaces", transfer.spaces_import, methods=POST),
    Route("/transfer/startups.xlsx", transfer.startups_export, methods=GET),
    Route("/transfer/people.xlsx", transfer.people_export, methods=GET),
    Route("/transfer/leases.xlsx", transfer.leases_export, methods=GET),
]

# -- billing: runs, bills, payments, credit notes, charges, settings (HTML) ----------------
billing_routes: list[BaseRoute] = [
    Route("/billing", billing.billing, methods=GET),
    Route("/billing/preview", billing.run_preview, methods=GET),
    Route("/billing/runs", billing.run_issue, methods=POST),
    Route("/billing/charges", billing.charges, methods=GET),
    Route("/billing/charges", billing.charge_add, methods=POST),
    Route("/billing/charges/{charge_id:int}/remove", billing.charge_remove, methods=POST),
    Route("/billing/settings", billing.settings, methods=GET),
    Route("/billing/settings", billing.settings_update, methods=POST),
    Route("/billing/close", billing.close_month, methods=POST),
    Route("/bills", bill_views.bills, methods=GET),
    Route("/bills/new", bill_views.bill_new, methods=GET),
    Route("/bills/new", bill_views.bill_create, methods=POST),
    Route("/bills/{bill_id:int}", bill_views.bill_detail, methods=GET),
    Route("/bills/{bill_id:int}/credit-notes", bill_views.credit_note_create, methods=POST),
    Route("/bills/{bill_id:int}/fapiao", bill_views.fapiao_record, methods=POST),
    Route("/credit-notes", bill_views.credit_notes, methods=GET),
    Route("/credit-notes/{credit_note_id:int}", bill_views.credit_note_detail, methods=GET),
    Route("/payments", payment_views.payments, methods=GET),
    Route("/payments/new", payment_views.payment_new, methods=GET),
    Route("/payments/new", payment_views.payment_create, methods=POST),
    Route("/payments/{payment_id:int}", payment_views.payment_detail, methods=GET),
    Route("/startups/{startup_id:int}/apply-credit", payment_views.credit_apply, methods=POST),
]

# -- billing documents: print views and PDFs of bills, credit notes and receipts --------
document_routes: list[BaseRoute] = [
    Route("/bills/{bill_id:int}/print", document_views.bill_print, methods=GET),
    Route("/bills/{bill_id:int}/pdf", document_views.bill_pdf, methods=GET),
    Route("/credit-notes/{credit_note_id:int}/print", document_views.credit_note_print, methods=GET),
    Route("/credit-notes/{credit_note_id:int}/pdf", document_views.credit_note_pdf, methods=GET),
    Route("/payments/{payment_id:int}/receipt", document_views.receipt_print, methods=GET),
    Route("/payments/{payment_id:int}/receipt/pdf", document_views.receipt_pdf, methods=GET),
    Route("/api/v1/bills/{bill_id:int}/pdf", document_api.bill_pdf, methods=GET),
]

# -- billing accounts: statements, aged receivables, exports for the accountant ---------
account_routes: list[BaseRoute] = [
    Route("/startups/{startup_id:int}/statement", account_views.statement, methods=GET),
    Route("/startups/{startup_id:int}/statement.xlsx", account_views.statement_export, methods=GET),
    Route("/billing/receivables", account_views.receivables, methods=GET),
    Route("/billing/bills.xlsx", account_views.bills_export, methods=GET),
    Route("/billing/payments.xlsx", account_views.payments_export, methods=GET),
    Route("/bases/{base_id:int}/overdue", account_views.base_overdue, methods=GET),
    Route("/api/v1/startups/{startup_id:int}/statement", account_api.get_statement, methods=GET),
]

# -- billing JSON API ---------------------------------------------------------------------
billing_api_routes: list[BaseRoute] = [
    Route("/api/v1/bills", billing_api.list_bills, methods=GET),
    Route("/api/v1/bills", billing_api.create_bill, methods=POST),
    Route("/api/v1/bills/{bill_id:int}", billing_api.get_bill, methods=GET),
    Route("/api/v1/bills/{bill_id:int}/fapiao", billing_api.create_fapiao, methods=POST),
    Route("/api/v1/billing-runs", run_api.list_runs, methods=GET),
    Route("/api/v1/billing-runs", run_api.create_run, methods=POST),
    Route("/api/v1/billing-runs/preview", run_api.preview_run, methods=GET),
    Route("/api/v1/credit-notes", payment_api.list_credit_notes, methods=GET),
    Route("/api/v1/credit-notes", payment_api.create_credit_note, methods=POST),
    Route("/api/v1/credit-notes/{credit_note_id:int}", payment_api.get_credit_note, methods=GET),
    Route("/api/v1/payments", payment_api.list_payments, methods=GET),
    Route("/api/v1/payments", payment_api.create_payment, methods=POST),
    Route("/api/v1/payments/{payment_id:int}", payment_api.get_payment, methods=GET),
]

routes: list[BaseRoute] = [
    *startup_routes,
    *job_routes,
    *space_routes,
    *figure_routes,
    *transfer_routes,
    *billing_routes,
    *document_routes,
    *account_routes,
    *billing_api_routes,
]
