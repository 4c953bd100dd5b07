"""A planned campaign in each tool's layout carries campaign id, segment and variant; the list counts outcomes."""

from __future__ import annotations

import pytest

from campaigns.export import campaign_rows, export_planned
from messaging import FORMATS
from tests.campaigns.conftest import ingest, planned_contacts


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_layout_keeps_planned_order_and_the_plan_s_tags(fmt):
    planned = planned_contacts()
    frame = export_planned(planned, "c-0000abcd", fmt)
    assert frame.height == planned.height
    assert frame["campaign_id"].to_list() == ["c-0000abcd"] * planned.height
    assert frame["segment"].to_list() == planned["segment"].to_list()
    assert frame["variant"].to_list() == planned["variant"].to_list()
    email = {"apollo": "Email"}.get(fmt, "email")
    assert frame[email].to_list() == planned["email"].to_list()


def test_an_unknown_format_names_it():
    from targeting.errors import InputError

    with pytest.raises(InputError, match="mailchimp"):
        export_planned(planned_contacts(), "c-0000abcd", "mailchimp")


def test_campaign_rows_count_each_contact_once_at_its_highest(store, tmp_path):

    (tmp_path / "r.csv").write_text("email,outcome\nann@acme.com,meeting\nbob@acme.com,bounced\ncy@beta.io,no_reply\n")
    ingest(store, tmp_path / "r.csv")
    [row] = campaign_rows(store.campaign_summaries())
    assert row["planned"] == 6 and row["delivered"] == 2
    assert row["outcomes"]["meeting"] == 1 and row["outcomes"]["bounced"] == 1 and row["outcomes"]["not_sent"] == 3
