"""Dates and times as people read them, in Chinese and English: one helper per kind of date
(hub/web/dates.py), and the pages that show them: the week's header, a shift over midnight."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from hub.i18n import current_language
from hub.patrols.actions import do_sign_up
from hub.patrols.tables import Shift
from hub.web import dates
from tests.accounts.pages import en
from tests.factories import World
from tests.patrols.world import make_route
from tests.web_client import Web, text_of

# Monday 7 December 2026, 19:00 in Shanghai (UTC+8), and "today" a week before.
MONDAY_7PM = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
THIS_YEAR = date(2026, 11, 30)
TZ = "Asia/Shanghai"


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    token = current_language.set(request.param)
    yield request.param
    current_language.reset(token)


def by_language(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def plain(text: str) -> str:
    """Babel puts thin spaces around a range's dash; a page's text reads them as spaces."""
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["zh", "en"], indirect=True)
def test_a_day_and_a_day_with_its_time(language: str) -> None:
    assert (
        dates.day(MONDAY_7PM, TZ, today=THIS_YEAR)
        == by_language("12月7日周一", "Mon 7 Dec")[language]
    )
    assert (
        dates.day(date(2026, 12, 7), today=THIS_YEAR)
        == by_language("12月7日周一", "Mon 7 Dec")[language]
    )
    assert (
        dates.day_time(MONDAY_7PM, TZ, today=THIS_YEAR)
        == by_language("12月7日周一 19:00", "Mon 7 Dec, 19:00")[language]
    )
    assert dates.clock(MONDAY_7PM, TZ) == "19:00"
    assert (
        dates.long_day(date(2026, 12, 7))
        == by_language("12月7日周一", "Monday 7 December")[language]
    )


@pytest.mark.parametrize("language", ["zh", "en"], indirect=True)
def test_another_year_is_named(language: str) -> None:
    assert (
        dates.day(date(2027, 1, 4), today=THIS_YEAR)
        == by_language("2027年1月4日周一", "Mon, 4 Jan 2027")[language]
    )


@pytest.mark.parametrize("language", ["zh", "en"], indirect=True)
def test_the_local_day_is_the_buildings_not_utcs(language: str) -> None:
    """23:30 on Sunday in UTC is already Monday morning in Shanghai."""
    late = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert (
        dates.day_time(late, TZ, today=THIS_YEAR)
        == by_language("12月7日周一 07:30", "Mon 7 Dec, 07:30")[language]
    )


@pytest.mark.parametrize("language", ["zh", "en"], indirect=True)
def test_spans_on_one_day_and_over_midnight(language: str) -> None:
    one_hour = MONDAY_7PM + timedelta(hours=1)
    assert (
        plain(dates.span(MONDAY_7PM, one_hour, TZ, today=THIS_YEAR))
        == by_language("12月7日周一 19:00–20:00", "Mon 7 Dec, 19:00–20:00")[language]
    )
    assert plain(dates.clock_span(MONDAY_7PM, one_hour, TZ)) == "19:00–20:00"

    eleven_pm = MONDAY_7PM + timedelta(hours=4)
    one_am = eleven_pm + timedelta(hours=2)
    assert (
        plain(dates.span(eleven_pm, one_am, TZ, today=THIS_YEAR))
        == by_language(
            "12月7日周一 23:00 – 12月8日周二 01:00", "Mon 7 Dec, 23:00 – Tue 8 Dec, 01:00"
        )[language]
    )
    assert (
        plain(dates.clock_span(eleven_pm, one_am, TZ))
        == by_language("23:00 – 周二01:00", "23:00 – Tue 01:00")[language]
    )


@pytest.mark.parametrize("language", ["zh", "en"], indirect=True)
def test_a_week_of_days(language: str) -> None:
    assert (
        plain(dates.day_span(date(2026, 12, 7), date(2026, 12, 13), today=THIS_YEAR))
        == by_language("12月7日至13日", "7 – 13 Dec")[language]
    )
    assert (
        plain(dates.day_span(date(2026, 11, 30), date(2026, 12, 6), today=THIS_YEAR))
        == by_language("11月30日至12月6日", "30 Nov – 6 Dec")[language]
    )
    assert (
        plain(dates.day_span(date(2026, 12, 28), date(2027, 1, 3), today=THIS_YEAR))
        == by_language("2026年12月28日 – 2027年1月3日", "28 Dec 2026 – 3 Jan 2027")[language]
    )


@pytest.mark.parametrize("language", ["zh", "en"], indirect=True)
def test_relative_times(language: str) -> None:
    soon = dates.relative(MONDAY_7PM, now=MONDAY_7PM - timedelta(minutes=110))
    ago = dates.relative(MONDAY_7PM, now=MONDAY_7PM + timedelta(minutes=20))
    assert soon == by_language("2小时后", "in 2 hours")[language]
    assert ago == by_language("20分钟前", "20 minutes ago")[language]


def test_datetime_attributes_are_whole_seconds_in_utc() -> None:
    moment = datetime(2026, 12, 7, 19, 0, 5, 123456, tzinfo=UTC)
    assert dates.machine(moment) == "2026-12-07T19:00:05Z"
    assert dates.machine(date(2026, 12, 7)) == "2026-12-07"
    assert dates.machine(None) == ""


NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")


def test_the_week_page_heads_the_week_and_its_days_and_a_night_shift_in_both_languages(
    web: Web, world: World
) -> None:
    async def make() -> None:
        patrol = await make_route(world)
        # Monday 6 December 2032, 23:00 to 01:00 in Shanghai.
        start = datetime(2032, 12, 6, 15, 0, tzinfo=UTC)
        await Shift.insert(
            Shift(
                route=patrol.route_id,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                volunteers=2,
            )
        )

    web.run(make)
    web.sign_in(world.volunteer.login)
    path = f"/b/{world.building_id}/patrols/week?start=2032-12-08"  # another year: it is named
    zh = web.get(path)
    assert zh.status_code == 200
    zh_text = text_of(zh)
    assert "2032年12月6日 – 12日这一周" in zh_text
    assert "12月6日周一" in zh_text
    assert "12月12日周日" in zh_text
    assert "23:00 – 周二01:00" in zh_text

    english = web.get(path, headers=en())
    en_text = text_of(english)
    assert "Week of 6 – 12 Dec 2032" in en_text
    assert "Monday 6 December" in en_text
    assert "Sunday 12 December" in en_text
    assert "23:00 – Tue 01:00" in en_text
    for text in (zh_text, en_text):
        assert not NUMERIC_DATE.search(text), NUMERIC_DATE.search(text)


def test_today_names_a_night_shift_by_both_its_days(web: Web, world: World) -> None:
    async def make() -> None:
        patrol = await make_route(world)
        now = datetime.now(UTC)
        local_midnight = datetime.combine(
            (now + timedelta(hours=8)).date() + timedelta(days=1), datetime.min.time(), UTC
        ) - timedelta(hours=8)
        start = local_midnight - timedelta(hours=1)
        if start < now:
            start += timedelta(days=1)
        rows = await Shift.insert(
            Shift(
                route=patrol.route_id,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                volunteers=2,
            )
        ).returning(Shift.id)
        await do_sign_up(world.volunteer.id, world.building_id, rows[0]["id"])

    web.run(make)
    web.sign_in(world.volunteer.login)
    text = text_of(web.get("/", headers=en()))
    assert re.search(r"\w{3} \d{1,2} \w{3}, 23:00 – \w{3} \d{1,2} \w{3}, 01:00", text), text
    zh_text = text_of(web.get("/"))
    assert re.search(r"\d{1,2}月\d{1,2}日周. 23:00 – \d{1,2}月\d{1,2}日周. 01:00", zh_text), zh_text
