"""Find every form a client can reach by following the site's own links, and send any text to any field.

The property tests of :mod:`tests.test_input_safety` use it: a new page with a form is fuzzed as soon as a
link leads to it, without anyone listing it here. Values are sent as raw ``application/x-www-form-urlencoded``
bytes, so that text a browser could send but Python cannot encode (a lone surrogate) reaches the server as
the bytes it would be.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urldefrag, urljoin, urlsplit

# Addresses the crawler neither follows nor sends: they end the session, change the language, or are files.
SKIP_PREFIXES = ("/static/", "/lang/", "/staff/logout", "/open311/", "/line/")
SKIP_SUFFIXES = (".csv", ".xlsx", ".docx", ".png", ".pdf", ".jpg", ".ico", ".html", ".json", ".xml")


PLAUSIBLE = {"email": "somchai@example.org", "tel": "0812345678", "date": "2025-01-31", "number": "1",
             "password": "correct horse battery staple 1", "url": "https://example.org/", "search": ""}


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.action, self.method, tuple(sorted({f.name for f in self.fields})))

    @property
    def text_fields(self) -> list[str]:
        """Every field a person (or a robot) can put text in: all but the tokens."""
        names = []
        for f in self.fields:
            if f.name in ("csrf_token", "submission_token") or f.kind in ("file", "submit", "button", "image"):
                continue
            if f.name not in names:
                names.append(f.name)
        return names

    def defaults(self) -> list[tuple[str, str]]:
        """A plausible filling of the form, so that a changed field gets past the others' checks: values as
        shown, every box ticked, the first radio and the first real option chosen, empty boxes of a POST form
        filled by type."""
        pairs, radios = [], set()
        for f in self.fields:
            if f.kind in ("submit", "button", "image", "file"):
                continue
            if f.kind == "checkbox":
                pairs.append((f.name, f.value or "y"))
            elif f.kind == "radio":
                if f.name not in radios:
                    radios.add(f.name)
                    pairs.append((f.name, f.value))
            elif f.kind == "select":
                real = [o for o in f.options if o]
                pairs.append((f.name, f.value or (real[0] if real else "")))
            elif f.kind == "hidden" or f.value or self.method == "GET":  # a filter left empty filters nothing
                pairs.append((f.name, f.value))
            else:
                pairs.append((f.name, PLAUSIBLE.get(f.kind, "ทดสอบ 1")))
        return pairs


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(self.page, urljoin(self.page, a.get("action") or self.page),
                              (a.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        elif tag == "input":
            self._form.fields.append(Field(a["name"], (a.get("type") or "text").lower(), a.get("value", ""),
                                           checked="checked" in a))
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "button" and a.get("name"):
            self._form.fields.append(Field(a["name"], "button", a.get("value", "")))

    def _option(self, a):
        value = a.get("value", "")
        self._select.options.append(value)
        if "selected" in a and not self._select.value:
            self._select.value = value

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(page: str, html: str) -> tuple[list[str], list[Form]]:
    parser = _Parser(page)
    parser.feed(html)
    return parser.links, parser.forms


def _local(base: str, href: str) -> str | None:
    url = urldefrag(urljoin(base, href))[0]
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return path


def start_pages(app) -> list[str]:
    """Every page of the URL map that takes no argument (GET): where the crawl starts, so that a page no link
    leads to is found all the same."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(SKIP_PREFIXES) \
                and not rule.rule.endswith(SKIP_SUFFIXES):
            pages.append(rule.rule)
    return sorted(pages)


def endpoint(app, form: Form) -> str:
    try:
        endpoint, _ = app.url_map.bind("localhost").match(form.action.split("?")[0], method=form.method)
    except Exception:  # noqa: BLE001  an action the map does not know is kept under its own address
        return form.action
    return endpoint


def crawl(client, starts, *, max_pages: int = 200) -> list[Form]:
    """Follow links from ``starts`` (GET, same site); return every distinct form found on the way: one per
    endpoint and set of field names (the edit forms of ten villages are one form)."""
    app = client.application
    queue, seen, forms = list(starts), set(), {}
    while queue and len(seen) < max_pages:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        links, found = parse("http://localhost" + path, response.get_data(as_text=True))
        for form in found:
            action = _local("http://localhost" + path, form.action)
            if action is None:
                continue
            form.action, form.page = action, path
            forms.setdefault((endpoint(app, form), *form.key[1:]), form)
        for href in links:
            local = _local("http://localhost" + path, href)
            # One page per address without its query (a list's pages and filters are all the same form).
            if local and local not in seen and local.split("?")[0] not in {s.split("?")[0] for s in seen}:
                queue.append(local)
    return list(forms.values())


def encode(pairs) -> bytes:
    """``application/x-www-form-urlencoded`` of (name, text) pairs; text that UTF-8 cannot carry (a lone
    surrogate) goes as the bytes a careless client would send."""
    return "&".join(
        quote_from_bytes(name.encode("utf-8", "surrogatepass"), safe="") + "="
        + quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")
        for name, value in pairs
    ).encode("ascii")


def send(client, form: Form, values: dict[str, str], *, fresh_tokens: bool = True):
    """Send ``form`` with ``values`` in place of its defaults, with tokens fresh from its page."""
    tokens = {}
    if fresh_tokens and any(f.name == "submission_token" for f in form.fields):
        _, found = parse("http://localhost" + form.page, client.get(form.page).get_data(as_text=True))
        for other in found:
            if _local("http://localhost" + form.page, other.action) == form.action:
                tokens = {f.name: f.value for f in other.fields if f.name in ("csrf_token", "submission_token")}
                break
    pairs = [(name, tokens.get(name, value)) for name, value in form.defaults() if name not in values]
    pairs += list(values.items())
    if form.method == "GET":
        separator = "&" if "?" in form.action else "?"
        return client.get(form.action + separator + encode(pairs).decode("ascii"))
    return client.post(form.action, data=encode(pairs), content_type="application/x-www-form-urlencoded")
