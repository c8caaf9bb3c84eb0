"""Business dates are Amsterdam calendar dates, worked out once a day and kept until midnight."""

from datetime import UTC, date, datetime

import pytest

from ledger import rules


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("now", "day", "ends"),
    [
        # winter time (UTC+1): the day ends at 23:00 UTC
        ("2026-01-15T22:59:59", date(2026, 1, 15), "2026-01-15T23:00:00"),
        ("2026-01-15T23:00:00", date(2026, 1, 16), "2026-01-16T23:00:00"),
        # the night summer time starts (29 March 2026): that day ends at 22:00 UTC
        ("2026-03-28T23:30:00", date(2026, 3, 29), "2026-03-29T22:00:00"),
        # summer time (UTC+2)
        ("2026-07-01T21:59:59", date(2026, 7, 1), "2026-07-01T22:00:00"),
        # the day summer time ends (25 October 2026) lasts 25 hours: until 23:00 UTC
        ("2026-10-24T22:00:00", date(2026, 10, 25), "2026-10-25T23:00:00"),
    ],
)
def test_the_day_and_when_it_ends(now: str, day: date, ends: str) -> None:
    assert rules.day_at(utc(now)) == (utc(ends), day)


def test_the_day_is_kept_until_it_ends_and_then_worked_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    far = datetime(2999, 1, 1, tzinfo=UTC).timestamp()
    monkeypatch.setattr(rules, "_TODAY", (far, date(2000, 1, 1)))
    assert rules.amsterdam_today() == date(2000, 1, 1)  # kept: not worked out again
    monkeypatch.setattr(rules, "_TODAY", (0.0, date(2000, 1, 1)))  # ended long ago
    today = rules.amsterdam_today()
    assert today == datetime.now(tz=rules.AMSTERDAM).date()
    assert rules._TODAY[1] == today
    assert rules._TODAY[0] > datetime.now(tz=UTC).timestamp()
