"""The guests rule and the answer form, called directly."""

from __future__ import annotations

from typing import Any

import pytest

from hub.events import actions, forms
from hub.forms import Form


def event(guests_allowed: bool = True, max_guests: int = 2, mine: Any = None) -> dict[str, Any]:
    return {"guests_allowed": guests_allowed, "max_guests": max_guests, "mine": mine}


@pytest.mark.parametrize(
    ("allowed", "asked", "kept"),
    [(True, -1, 0), (True, 0, 0), (True, 2, 2), (True, 3, 2), (False, 1, 0), (False, 0, 0)],
)
def test_guests_are_kept_between_none_and_the_event_s_limit(
    allowed: bool, asked: int, kept: int
) -> None:
    assert actions.allowed_guests(event(allowed), asked) == kept


def test_the_stepper_changes_the_guests_within_the_limit_and_keeps_the_answer() -> None:
    going = {"status": "going", "guests": 1}
    assert forms.answer(Form({"guests": ["1"], "change": ["more"]}), event(mine=going)) == (
        "going",
        2,
    )
    assert forms.answer(Form({"guests": ["2"], "change": ["more"]}), event(mine=going)) == (
        "going",
        2,
    )
    assert forms.answer(Form({"guests": ["0"], "change": ["fewer"]}), event()) == ("", 0)
    assert forms.answer(Form({"status": ["maybe"], "guests": ["5"]}), event()) == ("maybe", 2)
    assert forms.answer(Form({"status": ["going"], "guests": ["1"]}), event(False)) == (
        "going",
        0,
    )
