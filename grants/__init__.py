"""Subsidies and the bureau's checks: job audits (就业核查), policies, applications (issue 6)."""
