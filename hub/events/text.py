"""Plain text made safe for a page: everything escaped, then http(s) links made clickable."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?)]}'\"。，；：！？）"


def linkify(text: str) -> Markup:
    """Escaped text with each http(s) URL as a link; line breaks kept by the stylesheet."""
    out: list[str] = []
    position = 0
    for match in URL.finditer(text):
        url = match.group(0)
        stripped = url.rstrip(TRAILING)
        end = match.start() + len(stripped)
        out.append(str(escape(text[position : match.start()])))
        link = escape(stripped)
        out.append(f'<a href="{link}" rel="nofollow noopener noreferrer">{link}</a>')
        position = end
    out.append(str(escape(text[position:])))
    return Markup("".join(out))  # noqa: S704 - every piece above was escaped
