"""Subsidy models (policies, applications, reviews); built by the subsidies issue."""

from __future__ import annotations
