"""Files people download: every CSV and iCalendar answer is made here.

A CSV cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by spreadsheets (CSV injection), so such a cell gets a leading apostrophe, which spreadsheets
show as text. Downloads are private: never kept by a cache, shared or not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from litestar import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PRIVATE = "private, no-store"
# Litestar adds "; charset=utf-8" to every text/ type itself.
CSV_TYPE = "text/csv"
ICS_TYPE = "text/calendar"

Cell = str | int | None


def spreadsheet_safe(value: Cell) -> str | int:
    """A cell as text a spreadsheet shows as it is; numbers pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return out.getvalue()


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], filename: str
) -> Response[bytes]:
    # The byte order mark makes Excel read the file as UTF-8, so Chinese names come out right.
    body = ("\ufeff" + csv_text(header, rows)).encode("utf-8")
    return Response(
        body,
        media_type=CSV_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": PRIVATE,
        },
    )


def ics_response(body: bytes, filename: str | None = None) -> Response[bytes]:
    headers = {"Cache-Control": PRIVATE}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type=ICS_TYPE, headers=headers)
