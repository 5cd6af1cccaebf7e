"""The OpenAPI 3.1 description of ``/open311/v2/`` (served at ``/open311/v2/openapi.json``).

The JSON schemas follow the community schemas of open311/schema-validation (codes are strings,
``metadata`` is a boolean); XML answers carry the same elements and are described as text.
"""

from ..domain.open311.requests import MAX_DESCRIPTION_CHARS, STATUSES
from ..domain.thai import PHONE_PATTERN
from .forms import MAX_MEDIA_URL_CHARS

# A comma list, as the spec allows: spaces around items and empty items are ignored.
CODE_LIST = r"^[ \t\n\r,]*({code}([ \t\n\r]*,[ \t\n\r,]*{code})*)?[ \t\n\r,]*$"


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


FORMAT = {
    "name": "format", "in": "path", "required": True, "description": "json or xml",
    "schema": {"type": "string", "enum": ["json", "xml"]},
}
def _jurisdiction(expected: str) -> dict:
    return {
        "name": "jurisdiction_id", "in": "query", "required": False,
        "description": "Optional on this single-jurisdiction endpoint; another jurisdiction answers 404.",
        # Empty is the same as absent (the spec's "optional arguments").
        "schema": {"type": "string", "enum": [expected, ""]} if expected else {"type": "string"},
    }
# Control characters (but tab and line breaks) are refused in any text.
NO_CONTROL = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f"
TEXT = f"^[^{NO_CONTROL}]*$"
NOT_BLANK = f"^[^{NO_CONTROL}]*[^\\s\\u0085{NO_CONTROL}][^{NO_CONTROL}]*$"  # also after trimming spaces
SPACE = r"[ \t\n\r]"  # trimmed from query values (form feeds and the like are control characters here)
W3C = (rf"^{SPACE}*([0-9]{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]"
       rf"(:[0-5][0-9](\.[0-9]+)?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]){SPACE}*)?$")
# Optional on every GET: with it, a partner's own requests show their details; a bad one is refused.
MAY_USE_KEY = [{}, {"api_key": []}]
ERRORS = {"description": "The spec's errors, several at once where several things are wrong", "content": {
    "application/json": {"schema": _ref("Errors")},
    "text/xml": {"schema": {"type": "string"}},
}}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {
        "application/json": {"schema": schema},
        "text/xml": {"schema": {"type": "string"}},
    }}


def _errors(*codes: int) -> dict:
    # 429 (the key's or the address's rate limit) and 413 can answer any method.
    return {str(code): ERRORS for code in sorted({*codes, 400, 413, 429})}


SCHEMAS = {
    "Error": {
        "type": "object", "required": ["code", "description"],
        "properties": {
            "code": {"type": "integer", "description": "The HTTP status this error calls for."},
            "description": {"type": "string", "description": "parameter: message, in Thai or English "
                                                            "(Accept-Language)"},
        },
    },
    "Errors": {"type": "array", "minItems": 1, "items": _ref("Error")},
    "Discovery": {
        "type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
        "properties": {
            "changeset": {"type": "string"},
            "contact": {"type": "string"},
            "key_service": {"type": "string"},
            "endpoints": {"type": "array", "items": {
                "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string"},
                    "changeset": {"type": "string"},
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            }},
        },
    },
    "Service": {
        "type": "object", "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string"},
            "service_name": {"type": "string"},
            "description": _nullable("string"),
            "metadata": {"type": "boolean"},
            "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
            "keywords": _nullable("string"),
            "group": _nullable("string"),
        },
    },
    "ServiceDefinition": {
        "type": "object", "required": ["service_code", "attributes"],
        "properties": {
            "service_code": {"type": "string"},
            "attributes": {"type": "array", "items": {
                "type": "object", "required": ["variable", "code", "datatype", "required"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {"type": "string", "enum": ["string", "number", "datetime", "text",
                                                            "singlevaluelist", "multivaluelist"]},
                    "required": {"type": "boolean"},
                    "datatype_description": _nullable("string"),
                    "order": _nullable("integer"),
                    "description": _nullable("string"),
                    "values": {"type": "array", "items": {
                        "type": "object", "required": ["key", "name"],
                        "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                    }},
                },
            }},
        },
    },
    "Request": {
        "type": "object", "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": {"type": "string", "description": "The tracking code"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "status_notes": _nullable("string", description="The office's latest public reply"),
            "service_name": _nullable("string"),
            "service_code": {"type": "string"},
            "description": _nullable("string", maxLength=MAX_DESCRIPTION_CHARS,
                                     description="Only to the key that filed the request"),
            "agency_responsible": _nullable("string", description="The division handling it"),
            "service_notice": _nullable("string"),
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": _nullable("string", format="date-time"),
            "expected_datetime": _nullable("string", format="date-time",
                                           description="The end of the working day the answer is due"),
            "address": _nullable("string", description="Only to the key that filed the request"),
            "address_id": _nullable("string"),
            "zipcode": _nullable("string"),
            "lat": _nullable("number", description="Only to the key that filed the request"),
            "long": _nullable("number", description="Only to the key that filed the request"),
            "media_url": _nullable("string", description="Only to the key that filed the request"),
        },
    },
    "Requests": {"type": "array", "items": _ref("Request")},
    "Filed": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
        "type": "object", "required": ["service_request_id", "service_notice"],
        "properties": {
            "service_request_id": {"type": "string", "description": "The tracking code"},
            "service_notice": {"type": "string", "description": "Which division answers, and by when"},
        },
    }},
    "Token": {"type": "array", "items": {
        "type": "object", "required": ["service_request_id", "token"],
        "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
    }},
}


def _text(max_length: int | None = None, pattern: str = TEXT, **extra) -> dict:
    schema = {"type": "string", "pattern": pattern, **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


def _or_blank(schema: dict) -> dict:
    """Empty is the same as absent (the spec's "optional arguments"), and so are spaces alone."""
    return {"anyOf": [{"type": "string", "pattern": rf"^{SPACE}*$"}, schema]}


def _new_request(services: list[tuple[str, list]], jurisdiction: str) -> dict:
    """The POST body: one branch per service, with its own attributes, so that a body the document
    allows is a body the service accepts (the rules that cross fields are written out too)."""
    common = {
        "api_key": _text(200, description="May also be sent in the query string"),
        "jurisdiction_id": {"type": "string", "enum": [jurisdiction, ""]} if jurisdiction else _text(200),
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": _text(500),
        "address_id": _text(100, description="Not a location here: there is no address register"),
        "email": _or_blank({"type": "string", "maxLength": 254,
                            "pattern": r"^[a-z0-9][a-z0-9_+-]{0,30}@([a-z0-9]{1,20}\.){1,3}[a-z]{2,10}$"}),
        "device_id": _text(100, description="Accepted and not used"),
        "account_id": _text(100, description="Accepted and not used"),
        "first_name": _text(100),
        "last_name": _text(100),
        "phone": _or_blank({"type": "string", "pattern": f"^({PHONE_PATTERN})$",
                            "description": "A Thai mobile (10 digits) or landline (9 digits)"}),
        "description": _text(MAX_DESCRIPTION_CHARS, NOT_BLANK),
        "media_url": {"anyOf": [{"type": "string", "maxLength": 0}, _text(
            MAX_MEDIA_URL_CHARS, rf"^https?://[A-Za-z0-9.-]+(/[^\s{NO_CONTROL}]*)?$",
            description="A link the officer can open; never fetched by the server")]},
    }

    def given(*names):
        """Each of ``names`` sent and not blank."""
        shapes = {"lat": {"type": "number"}, "long": {"type": "number"}}
        return {"required": list(names), "properties": {
            name: shapes.get(name, {"type": "string", "pattern": NOT_BLANK}) for name in names}}

    rules = [
        # A location: lat and long together, or address_string without either.
        {"anyOf": [given("lat", "long"),
                   {**given("address_string"), "not": {"anyOf": [{"required": ["lat"]}, {"required": ["long"]}]}}]},
        # Contact details come with a first name, or none are sent.
        {"anyOf": [given("first_name"), {"not": {"anyOf": [given("last_name"), given("phone"), given("email")]}}]},
    ]
    branches = []
    for code, attributes in services:
        properties = {**common, "service_code": {"type": "string", "const": code}}
        for attribute in attributes:
            keys = [k for k, _ in attribute.values] + ([] if attribute.required else [""])
            properties[f"attribute[{attribute.code}]"] = {"type": "string", "enum": keys,
                                                          "description": str(attribute.description)}
        required = ["service_code", "description"] + [f"attribute[{a.code}]" for a in attributes if a.required]
        branches.append({"type": "object", "properties": properties, "required": required,
                         "additionalProperties": False, "allOf": rules})
    return {"oneOf": branches} if branches else {"type": "object"}


def document(server_url: str, services: list[tuple[str, list]], jurisdiction: str) -> dict:
    """The document for the services offered now (``services``: code and attributes of each)."""
    codes = [code for code, _ in services]
    code_schema = {"type": "string", "enum": codes} if codes else {"type": "string", "pattern": "^$"}
    code_list = "|".join(codes) or "-"
    jurisdiction_param = _jurisdiction(jurisdiction)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Open311 GeoReport v2",
            "version": "2",
            "description": "Complaints, suggestions, questions and budget objections from partner systems, "
                           "filed and routed as on the web form (https://wiki.open311.org/GeoReport_v2). "
                           "Every address ends in .json or .xml; dates are W3C datetimes in Bangkok time. "
                           "Corruption and No Gift Policy reports are never part of this API. Errors: 400 for "
                           "bad input (several at once), 403 for a missing, unknown, revoked or read-only key, "
                           "404 for what does not exist; descriptions follow Accept-Language (Thai or English).",
        },
        "servers": [{"url": server_url}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"api_key": {
                "type": "apiKey", "in": "query", "name": "api_key",
                "description": "A partner's key, from the municipality's administrators. Needed to file; with "
                               "it, a partner's own requests show their details. A revoked or unknown key is "
                               "refused (403) on every method."}},
        },
        "paths": {
            "/discovery.{format}": {"get": {
                "operationId": "discovery", "summary": "Service discovery", "security": MAY_USE_KEY,
                "parameters": [FORMAT],
                "responses": {"200": _answer("The endpoints", _ref("Discovery")), **_errors(403, 404)},
            }},
            "/services.{format}": {"get": {
                "operationId": "services", "summary": "GET Service List", "security": MAY_USE_KEY,
                "parameters": [FORMAT, jurisdiction_param],
                "responses": {"200": _answer("The services", {"type": "array", "items": _ref("Service")}),
                              **_errors(403, 404)},
            }},
            "/services/{service_code}.{format}": {"get": {
                "operationId": "service_definition", "summary": "GET Service Definition", "security": MAY_USE_KEY,
                "parameters": [{"name": "service_code", "in": "path", "required": True, "schema": code_schema},
                               FORMAT, jurisdiction_param],
                "responses": {"200": _answer("The service's attributes", _ref("ServiceDefinition")),
                              **_errors(403, 404)},
            }},
            "/requests.{format}": {
                "get": {
                    "operationId": "get_requests", "summary": "GET Service Requests", "security": MAY_USE_KEY,
                    "description": "service_request_id overrides every other filter. Without dates, the last "
                                   "90 days; start_date and end_date at most 90 days apart, end_date not before "
                                   "start_date; at most 1,000 requests, newest first.",
                    "parameters": [
                        FORMAT, jurisdiction_param,
                        {"name": "service_request_id", "in": "query", "description": "Comma-separated tracking codes",
                         "schema": {"type": "string", "pattern": CODE_LIST.format(code="[A-Za-z0-9-]{1,30}")}},
                        {"name": "service_code", "in": "query", "description": "Comma-separated service codes",
                         "schema": {"type": "string", "pattern": CODE_LIST.format(code=f"({code_list})")}},
                        {"name": "status", "in": "query", "description": "open, closed, or both comma-separated",
                         "schema": {"type": "string", "pattern": CODE_LIST.format(code=f"({'|'.join(STATUSES)})")}},
                        {"name": "start_date", "in": "query", "description": "W3C datetime with a time zone",
                         "schema": {"type": "string", "pattern": W3C}},
                        {"name": "end_date", "in": "query", "description": "W3C datetime with a time zone",
                         "schema": {"type": "string", "pattern": W3C}},
                    ],
                    "responses": {"200": _answer("The requests", _ref("Requests")), **_errors(403, 404)},
                },
                "post": {
                    "operationId": "post_request", "summary": "POST Service Request",
                    "description": "Validated as the web form is, with the same messages; filed under the "
                                   "channel of the key. Needs a read-write key.",
                    "security": [{"api_key": []}],
                    "parameters": [FORMAT],
                    "requestBody": {"required": True, "content": {
                        "application/x-www-form-urlencoded": {"schema": _new_request(services, jurisdiction)},
                    }},
                    "responses": {"200": _answer("The new request's id and notice", _ref("Filed")),
                                  **_errors(403, 404)},
                },
            },
            "/requests/{service_request_id}.{format}": {"get": {
                "operationId": "get_request", "summary": "GET Service Request", "security": MAY_USE_KEY,
                "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,30}$"}},
                               FORMAT, jurisdiction_param],
                "responses": {"200": _answer("The request", _ref("Requests")), **_errors(403, 404)},
            }},
            "/tokens/{token}.{format}": {"get": {
                "operationId": "token", "summary": "GET service_request_id from a token", "security": MAY_USE_KEY,
                "description": "Every service is realtime, so no token is ever issued: every token is unknown.",
                "parameters": [{"name": "token", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$"}},
                               FORMAT, jurisdiction_param],
                "responses": {"200": _answer("The request of the token", _ref("Token")), **_errors(403, 404)},
            }},
        },
    }
