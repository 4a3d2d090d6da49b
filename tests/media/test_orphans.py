"""Photo files that nothing names are removed (issue 10, item 12): those of refused forms once
their grace period is over, a replaced cover, a file half written; never a photo a record names,
nor one younger than the grace period (an upload in flight, a form waiting to be sent again)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from piccolo.columns import Varchar
from piccolo.conf.apps import Finder

from hub.areas import AREAS
from hub.events import actions as events
from hub.media import images, orphans
from hub.media.variants import make_variants, variant_name
from hub.notifications.sweeps import Sweep, run_sweeps
from hub.tasks.tables import TaskPhoto
from tests.events.support import make_event
from tests.factories import World
from tests.media.images import small_jpeg
from tests.tasks.support import DOOR, report
from tests.web_client import Web

LATER = orphans.GRACE + timedelta(minutes=1)


def on_disk() -> set[str]:
    return {path.name for path in images.photos_dir().iterdir()}


def age(name: str, by: timedelta) -> None:
    """Make a file look written `by` ago."""
    when = time.time() - by.total_seconds()
    os.utime(images.photos_dir() / name, (when, when), follow_symlinks=False)


def sweep(web: Web, at: datetime) -> int:
    return web.run(orphans.remove_orphans, at)


def now() -> datetime:
    return datetime.now(UTC)


def photos(count: int) -> list[tuple[str, bytes, str]]:
    return [(f"p{i}.jpg", small_jpeg((i * 30, 90, 120)), "image/jpeg") for i in range(count)]


def test_refused_reports_leave_no_photo_once_the_grace_period_is_over(
    web: Web, world: World
) -> None:
    web.sign_in(world.resident.login)
    before = on_disk()
    for _ in range(4):  # the attack of the issue: 4 refused forms of 6 photos each
        response = report(web, world.building_id, {"title": ""}, photos(6))
        assert response.status_code == 422
    waiting = on_disk() - before
    assert len(waiting) == 48, "each photo and its thumbnail wait for the form to come back"

    sweep(web, now())
    assert on_disk() - before == waiting, "within the grace period nothing goes"
    assert sweep(web, now() + LATER) >= 48
    assert on_disk() - before == set()


def test_a_form_sent_again_keeps_its_photos_for_another_grace_period(
    web: Web, world: World
) -> None:
    web.sign_in(world.resident.login)
    before = on_disk()
    response = report(web, world.building_id, {"title": ""}, photos(1))
    [kept] = [name for name in on_disk() - before if "-thumb" not in name]
    assert kept in response.text
    for name in (kept, images.thumb_of(kept)):
        age(name, orphans.GRACE - timedelta(minutes=5))
    response = report(web, world.building_id, {"title": "", "kept_photos": kept})
    assert response.status_code == 422, "refused again: the photo keeps waiting"
    sweep(web, now() + timedelta(minutes=10))
    assert {kept, images.thumb_of(kept)} <= on_disk()
    assert report(web, world.building_id, {**DOOR, "kept_photos": kept}).status_code == 303
    assert web.run(TaskPhoto.select(TaskPhoto.file).output(as_list=True).run) == [kept]


def test_what_records_name_stays_and_the_rest_goes(web: Web, world: World) -> None:
    before = on_disk()  # other tests' files, which no record names any more
    web.sign_in(world.resident.login)
    assert report(web, world.building_id, {}, photos(2)).status_code == 303
    task_files = web.run(TaskPhoto.select(TaskPhoto.file).output(as_list=True).run)
    make_variants(task_files[0], 480)  # a variant of a photo in use stays with it
    cover = images.store_image(small_jpeg(), "cover.jpg")
    event_id = web.run(make_event, world.leader.id, world.community_id, world.building_id)
    web.run(
        events.Event.update({events.Event.cover: cover.file}).where(events.Event.id == event_id).run
    )
    notice = images.store_image(small_jpeg(), "notice.jpg")
    web.run(
        events.do_post_notice,
        world.leader.id,
        world.community_id,
        world.building_id,
        events.NoticeDetails(
            title="Water off",
            text="Tuesday",
            pinned=False,
            urgent=False,
            ends_on=None,
            photo=notice.file,
        ),
    )
    named = on_disk() - before
    orphan = images.store_image(small_jpeg(), "left.jpg")
    half_written = images.temporary_name(images.photos_dir() / f"{orphan.file[:32]}-960.jpg").name
    (images.photos_dir() / half_written).write_bytes(b"half")
    replaced = cover
    new_cover = images.store_image(small_jpeg(), "new-cover.jpg")
    web.run(
        events.Event.update({events.Event.cover: new_cover.file})
        .where(events.Event.id == event_id)
        .run
    )

    removed = sweep(web, now() + LATER)

    # the orphan and its thumbnail, the temporary file, the old cover's two
    assert removed == 5 + len(before)
    assert on_disk() == (named - {replaced.file, replaced.thumb}) | {
        new_cover.file,
        new_cover.thumb,
    }
    assert variant_name(task_files[0], 480, "webp") in on_disk()


def test_every_column_that_holds_photo_names_is_declared() -> None:
    declared = {
        (column._meta.table, column._meta.name) for area in AREAS for column in area.photo_columns()
    }
    holding_photos = {
        (table, column._meta.name)
        for table in Finder().get_table_classes()
        for column in table._meta.columns
        if isinstance(column, Varchar) and column._meta.name in {"file", "photo", "cover"}
    }
    assert holding_photos, "the photo columns are found"
    assert holding_photos <= declared


def test_the_worker_runs_the_sweep_about_once_an_hour(web: Web) -> None:
    first = images.store_image(small_jpeg(), "a.jpg")
    for name in (first.file, first.thumb):
        age(name, LATER)
    start = now()
    last_runs: dict[Sweep, datetime] = {}
    web.run(run_sweeps, start, last_runs)
    assert first.file not in on_disk()
    second = images.store_image(small_jpeg(), "b.jpg")
    for name in (second.file, second.thumb):
        age(name, LATER)
    web.run(run_sweeps, start + timedelta(minutes=1), last_runs)
    assert second.file in on_disk(), "not again within the hour"
    web.run(run_sweeps, start + orphans.EVERY, last_runs)
    assert second.file not in on_disk()
