"""The OpenAPI document of an app with webhook routes: what FastAPI cannot see from the dependency.

A webhook route reads its body itself (it must verify the raw bytes before anything parses them), so
FastAPI documents no request body, no signature headers and none of the refusals. `document_webhooks`
adds them to every route that depends on `VerifiedWebhook` or `webhook_dependency(config)`:

- the request body: the event union (`JobEvent | JobPostingEvent | OtherEvent`), as `WebhookEvent`;
- the headers and query parameters the configured scheme reads (`scheme_parameters`), required,
  and the same as the operation's `security` (`apiKey` schemes named after them);
- 400, 401 (with `WWW-Authenticate`), 408, 413 and 415 with the `{"detail": "..."}` body
  (`HTTPError`), and 422 with FastAPI's `HTTPValidationError`.

It also cuts every component's `description` before its first code block, so that docstring
examples stay out of the schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import validation_error_definition, validation_error_response_definition

from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, WebhookConfig, scheme_parameters

from ._receiving import CONFIG_ATTRIBUTE, STATE_KEY, api_routes, webhook_calls

__all__ = ("document_webhooks",)

_REF = "#/components/schemas/{model}"
_EVENT_COMPONENT = "WebhookEvent"
_ERROR_COMPONENT = "HTTPError"
_REFUSALS = {
    "400": "Malformed request (a `Content-Length` that is not a number)",
    "401": "Not verified: missing, malformed, wrong or stale signature",
    "408": "The body did not arrive in time",
    "413": "The body is larger than the limit",
    "415": "The content type is not JSON",
}


def _route_config(app: FastAPI, route: Any) -> tuple[bool, WebhookConfig | None]:
    """Whether `route` receives webhooks, and its config when known."""
    for call in webhook_calls(route.dependant):
        config = getattr(call, CONFIG_ATTRIBUTE)
        if config is None:
            config = getattr(app.state, STATE_KEY, None)
        return True, config if isinstance(config, WebhookConfig) else None
    return False, None


def _without_examples(document: dict[str, Any]) -> None:
    pending: list[Any] = list(document.get("components", {}).get("schemas", {}).values())
    while pending:
        schema = pending.pop()
        if isinstance(schema, list):
            pending.extend(schema)
            continue
        if not isinstance(schema, dict):
            continue
        pending.extend(schema.values())
        description = schema.get("description")
        if isinstance(description, str) and "```" in description:
            parts = description.split("\n\n")
            cut = next(index for index, part in enumerate(parts) if "```" in part)
            schema["description"] = "\n\n".join(parts[:cut]).strip()
            if not schema["description"]:
                del schema["description"]


def _add_components(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    event = WEBHOOK_EVENT_ADAPTER.json_schema(ref_template=_REF)
    for name, schema in event.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault(_EVENT_COMPONENT, {"title": _EVENT_COMPONENT, "description": "A webhook event.", **event})
    schemas.setdefault(
        _ERROR_COMPONENT,
        {
            "title": _ERROR_COMPONENT,
            "description": "A refusal: what is wrong, never a secret or a signature.",
            "type": "object",
            "properties": {"detail": {"title": "Detail", "type": "string"}},
            "required": ["detail"],
        },
    )
    schemas.setdefault("ValidationError", validation_error_definition)
    schemas.setdefault("HTTPValidationError", validation_error_response_definition)


def _document_operation(document: dict[str, Any], operation: dict[str, Any], config: WebhookConfig | None) -> None:
    operation["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=_EVENT_COMPONENT)}}},
    }
    parameters = operation.setdefault("parameters", [])
    present = {(parameter.get("in"), parameter.get("name")) for parameter in parameters}
    for parameter in scheme_parameters(config.scheme) if config is not None else ():
        if (parameter.location, parameter.name) not in present:
            parameters.append(
                {
                    "name": parameter.name,
                    "in": parameter.location,
                    "required": True,
                    "description": parameter.description,
                    "schema": {"type": "string"},
                }
            )
    if not parameters:
        del operation["parameters"]
    # The same parameters as the operation's security: OpenAPI has no type for a signature, and an
    # `apiKey` in a header or the query is what tells clients and linters that the route is guarded.
    required = scheme_parameters(config.scheme) if config is not None else ()
    if required:
        security = document.setdefault("components", {}).setdefault("securitySchemes", {})
        for parameter in required:
            security.setdefault(
                parameter.name,
                {
                    "type": "apiKey",
                    "in": parameter.location,
                    "name": parameter.name,
                    "description": parameter.description,
                },
            )
        operation.setdefault("security", [{parameter.name: [] for parameter in required}])
    responses = operation.setdefault("responses", {})
    error_body = {"application/json": {"schema": {"$ref": _REF.format(model=_ERROR_COMPONENT)}}}
    for status, description in _REFUSALS.items():
        responses.setdefault(status, {"description": description, "content": error_body})
    responses["401"].setdefault(
        "headers", {"WWW-Authenticate": {"description": "`Signature`", "schema": {"type": "string"}}}
    )
    responses.setdefault(
        "422",
        {
            "description": "Verified, but not a valid event",
            "content": {"application/json": {"schema": {"$ref": _REF.format(model="HTTPValidationError")}}},
        },
    )


def document_webhooks(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """Add what the module says to `document`, the OpenAPI document FastAPI generated for `app`."""
    found = False
    for route in api_routes(app):
        receives, config = _route_config(app, route)
        if not receives:
            continue
        found = True
        for method in route.methods or ():
            operation = document.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _document_operation(document, operation, config)
    if found:
        _add_components(document)
    _without_examples(document)
    return document
