"""Reading a request's form: its text fields and its files, within the limits below (the
checking of the fields is hub/forms.py's)."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import UploadFile

from hub.forms import FormData

# A form without files is a few kilobytes; routes that take photos set their own body limit.
FORM_BODY_LIMIT = 128 * 1024
MAX_FIELDS = 500
# Parsing a body this large takes long enough to be worth a thread, so other requests go on.
PARSE_IN_THREAD_BYTES = 16 * 1024


async def read_form(request: Request) -> FormData:
    """The text fields of a form; the files of a multipart form are left to read_uploads."""
    form = await request.form()
    return {
        key: [str(v) for v in form.getall(key) if not isinstance(v, UploadFile)] for key in form
    }


async def read_uploads(request: Request, name: str) -> list[UploadFile]:
    """The files sent in one file field of a multipart form, in order; an empty file field
    (nothing chosen) gives none."""
    form = await request.form()
    return [
        value
        for value in form.getall(name, [])
        if isinstance(value, UploadFile) and (value.filename or "").strip()
    ]
