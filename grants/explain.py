"""A decision's trace in the reader's language: each step's message with money, dates and labels formatted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from grants.rules.core import Decision, Label, Money, Rate, Step, decode
from incubator import formatting
from incubator.i18n import gettext
from incubator.labels import label
from incubator.templating import environment


def _show(value: Any) -> str:
    if isinstance(value, Money):
        return formatting.money(value.value)
    if isinstance(value, Rate):
        return f"{formatting.number(value.value)}%"
    if isinstance(value, Label):
        return label(value.kind, value.key)
    if isinstance(value, dt.date):
        return formatting.date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return formatting.number(value)
    return str(value)


def step_text(step: Step) -> str:
    """One step in words; a parameter the translation does not use is simply left out."""
    params = {name: _show(value) for name, value in step.params.items()}
    try:
        return gettext(step.msgid, **params)
    except (KeyError, ValueError, TypeError):
        return step.msgid


def decision_of(frozen: Decision | Mapping[str, Any] | None) -> Decision | None:
    if frozen is None or isinstance(frozen, Decision):
        return frozen
    return decode(frozen)


def explained(frozen: Decision | Mapping[str, Any] | None) -> list[dict[str, str]]:
    """[{outcome, text}] for a decision or its frozen JSON."""
    decision = decision_of(frozen)
    if decision is None:
        return []
    return [{"outcome": step.outcome.value, "text": step_text(step)} for step in decision.trace]


environment().globals.update(explained=explained)
