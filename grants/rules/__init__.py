"""Subsidy rules: pure functions `(facts, params) -> Decision` (DESIGN.md section 7)."""
