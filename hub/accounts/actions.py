"""Every change of state of accounts: users, profiles, passwords, skills."""

from __future__ import annotations

from dataclasses import dataclass

from hub.accounts.passwords import hash_new_password, verify_password
from hub.accounts.skills import SKILLS
from hub.accounts.tables import SessionRecord, User, UserSkill
from hub.db import write_transaction
from hub.errors import Refused
from hub.i18n import LANGUAGES, _


async def contact_taken(email: str | None, phone: str | None) -> bool:
    if email and await User.exists().where(User.email == email):
        return True
    return bool(phone) and await User.exists().where(User.phone == phone)


async def _check_contact_free(email: str | None, phone: str | None, *, except_id: int = 0) -> None:
    if email and await User.exists().where((User.email == email) & (User.id != except_id)):
        raise Refused(_("An account with this email already exists."), "contact")
    if phone and await User.exists().where((User.phone == phone) & (User.id != except_id)):
        raise Refused(_("An account with this phone number already exists."), "contact")


@dataclass(frozen=True, slots=True)
class NewAccount:
    """What a person gives to make an account: a name, a phone number or email, a password."""

    display_name: str
    email: str | None
    phone: str | None
    password: str
    language: str = ""

    @property
    def known(self) -> tuple[str | None, ...]:
        """What the person told about themselves, which their password must not be close to."""
        return (self.display_name, self.email, self.phone)

    async def password_hash(self) -> str:
        return await hash_new_password(self.password, self.known)


async def insert_user(account: NewAccount, password_hash: str) -> int:
    """Insert an account inside the caller's write transaction (hash the password before)."""
    if not account.email and not account.phone:
        raise Refused(_("Please give a phone number or an email address."), "contact")
    await _check_contact_free(account.email, account.phone)
    rows = await User.insert(
        User(
            display_name=account.display_name,
            email=account.email,
            phone=account.phone,
            password_hash=password_hash,
            language=account.language if account.language in LANGUAGES else "",
        )
    ).returning(User.id)
    return int(rows[0]["id"])


async def do_create_user(account: NewAccount) -> int:
    password_hash = await account.password_hash()
    async with write_transaction():
        return await insert_user(account, password_hash)


async def authenticate(*, email: str | None, phone: str | None, password: str) -> int | None:
    """The id of the active user with this login and password; None whatever else is wrong."""
    row = None
    if email or phone:
        condition = (User.email == email) if email else (User.phone == phone)
        row = await User.select(User.id, User.password_hash, User.active).where(condition).first()
    valid = await verify_password(row["password_hash"] if row else None, password)
    if row and valid and row["active"]:
        return int(row["id"])
    return None


async def do_update_profile(
    user_id: int, *, display_name: str, language: str, large_text: bool, skills: list[str]
) -> None:
    async with write_transaction():
        await User.update(
            {
                User.display_name: display_name,
                User.language: language if language in LANGUAGES else "",
                User.large_text: large_text,
            }
        ).where(User.id == user_id)
        await UserSkill.delete().where(UserSkill.user == user_id)
        wanted = [skill for skill in SKILLS if skill in skills]
        if wanted:
            await UserSkill.insert(*[UserSkill(user=user_id, skill=skill) for skill in wanted])


async def do_change_password(user_id: int, *, current: str, new: str) -> None:
    row = (
        await User.select(User.password_hash, User.display_name, User.email, User.phone)
        .where(User.id == user_id)
        .first()
    )
    if row is None or not await verify_password(row["password_hash"], current):
        raise Refused(_("Your current password is not right."), "current")
    known = (row["display_name"], row["email"], row["phone"])
    new_hash = await hash_new_password(new, known, field="new")
    async with write_transaction():
        await User.update({User.password_hash: new_hash}).where(User.id == user_id)
        await _end_sessions(user_id)


async def _end_sessions(user_id: int) -> int:
    """End every session of this person; the caller's own is stored again under a new id (see
    rotate_session_id), so only the others end."""
    ended = (
        await SessionRecord.delete()
        .where(SessionRecord.user == user_id)
        .returning(SessionRecord.id)
    )
    return len(ended)


async def do_sign_out_everywhere_else(user_id: int) -> int:
    """How many sessions ended, the caller's own included (it is stored again under a new id)."""
    async with write_transaction():
        return await _end_sessions(user_id)


async def do_set_preferences(
    user_id: int, *, language: str | None = None, large_text: bool | None = None
) -> None:
    values: dict = {}
    if language is not None:
        values[User.language] = language if language in LANGUAGES else ""
    if large_text is not None:
        values[User.large_text] = large_text
    if values:
        async with write_transaction():
            await User.update(values).where(User.id == user_id)
