"""A realistic demo community, loaded idempotently by `hub demo`.

Built on the seed story: Dekang Garden in Sanlin, whose building 2 has a neighbour station and a
volunteer patrol team. Names are in Chinese and English, as the buildings' people are.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub import clock
from hub.accounts.actions import NewAccount, do_update_profile, insert_user
from hub.accounts.passwords import hash_password
from hub.accounts.tables import User
from hub.community import actions
from hub.community.roles import Role
from hub.community.tables import Building, Community, CommunityAdmin, Membership
from hub.db import write_transaction
from hub.patrols import actions as patrols
from hub.patrols.tables import PatrolRoute

DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105 - printed for the demo on purpose
COMMUNITY = "德康苑 Dekang Garden"
BUILDINGS = [
    ("2号楼 Building 2", "三林镇德康路 2 号"),
    ("5号楼 Building 5", "三林镇德康路 5 号"),
]


@dataclass(frozen=True)
class DemoPerson:
    name: str
    login: str
    building: int | None
    role: Role | None
    language: str
    skills: tuple[str, ...] = ()
    admin: bool = False


PEOPLE = [
    DemoPerson("刘老师 (居委)", "admin@dekang.example", None, None, "zh", admin=True),
    DemoPerson("王建国", "13800000001", 0, Role.LEADER, "zh", ("carpentry", "locks")),
    DemoPerson("李娟", "13800000002", 0, Role.VOLUNTEER, "zh", ("first_aid", "cleaning")),
    DemoPerson("张伟", "13800000003", 0, Role.VOLUNTEER, "zh", ("electrics", "it")),
    DemoPerson("Emily Chen", "emily@dekang.example", 0, Role.VOLUNTEER, "en", ("translation",)),
    DemoPerson("陈阿姨 6F", "13800000005", 0, Role.RESIDENT, "zh"),
    DemoPerson("Tom Baker", "tom@dekang.example", 0, Role.RESIDENT, "en"),
    DemoPerson("赵师傅", "13800000007", 1, Role.LEADER, "zh", ("plumbing",)),
    DemoPerson("孙阿姨", "13800000008", 1, Role.RESIDENT, "zh"),
]


@dataclass(frozen=True)
class DemoLogins:
    password: str
    lines: list[str]


async def _ensure_user(person: DemoPerson, password_hash: str) -> int:
    email = person.login if "@" in person.login else None
    phone = None if email else person.login
    condition = (User.email == email) if email else (User.phone == phone)
    async with write_transaction():
        row = await User.select(User.id).where(condition).first()
        if row is not None:
            return int(row["id"])
        account = NewAccount(
            display_name=person.name,
            email=email,
            phone=phone,
            password=DEMO_PASSWORD,
            language=person.language,
        )
        user_id = await insert_user(account, password_hash)
    await do_update_profile(
        user_id,
        display_name=person.name,
        language=person.language,
        large_text=False,
        skills=list(person.skills),
    )
    return user_id


async def load_demo() -> DemoLogins:
    password_hash = await hash_password(DEMO_PASSWORD)
    admin = next(p for p in PEOPLE if p.admin)
    admin_id = await _ensure_user(admin, password_hash)
    await actions.do_issue_setup_token()

    community = await Community.select(Community.id).where(Community.name == COMMUNITY).first()
    if community is None:
        community_id = await actions.do_create_community(admin_id, COMMUNITY)
    else:
        community_id = int(community["id"])
    building_ids = []
    for name, address in BUILDINGS:
        row = (
            await Building.select(Building.id)
            .where((Building.community == community_id) & (Building.name == name))
            .first()
        )
        if row is None:
            building_ids.append(
                await actions.do_create_building(
                    admin_id, community_id, name=name, address=address, timezone="Asia/Shanghai"
                )
            )
        else:
            building_ids.append(int(row["id"]))
    async with write_transaction():
        if not await CommunityAdmin.exists().where(
            (CommunityAdmin.user == admin_id) & (CommunityAdmin.community == community_id)
        ):
            await CommunityAdmin.insert(CommunityAdmin(user=admin_id, community=community_id))

    lines = [f"{admin.login:<24} {admin.name}: community admin"]
    for person in PEOPLE:
        if person.admin or person.building is None or person.role is None:
            continue
        user_id = await _ensure_user(person, password_hash)
        building_id = building_ids[person.building]
        async with write_transaction():
            if not await Membership.exists().where(
                (Membership.user == user_id) & (Membership.building == building_id)
            ):
                await Membership.insert(
                    Membership(user=user_id, building=building_id, role=person.role.key)
                )
        building_name = BUILDINGS[person.building][0]
        lines.append(f"{person.login:<24} {person.name}: {person.role.key}, {building_name}")
    await _demo_patrol(admin_id, building_ids[0])
    return DemoLogins(password=DEMO_PASSWORD, lines=lines)


PATROL_ROUTE = "北线 North side"
CHECKPOINTS = [
    ("大堂 Lobby", "一楼入口 / ground floor entrance"),
    ("6楼楼梯间 Stairwell 6F", ""),
    ("车棚 Bike shed", "北门外 / outside the north gate"),
    ("地下车库 Garage", "B1"),
]


async def _demo_patrol(actor: int, building_id: int) -> None:
    """The evening patrol of building 2: a route of four checkpoints, Monday to Friday."""
    if await PatrolRoute.exists().where(
        (PatrolRoute.building == building_id) & (PatrolRoute.name == PATROL_ROUTE)
    ):
        return
    route_id = await patrols.do_create_route(
        actor, building_id, name=PATROL_ROUTE, in_order=False, allow_unscheduled=True
    )
    for name, location in CHECKPOINTS:
        await patrols.do_add_checkpoint(actor, building_id, route_id, name=name, location=location)
    await patrols.do_create_schedule(
        actor,
        building_id,
        route_id,
        patrols.WeeklyPlan(
            weekdays="12345",
            start_minute=19 * 60,
            duration_minutes=60,
            volunteers=2,
            starts_on=clock.server_today(),
            ends_on=None,
        ),
    )
