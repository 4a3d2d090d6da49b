"""Phone numbers and email addresses as people type them, and as they are stored."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

_PHONE_CHARS = re.compile(r"[\s\-().]")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{6,14}$")


def normalize_phone(raw: str) -> str | None:
    """A mainland mobile (13812345678, +86 138 1234 5678) or an international +number."""
    digits = _PHONE_CHARS.sub("", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if _CN_MOBILE.match(digits):
        return digits
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if _INTERNATIONAL.match(digits):
        return digits
    return None


def normalize_email(raw: str) -> str | None:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def split_contact(raw: str) -> tuple[str | None, str | None]:
    """(email, phone) for what someone typed in a "phone or email" field; both None if neither."""
    raw = raw.strip()
    if "@" in raw:
        return normalize_email(raw), None
    return None, normalize_phone(raw)
