"""Every change of state of communities, buildings and memberships, each with its audit entry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from zoneinfo import available_timezones

from hub import clock
from hub.accounts.actions import (
    NewAccount,
    authenticate,
    contact_taken,
    insert_user,
)
from hub.accounts.passwords import hash_new_password
from hub.accounts.tables import User
from hub.audit import record
from hub.community.roles import Role
from hub.community.tables import (
    Building,
    Community,
    CommunityAdmin,
    Invitation,
    Membership,
    SetupToken,
)
from hub.db import write_transaction
from hub.errors import Refused
from hub.i18n import _

DEFAULT_TIMEZONE = "Asia/Shanghai"
INVITATION_LASTS = timedelta(days=30)


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_timezone(name: str) -> bool:
    return name in available_timezones()


# First start ---------------------------------------------------------------------------------


async def do_issue_setup_token() -> str | None:
    """A fresh one-time setup token while nobody has an account yet; None once someone has."""
    token = new_token()
    async with write_transaction():
        if await User.exists():
            await SetupToken.delete(force=True)
            return None
        await SetupToken.delete(force=True)
        await SetupToken.insert(SetupToken(token_hash=_digest(token)))
    return token


async def setup_token_valid(token: str) -> bool:
    return await SetupToken.exists().where(SetupToken.token_hash == _digest(token))


async def do_setup(
    token: str, *, community_name: str, building_name: str, account: NewAccount
) -> int:
    """Spend the setup token: the first community, its first building and its admin account."""
    password_hash = await account.password_hash()
    async with write_transaction():
        spent = (
            await SetupToken.delete()
            .where(SetupToken.token_hash == _digest(token))
            .returning(SetupToken.id)
        )
        if not spent or await User.exists():
            raise Refused(_("This setup link has already been used."))
        user_id = await insert_user(account, password_hash)
        community_id = await _insert_community(user_id, community_name)
        await _insert_building(user_id, community_id, building_name, "", DEFAULT_TIMEZONE)
    return user_id


# Communities and buildings -------------------------------------------------------------------


async def _insert_community(actor: int, name: str) -> int:
    rows = await Community.insert(Community(name=name)).returning(Community.id)
    community_id = int(rows[0]["id"])
    await CommunityAdmin.insert(CommunityAdmin(user=actor, community=community_id))
    await record(actor, "community.created", name, community=community_id)
    return community_id


async def _insert_building(
    actor: int, community_id: int, name: str, address: str, timezone: str
) -> int:
    if not valid_timezone(timezone):
        raise Refused(_("Please choose a time zone from the list."), "timezone")
    rows = await Building.insert(
        Building(
            community=community_id,
            name=name,
            address=address,
            timezone=timezone,
            join_token=new_token(),
        )
    ).returning(Building.id)
    building_id = int(rows[0]["id"])
    await record(actor, "building.created", name, building=building_id, community=community_id)
    return building_id


async def do_create_community(actor: int, name: str) -> int:
    async with write_transaction():
        return await _insert_community(actor, name)


async def do_create_building(
    actor: int, community_id: int, *, name: str, address: str, timezone: str
) -> int:
    async with write_transaction():
        return await _insert_building(actor, community_id, name, address, timezone)


async def do_reset_join_link(actor: int, building_id: int) -> None:
    async with write_transaction():
        await Building.update({Building.join_token: new_token()}).where(Building.id == building_id)
        await record(actor, "invite.reset", building=building_id)


# Members -------------------------------------------------------------------------------------


async def _add_member(actor: int | None, user_id: int, building_id: int, role: Role) -> None:
    existing = (
        await Membership.select(Membership.id, Membership.role)
        .where((Membership.user == user_id) & (Membership.building == building_id))
        .first()
    )
    if existing is None:
        await Membership.insert(Membership(user=user_id, building=building_id, role=role.key))
        await record(
            actor, "member.joined", f"user={user_id} role={role.key}", building=building_id
        )
    elif (Role.from_key(existing["role"]) or Role.RESIDENT) < role:
        await Membership.update({Membership.role: role.key}).where(Membership.id == existing["id"])
        await record(actor, "member.role", f"user={user_id} role={role.key}", building=building_id)


async def building_for_join_token(token: str) -> dict | None:
    return (
        await Building.select(Building.id, Building.name, Building.community.name)
        .where(Building.join_token == token)
        .first()
    )


async def do_join_new(token: str, account: NewAccount) -> tuple[int, int]:
    """A new account that joins the building of this join link as a resident; a person who
    already has an account with this phone or email and gives its password joins with it.
    Anyone else gets the sign-in form's answer to a wrong password, which does not say whether
    the phone or email has an account."""
    existing = await authenticate(
        email=account.email, phone=account.phone, password=account.password
    )
    if existing is not None:
        return existing, await do_join_existing(existing, token)
    if await contact_taken(account.email, account.phone):
        raise Refused(_("That phone number or email and password do not match."), "password")
    password_hash = await account.password_hash()
    async with write_transaction():
        building = await building_for_join_token(token)
        if building is None:
            raise Refused(_("This join link is no longer valid. Ask your leader for a new one."))
        user_id = await insert_user(account, password_hash)
        await _add_member(user_id, user_id, building["id"], Role.RESIDENT)
    await accept_invitations(user_id)
    return user_id, int(building["id"])


async def do_join_existing(user_id: int, token: str) -> int:
    async with write_transaction():
        building = await building_for_join_token(token)
        if building is None:
            raise Refused(_("This join link is no longer valid. Ask your leader for a new one."))
        await _add_member(user_id, user_id, building["id"], Role.RESIDENT)
    return int(building["id"])


async def _leader_count(building_id: int) -> int:
    return await Membership.count().where(
        (Membership.building == building_id) & (Membership.role == Role.LEADER.key)
    )


async def _membership(building_id: int, membership_id: int) -> dict:
    row = (
        await Membership.select(Membership.id, Membership.role, Membership.user)
        .where((Membership.id == membership_id) & (Membership.building == building_id))
        .first()
    )
    if row is None:
        raise Refused(_("This member is no longer in the building."))
    return row


async def do_set_role(actor: int, building_id: int, membership_id: int, role: Role) -> int:
    """Change a member's role; returns the member's user id."""
    async with write_transaction():
        member = await _membership(building_id, membership_id)
        demoting_leader = member["role"] == Role.LEADER.key and role is not Role.LEADER
        if demoting_leader and await _leader_count(building_id) <= 1:
            raise Refused(_("A building needs at least one leader. Appoint another first."))
        await Membership.update({Membership.role: role.key}).where(Membership.id == membership_id)
        await record(
            actor, "member.role", f"user={member['user']} role={role.key}", building=building_id
        )
    return int(member["user"])


async def do_remove_member(actor: int, building_id: int, membership_id: int) -> int:
    """Remove a member from the building; returns their user id."""
    async with write_transaction():
        member = await _membership(building_id, membership_id)
        if member["role"] == Role.LEADER.key and await _leader_count(building_id) <= 1:
            raise Refused(_("A building needs at least one leader. Appoint another first."))
        await Membership.delete().where(Membership.id == membership_id)
        await record(actor, "member.removed", f"user={member['user']}", building=building_id)
    return int(member["user"])


async def do_appoint_leader(
    actor: int, building_id: int, *, email: str | None, phone: str | None
) -> None:
    """A community admin appoints a leader: a member of the building becomes one at once;
    anyone else is invited, and becomes one on signing in with this phone or email (making an
    account for it if they have none). What the admin sees is the same either way, so it tells
    nothing of accounts outside their buildings."""
    async with write_transaction():
        contact = (Membership.user.email == email) if email else (Membership.user.phone == phone)
        member = (
            await Membership.select(Membership.user)
            .where((Membership.building == building_id) & contact)
            .first()
        )
        if member is not None:
            await _add_member(actor, int(member["user"]), building_id, Role.LEADER)
            return
        same = (Invitation.email == email) if email else (Invitation.phone == phone)
        await Invitation.delete().where(
            (Invitation.building == building_id) & same & Invitation.accepted_at.is_null()
        )
        await Invitation.insert(
            Invitation(
                building=building_id,
                role=Role.LEADER.key,
                email=email,
                phone=phone,
                invited_by=actor,
            )
        )
        await record(actor, "leader.invited", email or phone or "", building=building_id)


async def accept_invitations(user_id: int) -> None:
    """Whoever signs in takes the roles they were invited to with their phone or email."""
    user = await User.select(User.email, User.phone).where(User.id == user_id).first()
    if user is None or not (user["email"] or user["phone"]):
        return
    by_email = Invitation.email == user["email"]
    by_phone = Invitation.phone == user["phone"]
    if user["email"] and user["phone"]:
        contact = by_email | by_phone
    else:
        contact = by_email if user["email"] else by_phone
    mine = (
        Invitation.accepted_at.is_null()
        & (Invitation.created_at > clock.now() - INVITATION_LASTS)
        & contact
    )
    if not await Invitation.exists().where(mine):
        return
    async with write_transaction():
        for invitation in await Invitation.select(
            Invitation.id, Invitation.building, Invitation.role, Invitation.invited_by
        ).where(mine):
            role = Role.from_key(invitation["role"]) or Role.RESIDENT
            await _add_member(invitation["invited_by"], user_id, invitation["building"], role)
            await Invitation.update({Invitation.accepted_at: clock.now()}).where(
                Invitation.id == invitation["id"]
            )


async def do_ensure_admin(
    *, email: str | None, phone: str | None, password: str, community_name: str | None
) -> str:
    """The command line's admin: create or reactivate the account with this password and make it
    an admin of the named community (made if missing) or of the only one there is."""
    password_hash = await hash_new_password(password, (email, phone))
    async with write_transaction():
        condition = (User.email == email) if email else (User.phone == phone)
        user = await User.select(User.id).where(condition).first()
        if user is None:
            account = NewAccount(
                display_name=email or phone or "admin", email=email, phone=phone, password=password
            )
            user_id = await insert_user(account, password_hash)
        else:
            user_id = int(user["id"])
            await User.update({User.password_hash: password_hash, User.active: True}).where(
                User.id == user_id
            )
        await SetupToken.delete(force=True)
        if community_name:
            community = (
                await Community.select(Community.id, Community.name)
                .where(Community.name == community_name)
                .first()
            )
        else:
            communities = await Community.select(Community.id, Community.name).limit(2)
            if len(communities) > 1:
                raise Refused("there are several communities: name one with --community")
            community = communities[0] if communities else None
            community_name = community_name or "Community"
        if community is None:
            community_id = await Community.insert(Community(name=community_name)).returning(
                Community.id
            )
            community = {"id": community_id[0]["id"], "name": community_name}
        if not await CommunityAdmin.exists().where(
            (CommunityAdmin.user == user_id) & (CommunityAdmin.community == community["id"])
        ):
            await CommunityAdmin.insert(CommunityAdmin(user=user_id, community=community["id"]))
            await record(None, "admin.created", f"user={user_id}", community=community["id"])
    return str(community["name"])
