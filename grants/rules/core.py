"""What every rule returns: a Decision whose trace explains each check and each number in words.

A rule is a pure function `(facts, params) -> Decision`: no database, no clock. Each Step is a
message id (English source text, translated when shown) with typed parameters, so the same
frozen trace reads in Chinese or English years later: money and dates are formatted for the
reader, labels (an eligible group, a repayment method) are translated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

FEN = Decimal("0.01")


def fen(amount: Decimal) -> Decimal:
    """Rounded to the fen, half up (the way amounts are paid)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    """A CNY amount in a trace."""

    value: Decimal


@dataclass(frozen=True)
class Rate:
    """A rate in percent a year (3.45 means 3.45 %)."""

    value: Decimal


@dataclass(frozen=True)
class Label:
    """An enumeration value shown by its translated label (`kind` as registered in incubator.labels)."""

    kind: str
    key: str


Param = str | int | dt.date | Money | Rate | Label


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - a condition met
    FAIL = "fail"  # a condition not met: the application cannot be granted
    INFO = "info"  # a fact or a step of the amount


@dataclass(frozen=True)
class Step:
    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    outcome: Outcome = Outcome.INFO


@dataclass(frozen=True)
class Decision:
    """The rule's answer: eligible or not, the amount, why, and each step that led there.

    `subjects` are what a granted application takes for itself (a person's one-time grant, a
    startup's year of rent): the service claims them so nobody is paid twice.
    """

    eligible: bool
    amount: Decimal
    trace: tuple[Step, ...]
    subjects: tuple[str, ...] = ()

    @property
    def reasons(self) -> tuple[Step, ...]:
        """The conditions not met (empty when eligible)."""
        return tuple(step for step in self.trace if step.outcome is Outcome.FAIL)


class Trace:
    """Collects steps while a rule works through its checks."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def info(self, msgid: str, **params: Param) -> None:
        self.steps.append(Step(msgid, params, Outcome.INFO))

    def check(self, ok: bool, passed: str, failed: str, **params: Param) -> bool:
        """Record a condition with the message for either outcome; return whether it holds."""
        self.steps.append(Step(passed if ok else failed, params, Outcome.PASS if ok else Outcome.FAIL))
        return ok

    def fail(self, msgid: str, **params: Param) -> None:
        self.steps.append(Step(msgid, params, Outcome.FAIL))

    def decide(self, amount: Decimal, subjects: tuple[str, ...] = ()) -> Decision:
        eligible = not any(step.outcome is Outcome.FAIL for step in self.steps)
        return Decision(
            eligible, fen(amount) if eligible else Decimal("0.00"), tuple(self.steps), subjects if eligible else ()
        )


# --- JSON: a decision frozen on an application ---------------------------------------------


def _encode_param(value: Param) -> Any:
    if isinstance(value, Money):
        return {"money": str(value.value)}
    if isinstance(value, Rate):
        return {"rate": str(value.value)}
    if isinstance(value, Label):
        return {"label": [value.kind, value.key]}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _decode_param(value: Any) -> Param:
    if isinstance(value, dict):
        if "money" in value:
            return Money(Decimal(value["money"]))
        if "rate" in value:
            return Rate(Decimal(value["rate"]))
        if "label" in value:
            return Label(*value["label"])
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
    if isinstance(value, (str, int)):
        return value
    return str(value)


def encode(decision: Decision, facts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The decision (and the facts it was made on) as JSON to freeze on an application."""
    return {
        "eligible": decision.eligible,
        "amount": str(decision.amount),
        "subjects": list(decision.subjects),
        "trace": [
            {
                "msgid": step.msgid,
                "outcome": step.outcome.value,
                "params": {name: _encode_param(value) for name, value in step.params.items()},
            }
            for step in decision.trace
        ],
        "facts": dict(facts or {}),
    }


def decode(data: Mapping[str, Any]) -> Decision:
    return Decision(
        eligible=bool(data["eligible"]),
        amount=Decimal(data["amount"]),
        subjects=tuple(data.get("subjects", ())),
        trace=tuple(
            Step(
                step["msgid"],
                {name: _decode_param(value) for name, value in step.get("params", {}).items()},
                Outcome(step["outcome"]),
            )
            for step in data["trace"]
        ),
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))
