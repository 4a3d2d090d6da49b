"""Argon2 password hashing, and the strength of new passwords (zxcvbn), run in a worker thread
so the event loop keeps serving."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from hub.errors import Refused
from hub.i18n import N_, _

_hasher = PasswordHasher()
# Verified against when the login is unknown, so a wrong login costs the same time as a wrong
# password and the answer gives nothing away.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200
# zxcvbn's scores go from 0 to 4; 2 and up resist guessing through a rate-limited sign-in form.
MIN_STRENGTH = 2
STRENGTH_CHECKED_LENGTH = 72  # zxcvbn's own limit: it grows slow on longer text
MIN_KNOWN_LENGTH = 4  # shorter parts of a name (Li, 6F) may well be in a good password

WEAK = N_("This password is too easy to guess.")
ADVICE = N_("A few words that go together only for you are easy to remember and hard to guess.")
# Why, from the longest part of the password that zxcvbn recognised.
WEAK_BECAUSE = {
    "user_inputs": N_("This password is too close to your name, phone number or email."),
    "passwords": N_("This is one of the most common passwords."),
    "spatial": N_("Rows of keys next to each other are easy to guess."),
    "repeat": N_("Repeated characters are easy to guess."),
    "sequence": N_("Sequences such as 1234 or abcd are easy to guess."),
    "date": N_("Dates and years are easy to guess."),
    "regex": N_("Dates and years are easy to guess."),
}


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(verify)


def _plain(text: str) -> str:
    """Letters and digits only, in one case: "Aunt Wang, 6F" and "auntwang6f" are one."""
    return "".join(char for char in text.casefold() if char.isalnum())


def _close_to(password: str, known: list[str]) -> bool:
    """The password holds, or is held in, something the person told about themselves (whole:
    a word of their name is only one part of the password, weighed by zxcvbn)."""
    plain = _plain(password)
    parts = [_plain(text) for text in known]
    return any(len(part) >= MIN_KNOWN_LENGTH and part in plain for part in parts) or (
        len(plain) >= MIN_KNOWN_LENGTH and any(plain in part for part in parts)
    )


def _weak_because(password: str, known: list[str]) -> str | None:
    """The key of WEAK_BECAUSE for a weak password ("" when no reason fits), None if strong."""
    if _close_to(password, known):
        return "user_inputs"
    words = [word for text in known for word in re.split(r"[\W_]+", text) if word]
    result = zxcvbn(password[:STRENGTH_CHECKED_LENGTH], user_inputs=known + words)
    if result["score"] >= MIN_STRENGTH:
        return None
    matches: list[dict[str, Any]] = result["sequence"]
    longest = max(matches, key=lambda match: len(match["token"]), default={})
    pattern = longest.get("pattern", "")
    if pattern == "dictionary" and longest.get("dictionary_name") in WEAK_BECAUSE:
        return str(longest["dictionary_name"])
    return pattern if pattern in WEAK_BECAUSE else ""


async def password_weakness(password: str, known: Iterable[str | None] = ()) -> str | None:
    """Why a new password is too easy to guess, translated; None when it is strong enough.
    `known` is what the person gave about themselves (name, phone, email): a password close to
    one of them is weak."""
    texts = [text for text in known if text]
    texts += [text.split("@")[0] for text in texts if "@" in text]
    because = await anyio.to_thread.run_sync(_weak_because, password, texts)
    if because is None:
        return None
    return f"{_(WEAK_BECAUSE.get(because, WEAK))} {_(ADVICE)}"


async def hash_new_password(
    password: str, known: Iterable[str | None] = (), *, field: str = "password"
) -> str:
    """The hash of a password someone chose, refused with the reason when it is weak."""
    weakness = await password_weakness(password, known)
    if weakness:
        raise Refused(weakness, field)
    return await hash_password(password)
