"""The OpenAPI schema says what the API answers, errors included (drf-spectacular hook).

Every operation documents the error body of ``core.rest.exception_handler`` —
``{"detail", "code", ["errors"]}`` — under the answers it can give: 400 (invalid input,
for operations with a body or parameters), 401 (no or a bad token), 403 (visible but not
allowed), 404 (absent or out of scope, for operations on an object), 409 (frozen by its
workflow, for writes on an object) and 429 (throttled or signed-in locked)."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
        "until": {"type": "string", "format": "date-time", "nullable": True},
    },
    "required": ["detail"],
}

DESCRIPTIONS = {
    "400": "Invalid input (the errors name the fields)",
    "401": "No token, or a revoked or expired one",
    "403": "The object is visible but this action is not allowed",
    "404": "No such object (or out of the caller's scope)",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "The record is frozen by its workflow (submitted, approved…), or conflicts with one saved",
    "429": "Too many requests, or sign-in locked (until when is said)",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            # 404 for lists too: an object a body or a filter names may be out of scope.
            codes = ["400", "401", "403", "404", "405", "406", "429"]
            if method != "get":
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result
