import datetime as dt

import pytest

from toolkit import wording


@pytest.mark.parametrize("n, words", [(1, "first"), (3, "third"), (21, "twenty-first"), (32, "thirty-second"),
                                      (100, "one hundredth")])
def test_ordinal_words(n: int, words: str) -> None:
    assert wording.ordinal_words(n) == words


def test_long_date_matches_letter_style() -> None:
    assert wording.long_date(dt.date(2018, 2, 6)) == "Tuesday 6th February 2018"
    assert wording.long_date(dt.date(2026, 3, 22), weekday=False) == "22nd March 2026"


def test_date_list_writes_month_once_per_run() -> None:
    days = [dt.date(2018, 2, 6), dt.date(2018, 2, 7), dt.date(2018, 2, 8)]
    assert wording.date_list(days) == "Tuesday 6th, Wednesday 7th and Thursday 8th February 2018"
    assert wording.date_list([dt.date(2018, 1, 31), dt.date(2018, 2, 1)]) == (
        "Wednesday 31st January 2018 and Thursday 1st February 2018")


def test_counts_and_lists() -> None:
    assert wording.plural(0, "strength") == "no strengths"
    assert wording.plural(1, "strength") == "one strength"
    assert wording.plural(14, "area for consideration", "areas for consideration") == "14 areas for consideration"
    assert wording.join_words(["a", "b", "c"]) == "a, b and c"
    assert wording.join_words(["a"]) == "a"
