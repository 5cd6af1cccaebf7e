"""Answers in the spec's two formats.

XML: UTF-8 with its declaration, no namespace, the spec's element names. JSON: the Spark convention the
spec uses (a container of one repeated element becomes an array), so lists are top-level arrays.
"""

import json
import re
from xml.etree import ElementTree  # nosec B405  # only builds and writes XML; nothing here parses any

from flask import Response, request

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Container element -> the element each of its items is written as.
ITEM_ELEMENTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all (most control characters): a partner's text may hold them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list):
        item_name = ITEM_ELEMENTS[element.tag]
        for child in value:
            _fill(ElementTree.SubElement(element, item_name), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(element, encoding="utf-8",
                                                                            xml_declaration=False)


def respond(fmt: str, root: str, data, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() if fmt == "json" else to_xml(root, data)
    response = Response(body, status=status, content_type=CONTENT_TYPES[fmt])
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_body(problems) -> list[dict]:
    return [{"code": p.status, "description": p.description()} for p in problems]


def requested_format(path: str | None = None) -> str:
    """The format the address asks for (``.json``/``.xml``); otherwise what the client accepts, XML
    first (the spec's required format)."""
    last = (path if path is not None else request.path).rsplit("/", 1)[-1]
    if "." in last:
        suffix = last.rsplit(".", 1)[-1].lower()
        if suffix in FORMATS:
            return suffix
    best = request.accept_mimetypes.best_match(["text/xml", "application/json"], default="text/xml")
    return "json" if best == "application/json" else "xml"
