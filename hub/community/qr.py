"""QR codes drawn on the server as SVG."""

from __future__ import annotations

import io

import segno


def qr_svg(data: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer, kind="svg", scale=10, border=2, xmldecl=False, svgns=True, title=None
    )
    return buffer.getvalue()
