"""How long a round takes and how long the target list lasts, for N inboxes at M a day."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.planning.capacity import Capacity, round_capacity
from targeting.errors import InputError


def test_a_round_of_100_in_three_steps_on_two_inboxes_at_30_a_day():
    pace = round_capacity(Capacity(2, 30), contacts=100, steps=3, reachable=1200)
    # 300 emails at 60 a day: 5 days, but the last contacts start on day 2 and their third step is 6 days later.
    assert pace["emails"] == 300 and pace["sending_days"] == 8
    # 60 emails a day over 3 steps: 100 new contacts a week; 1,200 accounts last 12 weeks.
    assert pace["list_weeks"] == 12.0 and pace["list_rounds"] == 12.0
    assert pace["sentence"] == (
        "100 contacts (300 emails) take 8 sending days on 2 inboxes at 30 a day; "
        "at that pace the 1,200 accounts still reachable on the target list last about 12.0 weeks."
    )


@pytest.mark.parametrize(
    ("inboxes", "per_day", "field"), [(0, 30, "--inboxes"), (2, 0, "--per-inbox-day"), (-1, 5, "--inboxes")]
)
def test_no_inbox_or_no_sends_is_refused(inboxes, per_day, field):
    with pytest.raises(InputError) as raised:
        Capacity(inboxes, per_day)
    assert field in str(raised.value)


@given(st.integers(1, 20), st.integers(1, 80), st.integers(1, 500), st.integers(1, 5), st.integers(0, 50_000))
def test_more_inboxes_never_take_longer(inboxes, per_day, contacts, steps, reachable):
    slow = round_capacity(Capacity(inboxes, per_day), contacts, steps, reachable)
    fast = round_capacity(Capacity(inboxes + 1, per_day), contacts, steps, reachable)
    assert fast["sending_days"] <= slow["sending_days"] and fast["list_weeks"] <= slow["list_weeks"]
    assert slow["sending_days"] >= (steps - 1) * 3 and slow["sending_days"] * inboxes * per_day >= contacts * steps
