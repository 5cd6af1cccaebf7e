"""The OpenAPI 3.1 description of ``/open311/v2/`` (served at ``/open311/v2/openapi.json``).

The JSON schemas follow the community schemas of open311/schema-validation (codes are strings,
``metadata`` is a boolean); XML answers carry the same elements and are described as text.
"""

from ..domain.open311.requests import MAX_DESCRIPTION_CHARS
from .forms import MAX_MEDIA_URL_CHARS


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


FORMAT = {
    "name": "format", "in": "path", "required": True, "description": "json or xml",
    "schema": {"type": "string", "enum": ["json", "xml"]},
}
JURISDICTION = {
    "name": "jurisdiction_id", "in": "query", "required": False,
    "description": "Optional on this single-jurisdiction endpoint; another jurisdiction answers 404.",
    "schema": {"type": "string"},
}
API_KEY = {
    "name": "api_key", "in": "query", "required": False,
    "description": "A partner's key. Needed to file; with it, a partner's own requests show their details. "
                   "A revoked or unknown key is refused (403) on every method.",
    "schema": {"type": "string"},
}
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
            "status": {"type": "string", "enum": ["open", "closed"]},
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
    "NewRequest": {
        "type": "object", "required": ["service_code"],
        "properties": {
            "api_key": {"type": "string", "description": "May also be sent in the query string"},
            "jurisdiction_id": {"type": "string"},
            "service_code": {"type": "string"},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "address_string": {"type": "string", "maxLength": 500},
            "address_id": {"type": "string", "description": "Not a location here: there is no address register"},
            "email": {"type": "string"},
            "device_id": {"type": "string", "description": "Accepted and not used"},
            "account_id": {"type": "string", "description": "Accepted and not used"},
            "first_name": {"type": "string", "maxLength": 100},
            "last_name": {"type": "string", "maxLength": 100},
            "phone": {"type": "string", "description": "A Thai mobile (10 digits) or landline (9 digits)"},
            "description": {"type": "string", "maxLength": MAX_DESCRIPTION_CHARS},
            "media_url": {"type": "string", "maxLength": MAX_MEDIA_URL_CHARS,
                          "description": "A link the officer can open; never fetched by the server"},
            "attribute[case_type]": {"type": "string", "description": "See the service definition"},
            "attribute[village]": {"type": "string", "description": "See the service definition"},
            "attribute[subject_division]": {"type": "string", "description": "See the service definition"},
        },
    },
}


def document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Open311 GeoReport v2",
            "version": "2",
            "description": "Complaints, suggestions, questions and budget objections from partner systems, "
                           "filed and routed as on the web form (https://wiki.open311.org/GeoReport_v2). "
                           "Every address ends in .json or .xml; dates are W3C datetimes in Bangkok time. "
                           "Corruption and No Gift Policy reports are never part of this API.",
        },
        "servers": [{"url": server_url}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"api_key": {"type": "apiKey", "in": "query", "name": "api_key"}},
        },
        "paths": {
            "/discovery.{format}": {"get": {
                "operationId": "discovery", "summary": "Service discovery",
                "parameters": [FORMAT],
                "responses": {"200": _answer("The endpoints", _ref("Discovery")), **_errors(403)},
            }},
            "/services.{format}": {"get": {
                "operationId": "services", "summary": "GET Service List",
                "parameters": [FORMAT, JURISDICTION, API_KEY],
                "responses": {"200": _answer("The services", {"type": "array", "items": _ref("Service")}),
                              **_errors(403, 404)},
            }},
            "/services/{service_code}.{format}": {"get": {
                "operationId": "service_definition", "summary": "GET Service Definition",
                "parameters": [{"name": "service_code", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,39}$"}},
                               FORMAT, JURISDICTION, API_KEY],
                "responses": {"200": _answer("The service's attributes", _ref("ServiceDefinition")),
                              **_errors(403, 404)},
            }},
            "/requests.{format}": {
                "get": {
                    "operationId": "get_requests", "summary": "GET Service Requests",
                    "description": "service_request_id overrides every other filter. Without dates, the last "
                                   "90 days; at most 90 days apart; at most 1,000 requests, newest first.",
                    "parameters": [
                        FORMAT, JURISDICTION, API_KEY,
                        {"name": "service_request_id", "in": "query", "schema": {"type": "string"},
                         "description": "Comma-separated tracking codes"},
                        {"name": "service_code", "in": "query", "schema": {"type": "string"},
                         "description": "Comma-separated service codes"},
                        {"name": "status", "in": "query", "schema": {"type": "string"},
                         "description": "open, closed, or both comma-separated"},
                        {"name": "start_date", "in": "query", "schema": {"type": "string"},
                         "description": "W3C datetime with a time zone"},
                        {"name": "end_date", "in": "query", "schema": {"type": "string"},
                         "description": "W3C datetime with a time zone"},
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
                        "application/x-www-form-urlencoded": {"schema": _ref("NewRequest")},
                    }},
                    "responses": {"200": _answer("The new request's id and notice", _ref("Filed")),
                                  **_errors(403, 404)},
                },
            },
            "/requests/{service_request_id}.{format}": {"get": {
                "operationId": "get_request", "summary": "GET Service Request",
                "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,30}$"}},
                               FORMAT, JURISDICTION, API_KEY],
                "responses": {"200": _answer("The request", _ref("Requests")), **_errors(403, 404)},
            }},
            "/tokens/{token}.{format}": {"get": {
                "operationId": "token", "summary": "GET service_request_id from a token",
                "description": "Every service is realtime, so no token is ever issued: every token is unknown.",
                "parameters": [{"name": "token", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$"}},
                               FORMAT, JURISDICTION, API_KEY],
                "responses": {"200": _answer("The request of the token", _ref("Token")), **_errors(403, 404)},
            }},
        },
    }
