"""schemathesis against /api/v1/openapi.json, authenticated as every role.

Every operation of the document gets a few generated requests, valid ones and invalid ones
(drawn deterministically: the same requests on every run), and each is sent as each of the eight
personas. Half of the valid requests name the persona's own objects (path ids and `*_id` body
fields), so services run past their lookups on real rows. Every answer must be: no 5xx, a
documented status code, the documented content type, and a body matching the response schema.
New operations are picked up from the document without editing this test.

schemathesis only generates the requests and checks the answers here: they are sent with the
suite's httpx ASGI clients, on the session's event loop and database connection.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.personas import PERSONAS, World, object_values

# Generated requests per operation and generation mode; the suite's time is the limit.
EXAMPLES = 3
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The base and startup whose objects each persona names in its "own objects" requests.
HOME = {
    "admin": "dsj",
    "bureau_tibet": "dsj",
    "bureau_lhasa": "dsj",
    "bureau_chamdo": "chamdo",
    "operator_dsj": "dsj",
    "operator_chamdo": "chamdo",
    "founder_dsj": "dsj",
    "founder_chamdo": "chamdo",
}
# Revoking the token that sends the request: it gets a token of its own.
REVOKE = "DELETE /api/v1/auth/token"


def generate(schema: Any) -> list[Case]:
    """The same cases on every run (derandomized) for every operation of the document."""
    cases: list[Case] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(operation.as_strategy(generation_mode=mode))
            def collect(case: Case) -> None:
                cases.append(case)

            try:
                collect()
            except Unsatisfiable:
                # An operation without parameters or body has no invalid request to make.
                assert mode is GenerationMode.NEGATIVE
    return cases


def own_values(world: World, persona: str) -> dict[str, Any]:
    """Ids of objects the persona may see (and usually act on)."""
    key = HOME[persona]
    values: dict[str, Any] = {name: int(value) for name, value in object_values(world, key, key).items()}
    values.update(
        bureau_id=world.bureaus["lhasa" if key == "dsj" else "chamdo"].id,
        user_id=world.users[persona].id,
        membership_id=world.memberships[persona].id,
        event_id=1,
        region_code="540102" if key == "dsj" else "540302",
    )
    return values


def request_of(case: Case, values: dict[str, Any] | None) -> dict[str, Any]:
    """httpx arguments for the case; with values, its path ids and `*_id` body fields name them."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    url = kwargs["url"]
    if values is not None:
        parameters = {**case.path_parameters, **{k: values[k] for k in case.path_parameters or {} if k in values}}
        url = case.path
        for name, value in parameters.items():
            url = url.replace("{" + name + "}", str(value))
        if isinstance(body := kwargs.get("json"), dict):
            kwargs["json"] = {k: values.get(k, v) if k.endswith("_id") else v for k, v in body.items()}
    # The persona's client sends its own bearer token.
    headers = {k: v for k, v in kwargs["headers"].items() if k.lower() not in ("authorization", "connection")}
    request: dict[str, Any] = {"method": kwargs["method"], "url": url, "headers": headers}
    if kwargs.get("params"):
        request["params"] = kwargs["params"]
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    elif "data" in kwargs:
        data = kwargs["data"]
        request["content"] = data.encode() if isinstance(data, str) else data
    return request


def shown(request: dict[str, Any]) -> str:
    return str({k: v for k, v in request.items() if k != "headers"})[:500]


async def test_every_operation_answers_every_role_as_documented(
    api: httpx.AsyncClient, world: World, token_for: Callable[[str], Awaitable[httpx.AsyncClient]]
) -> None:
    started = time.monotonic()
    document = (await api.get("/api/v1/openapi.json")).json()
    cases = generate(schemathesis.openapi.from_dict(document))
    generated = time.monotonic() - started
    operations = {case.operation.label for case in cases}
    assert len(operations) == sum(len(methods) for methods in document["paths"].values())
    failures: list[str] = []
    statuses: Counter[str] = Counter()
    requests = 0
    for persona in PERSONAS:
        client = await token_for(persona)
        values = own_values(world, persona)
        for index, case in enumerate(cases):
            label = case.operation.label
            sender = await token_for(persona) if label == REVOKE else client
            positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
            request = request_of(case, values if positive and index % 2 == 0 else None)
            requests += 1
            try:
                response = await sender.request(**request)
            except Exception:  # noqa: BLE001 - the app raised: a server error, reported with its traceback
                failures.append(f"{persona} {label} {shown(request)}: raised\n{traceback.format_exc(limit=-4)}")
                continue
            statuses[f"{response.status_code // 100}xx"] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                found = "; ".join(f"{f.title}: {f.message}"[:300] for f in group.exceptions)
                failures.append(f"{persona} {label} {shown(request)} -> {response.status_code}: {found}")
    print(
        f"schemathesis: {len(operations) * len(PERSONAS)} (operation, role) cases, {requests} requests "
        f"({len(cases)} generated per role in {generated:.1f} s; {dict(sorted(statuses.items()))}) "
        f"in {time.monotonic() - started:.1f} s"
    )
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures[:30])
    assert statuses["2xx"] > 0 and statuses["4xx"] > 0
