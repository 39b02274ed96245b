"""Check recorded REST exchanges against Discord's OpenAPI description of API v10.

Each exchange is matched to the spec's operation by method and concrete path; the request body
(JSON, or a multipart request's ``payload_json``) is validated against the operation's request
schema, the answer against the schema of its status (``4XX`` for client errors), and every
rate-limit header the spec declares for that answer must be present and of its type. Where the
spec says ``integer`` a string of digits is accepted too (snowflakes travel as strings).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from sandbox.discord.http_core import Exchange

SPEC = Path(__file__).resolve().parents[2] / "sandbox" / "discord" / "spec" / "openapi.json"
ROOT = "urn:discord-api-spec"
INTEGER_STRING = re.compile(r"-?\d+")


def _integer(_checker: Any, instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    if isinstance(instance, float):
        return instance.is_integer()
    return isinstance(instance, str) and INTEGER_STRING.fullmatch(instance) is not None


_ONE_OF = Draft202012Validator.VALIDATORS["oneOf"]


def _one_of(validator: Any, one_of: Any, instance: Any, schema: Any) -> Iterator[Any]:
    for error in _ONE_OF(validator, one_of, instance, schema):
        # a string of digits now matches a string and an integer branch (a message nonce):
        # that is the leniency's doing, not the body's
        if "is valid under each of" not in error.message:
            yield error


# Strict first; only what fails strictly is checked again with the leniency.
Lenient = extend(
    Draft202012Validator,
    validators={"oneOf": _one_of},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _integer),
)


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    params: int


@functools.cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return data


@functools.cache
def _registry() -> Registry:
    # Discord reads a snowflake sent as a JSON integer too, and discord.py sends some so (a
    # DM's recipient_id, allowed_mentions.users): both passes accept that.
    contents = json.loads(json.dumps(spec()))
    schemas = contents["components"]["schemas"]
    snowflake = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {"anyOf": [snowflake, {"type": "integer", "minimum": 0}]}
    resource = Resource.from_contents(contents, default_specification=DRAFT202012)
    return Registry().with_resource(ROOT, resource)


@functools.cache
def _operations() -> list[Operation]:
    found = []
    for template, item in spec()["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        for method in item:
            if method in ("get", "put", "post", "patch", "delete"):
                found.append(
                    Operation(method, template, re.compile(regex + "$"), template.count("{"))
                )
    # literal segments win: /users/@me before /users/{user_id}
    return sorted(found, key=lambda o: o.params)


def operation_of(method: str, path: str) -> Operation | None:
    for op in _operations():
        if op.method == method.lower() and op.pattern.match(path):
            return op
    return None


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _errors(schema_path: str, instance: Any) -> list[str]:
    schema = {"$ref": f"{ROOT}#/{schema_path}"}
    if Draft202012Validator(schema, registry=_registry()).is_valid(instance):
        return []
    found = list(Lenient(schema, registry=_registry()).iter_errors(instance))
    if not found:
        return []
    best = _deepest(best_match(found))
    where = "/".join(str(p) for p in best.absolute_path) or "(body)"
    return [f"{where}: {best.message[:300]}"]


def _deepest(error: ValidationError) -> ValidationError:
    """Into a ``oneOf``/``anyOf`` failure: the branch that came closest, and its own error."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
        closest = min(
            branches.values(), key=lambda errs: (len(errs), -max(len(e.path) for e in errs))
        )
        error = closest[0]
    return error


def check_exchange(exchange: Exchange) -> list[str]:
    """What does not conform in one exchange (empty when it all does)."""
    label = f"{exchange.method} {exchange.route} -> {exchange.status}"
    op = operation_of(exchange.method, exchange.path)
    if op is None:
        return [f"{label}: no such operation in the spec"]
    operation = spec()["paths"][op.template][op.method]
    base = ("paths", op.template, op.method)
    problems: list[str] = []
    body = operation.get("requestBody")
    if exchange.request_body is not None and body is not None:
        content = _resolve(body)["content"]
        kind = "application/json" if "application/json" in content else next(iter(content))
        pointer = _pointer(*base, "requestBody", "content", kind, "schema")
        problems += [f"{label}: request {e}" for e in _errors(pointer, exchange.request_body)]
    responses = operation["responses"]
    code = str(exchange.status)
    key = code if code in responses else f"{code[0]}XX" if f"{code[0]}XX" in responses else None
    if key is None:
        return [*problems, f"{label}: status {code} is not an answer the spec lists"]
    answer = _resolve(responses[key])
    for name, header in (answer.get("headers") or {}).items():
        value = exchange.headers.get(name)
        if value is None:
            problems.append(f"{label}: header {name} missing")
            continue
        kind = _resolve(header).get("schema", {}).get("type")
        try:
            if kind == "integer":
                int(value)
            elif kind == "number":
                float(value)
        except ValueError:
            problems.append(f"{label}: header {name}={value!r} is not of type {kind}")
    json_schema = (answer.get("content") or {}).get("application/json")
    if json_schema is None:
        if exchange.response_body is not None:
            problems.append(f"{label}: the spec says no body, got one")
        return problems
    if exchange.response_type != "application/json":
        return [*problems, f"{label}: Content-Type {exchange.response_type!r}"]
    ref = responses[key].get("$ref")
    where = ref.removeprefix("#/") if ref else _pointer(*base, "responses", key)
    pointer = where + "/content/application~1json/schema"
    problems += [f"{label}: answer {e}" for e in _errors(pointer, exchange.response_body)]
    return problems


def check_all(exchanges: Iterable[Exchange]) -> list[str]:
    problems: list[str] = []
    for exchange in exchanges:
        problems += check_exchange(exchange)
    return problems


def operations_used(exchanges: Iterable[Exchange]) -> set[str]:
    used = set()
    for exchange in exchanges:
        op = operation_of(exchange.method, exchange.path)
        if op is not None:
            used.add(spec()["paths"][op.template][op.method]["operationId"])
    return used
