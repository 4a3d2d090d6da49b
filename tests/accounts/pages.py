"""What the accounts and community tests check on a page: whole page or htmx fragment, form
fields as a browser would read them, and fast password hashing for tests."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from httpx import Response


def en() -> dict[str, str]:
    """Headers asking for English: a new dict each time, since Web.get/post add to the one
    they are given."""
    return {"Accept-Language": "en"}


TOP_BAR_FORMS = {"/preferences/language", "/preferences/text-size", "/switch"}


def assert_page(response: Response, status: int = 200, *, htmx: bool) -> None:
    """The whole page for a normal load, the fragment for an htmx request."""
    if htmx:
        assert_fragment(response, status)
    else:
        assert_full_page(response, status)


def assert_full_page(response: Response, status: int = 200) -> None:
    assert response.status_code == status, response.text[:2000]
    body = response.text.lower()
    assert body.lstrip().startswith("<!doctype html>")
    assert "<html" in body
    assert "<title>" in body


def assert_fragment(response: Response, status: int = 200) -> None:
    """An htmx answer: main content with its <title>, then the top bar and nav out of band."""
    assert response.status_code == status, response.text[:2000]
    body = response.text.lower()
    assert "<html" not in body
    assert "<!doctype" not in body
    assert "<title>" in body
    elements = parse(response.text)
    oob = {element.attrs.get("id") for element in elements if "data-hx-swap-oob" in element.attrs}
    assert {"topbar", "mainnav"} <= oob, oob


def location(response: Response) -> str:
    assert response.status_code == 303, (response.status_code, response.text[:2000])
    return response.headers["location"]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def html_lang(response: Response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.text)
    assert match, "no <html lang>"
    return match.group(1)


def html_classes(response: Response) -> list[str]:
    match = re.search(r"<html[^>]*>", response.text)
    assert match
    classes = re.search(r'class="([^"]*)"', match.group(0))
    return classes.group(1).split() if classes else []


class Element:
    def __init__(
        self, tag: str, attrs: dict[str, str], select: str | None, form: str | None
    ) -> None:
        self.tag = tag
        self.attrs = attrs
        self.select = select  # the id of the <select> an <option> is in
        self.form = form  # the action of the <form> an element is in


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.select: str | None = None
        self.form: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value if value is not None else "" for name, value in attrs}
        if tag == "select":
            self.select = values.get("id") or values.get("name")
        if tag == "form":
            self.form = values.get("action", "")
        self.elements.append(Element(tag, values, self.select, self.form))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        if tag == "form":
            self.form = None


def parse(html: str) -> list[Element]:
    collector = _Collector()
    collector.feed(html)
    return collector.elements


def input_value(response: Response, name: str, form: str | None = None) -> str | None:
    """The value an <input name=...> shows (in the form posting to `form`, or in the page's
    main form: the first one outside the top bar); None when it has no value attribute."""
    for element in parse(response.text):
        if element.tag != "input" or element.attrs.get("name") != name:
            continue
        if form is not None and element.form != form:
            continue
        if form is None and element.form in TOP_BAR_FORMS:
            continue
        return element.attrs.get("value")
    raise AssertionError(f"no input named {name}")


def checked(response: Response, name: str) -> list[str]:
    return [
        element.attrs.get("value", "")
        for element in parse(response.text)
        if element.tag == "input"
        and element.attrs.get("name") == name
        and "checked" in element.attrs
    ]


def selected(response: Response, select_id: str) -> list[str]:
    return [
        element.attrs.get("value", "")
        for element in parse(response.text)
        if element.tag == "option" and element.select == select_id and "selected" in element.attrs
    ]


def field_error(response: Response, field_id: str) -> str:
    """The message under a form field (the field's id, as in `f-login`)."""
    match = re.search(
        rf'<p class="field-error" id="{re.escape(field_id)}-error">([^<]*)</p>', response.text
    )
    assert match, f"no error shown for {field_id}"
    return html.unescape(match.group(1)).strip()
