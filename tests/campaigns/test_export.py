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


def test_lemlist_gets_each_lead_s_time_zone_from_its_country(tmp_path):
    import polars as pl

    from campaigns.store import CampaignRecord, Store
    from tests.campaigns.conftest import EMAILS

    planned = planned_contacts().with_columns(pl.Series("country", ["US", "US", "DE", "France", None, "XX"]))
    store = Store(tmp_path / "s.duckdb")
    from datetime import datetime

    record = CampaignRecord("c-0000abcd", "tz", "icp", 1, 0, {}, datetime(2026, 1, 5))
    store.record_campaign(record, planned, icp_text="name: icp\nversion: 1\n", icp_parent=None)
    kept = store.campaign_contacts("c-0000abcd")
    assert kept["country"].to_list() == ["US", "US", "DE", "France", None, "XX"]
    frame = export_planned(kept, "c-0000abcd", "lemlist")
    zones = dict(zip(frame["email"], frame["timezone"]))
    assert zones == {
        EMAILS[0]: "America/New_York",
        EMAILS[1]: "America/New_York",
        EMAILS[2]: "Europe/Berlin",
        EMAILS[3]: "Europe/Paris",
        EMAILS[4]: None,
        EMAILS[5]: None,
    }
    # Only lemlist's lead object takes a time zone.
    assert "timezone" not in export_planned(kept, "c-0000abcd", "instantly").columns
