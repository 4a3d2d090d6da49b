"""The one CSV writer every export goes through."""

from __future__ import annotations

import csv
import io

import pytest

from hub.web.exports import csv_text, spreadsheet_safe


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_like_a_formula_becomes_text(start: str) -> None:
    assert spreadsheet_safe(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["Lobby", "大堂", "1+1", "a=b", "", " =1"])
def test_other_cells_pass_unchanged(value: str) -> None:
    assert spreadsheet_safe(value) == value


def test_numbers_stay_numbers_and_none_is_empty() -> None:
    assert spreadsheet_safe(-3) == -3
    assert spreadsheet_safe(None) == ""


def test_the_header_and_every_row_are_neutralised() -> None:
    text = csv_text(["=Name", "Note"], [["@SUM(A1)", "-2"], ["Chen", 4]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["'=Name", "Note"],
        ["'@SUM(A1)", "'-2"],
        ["Chen", "4"],
    ]
