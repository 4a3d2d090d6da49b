"""The `hub` command: run, worker, migrate, demo, create-admin, vapid, backup."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from hub.settings import PRIVATE_UMASK, Settings, SettingsError, get_settings


def _settings_or_exit() -> Settings:
    try:
        return get_settings()
    except SettingsError as error:
        print(f"hub: {error}", file=sys.stderr)
        raise SystemExit(2) from error


async def _migrate() -> None:
    from hub.db import database_lifespan
    from hub.migrate import migrate

    async with database_lifespan():
        await migrate()


def _run_async(coro_factory) -> None:
    from hub.migrate import MigrationFailed

    try:
        asyncio.run(coro_factory())
    except MigrationFailed as error:
        print(f"hub: migration failed: {error}", file=sys.stderr)
        raise SystemExit(1) from error
    except OSError as error:
        print(f"hub: HUB_DATABASE_URL: cannot reach the database ({error})", file=sys.stderr)
        raise SystemExit(2) from error
    except asyncpg.PostgresError as error:
        print(f"hub: HUB_DATABASE_URL: the database refused ({error})", file=sys.stderr)
        raise SystemExit(2) from error


def cmd_migrate(_: argparse.Namespace) -> None:
    _settings_or_exit()
    _run_async(_migrate)
    print("hub: database is up to date")


def cmd_run(args: argparse.Namespace) -> None:
    settings = _settings_or_exit()

    async def prepare() -> None:
        from hub.accounts.sessions import DatabaseStore
        from hub.community.actions import do_issue_setup_token
        from hub.db import database_lifespan
        from hub.migrate import migrate

        async with database_lifespan():
            await migrate()
            await DatabaseStore().delete_expired()
            token = await do_issue_setup_token()
        if token:
            base = settings.public_url or f"http://{args.host}:{args.port}"
            print("\nHub has no account yet. Open this one-time link to set it up:\n")
            print(f"    {base}/setup/{token}\n", flush=True)

    _run_async(prepare)
    import uvicorn

    uvicorn.run(
        "hub.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        **proxy_options(settings),
    )


def proxy_options(settings: Settings) -> dict[str, object]:
    """uvicorn reads the forwarded client address and scheme only from HUB_TRUSTED_PROXIES (its
    own default would trust 127.0.0.1, letting any local client choose its address)."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}


def prepare_worker() -> None:
    """What `hub worker` takes from the areas before it delivers (their notification kinds with
    their words, their sweeps), without building the web app."""
    from hub.areas import install

    install()


def cmd_worker(_: argparse.Namespace) -> None:
    settings = _settings_or_exit()

    async def work() -> None:
        import signal

        from hub.db import database_lifespan
        from hub.migrate import migrate
        from hub.notifications.worker import run_worker

        prepare_worker()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with database_lifespan():
            await migrate()
            print("hub: notification worker running (Ctrl-C stops it)", flush=True)
            await run_worker(stop, settings)

    _run_async(work)


def cmd_vapid(_: argparse.Namespace) -> None:
    print(_settings_or_exit().vapid_public_key)


def cmd_demo(_: argparse.Namespace) -> None:
    _settings_or_exit()

    async def load() -> None:
        from hub.areas import install
        from hub.db import database_lifespan
        from hub.demo import load_demo
        from hub.migrate import migrate

        install()  # the demo's actions may queue notifications, of kinds the areas declare
        async with database_lifespan():
            await migrate()
            logins = await load_demo()
        print(
            "Demo community loaded. Sign in with any of these (password for all: "
            f"{logins.password}):\n"
        )
        for line in logins.lines:
            print(f"    {line}")

    _run_async(load)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            print("hub: the passwords are not the same", file=sys.stderr)
            raise SystemExit(2)
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_create_admin(args: argparse.Namespace) -> None:
    _settings_or_exit()
    from hub.accounts.contact import split_contact
    from hub.accounts.passwords import MIN_PASSWORD_LENGTH

    email, phone = split_contact(args.login)
    if not (email or phone):
        print("hub: --login: give a mobile number or an email address", file=sys.stderr)
        raise SystemExit(2)
    password = _read_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"hub: the password needs at least {MIN_PASSWORD_LENGTH} characters", file=sys.stderr)
        raise SystemExit(2)

    async def create() -> None:
        from hub.community.actions import do_ensure_admin
        from hub.db import database_lifespan
        from hub.errors import Refused
        from hub.migrate import migrate

        async with database_lifespan():
            await migrate()
            try:
                community = await do_ensure_admin(
                    email=email, phone=phone, password=password, community_name=args.community
                )
            except Refused as refused:
                print(f"hub: {refused.message}", file=sys.stderr)
                raise SystemExit(2) from refused
        print(f"hub: {args.login} is an admin of {community}")

    _run_async(create)


def cmd_backup(args: argparse.Namespace) -> None:
    from hub.backup import BackupError, make_backup

    settings = _settings_or_exit()
    try:
        made = make_backup(settings, Path(args.path).expanduser().resolve())
    except BackupError as error:
        print(f"hub: backup: {error}", file=sys.stderr)
        raise SystemExit(2) from error
    if made.database:
        print(f"hub: database, {made.files} uploaded files and the keys copied to {made.path}")
    else:
        print(
            f"hub: {made.files} uploaded files and the keys copied to {made.path}; "
            "copy the PostgreSQL database with pg_dump (see the README)"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="migrate the database, then serve Hub")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=1)
    run.set_defaults(func=cmd_run)

    worker = commands.add_parser(
        "worker", help="deliver notifications only (with HUB_WORKER=0 on the web hosts)"
    )
    worker.set_defaults(func=cmd_worker)

    vapid = commands.add_parser(
        "vapid", help="print the VAPID public key (the browser's application server key)"
    )
    vapid.set_defaults(func=cmd_vapid)

    migrate = commands.add_parser("migrate", help="bring the database up to date")
    migrate.set_defaults(func=cmd_migrate)

    demo = commands.add_parser("demo", help="load a demo community and print its logins")
    demo.set_defaults(func=cmd_demo)

    backup = commands.add_parser(
        "backup", help="copy the database (SQLite), the uploads and the keys, while Hub runs"
    )
    backup.add_argument("path", help="a new or empty folder for the copy")
    backup.set_defaults(func=cmd_backup)

    admin = commands.add_parser("create-admin", help="create or reset a community admin")
    admin.add_argument("--login", required=True, help="mobile number or email address")
    admin.add_argument("--community", default=None, help="community name (made if missing)")
    admin.set_defaults(func=cmd_create_admin)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    # Piccolo warns on its own when it cannot connect; the command says it once, in one line.
    warnings.filterwarnings("ignore", message=r".*Unable to (connect|fetch server version)")
    os.umask(PRIVATE_UMASK)  # every file Hub makes (database, uploads, keys) is its user's alone
    args = build_parser().parse_args(argv)
    args.func(args)
