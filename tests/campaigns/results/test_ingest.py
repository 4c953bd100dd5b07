"""Results files in every layout -> outcomes; the highest kept, never lowered; the same file twice changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campaigns.results.ingest import read_results
from tests.campaigns.conftest import ingest


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_canonical_results_keep_the_highest_outcome_and_match_emails_loosely(store, tmp_path):
    path = write(
        tmp_path,
        "r.csv",
        "email,outcome,reply_text\n"
        " ANN@acme.com ,replied,Sounds good\nann@acme.com,no_reply,\nbob@acme.com,replied,I am out of the office until May 3\n"
        "cy@beta.io,bounced,\nnobody@else.com,replied,\ndi@gamma.dev,maybe,\n",
    )
    summary = ingest(store, path)
    assert summary["campaign_id"] == "c-0000abcd"
    assert summary["rows"] == 6 and summary["matched"] == 5
    assert summary["unknown_emails"] == 1 and summary["unknown_email_examples"] == ["nobody@else.com"]
    assert summary["unknown_statuses"] == {"maybe": 1}
    assert summary["outcomes"]["replied"] == 1 and summary["outcomes"]["auto_reply"] == 1
    assert summary["outcomes"]["bounced"] == 1 and summary["outcomes"]["not_sent"] == 3
    assert sum(summary["outcomes"].values()) == 6
    assert summary["changed"] == 3
    assert {"kind": "email", "key": "cy@beta.io"} in store.ledger().select("kind", "key").to_dicts()


def test_the_same_file_twice_changes_nothing_and_a_later_file_never_lowers(store, tmp_path):
    first = write(tmp_path, "r1.csv", "email,outcome\nann@acme.com,positive\nbob@acme.com,no_reply\n")
    one = ingest(store, first)
    again = ingest(store, first)
    assert again["changed"] == 0 and again["outcomes"] == one["outcomes"]
    later = write(tmp_path, "r2.csv", "email,outcome\nann@acme.com,no_reply\nbob@acme.com,meeting\n")
    after = ingest(store, later)
    assert after["changed"] == 1
    assert after["outcomes"]["meeting"] == 1 and after["outcomes"]["positive"] == 1


# Each tool's lead export, laid out as the tool writes it (see campaigns/results/layouts.py for sources).
# Ed replied and unsubscribed: an unsubscribe, never a reply, in every layout.
INSTANTLY = (
    "Email,First Name,Last Name,Company Name,Lead Status,Interest Status,Reply Count,campaign_id,segment,variant\n"
    "ann@acme.com,Ann,Doe,Acme,Completed,Meeting Booked,2,c-0000abcd,A,a\n"
    "bob@acme.com,Bob,Doe,Acme,Completed,Out of Office,1,c-0000abcd,A,b\n"
    "cy@beta.io,Cy,Doe,Beta,Bounced,,0,c-0000abcd,B,a\n"
    "di@gamma.dev,Di,Doe,Gamma,Active,,1,c-0000abcd,B,b\n"
    "ed@delta.co,Ed,Doe,Delta,Unsubscribed,Not Interested,1,c-0000abcd,explore,a\n"
    "flo@eps.org,Flo,Doe,Eps,Skipped,Hot Lead,0,c-0000abcd,explore,b\n"
)
INSTANTLY_API = (
    "email,status,lt_interest_status,email_reply_count\n"
    "ann@acme.com,3,2,2\nbob@acme.com,3,0,1\ncy@beta.io,-1,,0\ndi@gamma.dev,1,,1\ned@delta.co,-2,-1,1\nflo@eps.org,-3,,0\n"
)
SMARTLEAD = (
    "id,campaign_lead_map_id,status,category,is_interested,created_at,first_name,last_name,email,phone_number,company_name,"
    "website,location,custom_fields,linkedin_profile,company_url,is_unsubscribed,unsubscribed_client_id_map,last_email_sequence_sent,"
    "open_count,click_count,reply_count\n"
    "1,11,COMPLETED,Meeting Request,true,2026-01-05,Ann,Doe,ann@acme.com,,Acme,,,{},,,false,{},2,3,0,1\n"
    "2,12,COMPLETED,Out Of Office,false,2026-01-05,Bob,Doe,bob@acme.com,,Acme,,,{},,,false,{},2,1,0,1\n"
    "3,13,STOPPED,Sender Originated Bounce,false,2026-01-05,Cy,Doe,cy@beta.io,,Beta,,,{},,,false,{},1,0,0,0\n"
    "4,14,INPROGRESS,,false,2026-01-05,Di,Doe,di@gamma.dev,,Gamma,,,{},,,false,{},1,0,0,1\n"
    "5,15,STOPPED,Do Not Contact,false,2026-01-05,Ed,Doe,ed@delta.co,,Delta,,,{},,,true,{},1,0,0,1\n"
    "6,16,BLOCKED,Maybe Later,false,2026-01-05,Flo,Doe,flo@eps.org,,Eps,,,{},,,false,{},0,0,0,0\n"
)
LEMLIST = (
    "emailStatus,firstName,lastName,email,companyName,campaign_id,segment,variant,lastState\n"
    "sent,Ann,Doe,ann@acme.com,Acme,c-0000abcd,A,a,meetingBooked\n"
    "sent,Bob,Doe,bob@acme.com,Acme,c-0000abcd,A,b,emailsReplied\n"
    "sent,Cy,Doe,cy@beta.io,Beta,c-0000abcd,B,a,emailsBounced\n"
    "sent,Di,Doe,di@gamma.dev,Gamma,c-0000abcd,B,b,emailsReplied\n"
    "sent,Ed,Doe,ed@delta.co,Delta,c-0000abcd,explore,a,emailsUnsubscribed\n"
    "sent,Flo,Doe,flo@eps.org,Eps,c-0000abcd,explore,b,teleported\n"
)
APOLLO = (
    "First Name,Last Name,Title,Company,Email,Email Status,Stage,Email Sent,Email Open,Email Bounced,Replied,Demoed,Last Contacted\n"
    "Ann,Doe,CEO,Acme,ann@acme.com,Verified,Interested,TRUE,TRUE,FALSE,TRUE,TRUE,2026-01-09\n"
    "Bob,Doe,CTO,Acme,bob@acme.com,Verified,Replied,TRUE,TRUE,FALSE,TRUE,FALSE,2026-01-09\n"
    "Cy,Doe,VP,Beta,cy@beta.io,Verified,Bad Data,TRUE,FALSE,TRUE,FALSE,FALSE,2026-01-09\n"
    "Di,Doe,VP,Gamma,di@gamma.dev,Verified,Approaching,TRUE,TRUE,FALSE,TRUE,FALSE,2026-01-09\n"
    "Ed,Doe,VP,Delta,ed@delta.co,Verified,Do Not Contact,TRUE,FALSE,FALSE,FALSE,FALSE,2026-01-09\n"
    "Flo,Doe,VP,Eps,flo@eps.org,Verified,Shrugging,FALSE,FALSE,FALSE,FALSE,FALSE,\n"
)


@pytest.mark.parametrize(
    ("preset", "text", "expected", "unknown"),
    [
        (
            "instantly",
            INSTANTLY,
            {"meeting": 1, "auto_reply": 1, "bounced": 1, "replied": 1, "unsubscribed": 1, "not_sent": 1},
            {"Hot Lead": 1},
        ),
        (
            "instantly",
            INSTANTLY_API,
            {"meeting": 1, "auto_reply": 1, "bounced": 1, "replied": 1, "unsubscribed": 1, "not_sent": 1},
            {},
        ),
        (
            "smartlead",
            SMARTLEAD,
            {"meeting": 1, "auto_reply": 1, "bounced": 1, "replied": 1, "unsubscribed": 1, "not_sent": 1},
            {"Maybe Later": 1},
        ),
        (
            "lemlist",
            LEMLIST,
            {"meeting": 1, "replied": 2, "bounced": 1, "unsubscribed": 1, "not_sent": 1},
            {"teleported": 1},
        ),
        (
            "apollo",
            APOLLO,
            {"meeting": 1, "replied": 2, "bounced": 1, "unsubscribed": 1, "not_sent": 1},
            {"Shrugging": 1},
        ),
    ],
)
def test_each_preset_reads_the_tool_s_own_export(store, tmp_path, preset, text, expected, unknown):
    summary = ingest(store, write(tmp_path, f"{preset}.csv", text), preset)
    assert summary["matched"] == 6 and summary["unknown_emails"] == 0
    assert {k: v for k, v in summary["outcomes"].items() if v} == expected
    assert summary["unknown_statuses"] == unknown


def test_ed_who_unsubscribed_goes_to_the_ledger(store, tmp_path):
    ingest(store, write(tmp_path, "i.csv", INSTANTLY), "instantly")
    ledger = store.ledger()
    assert set(ledger["key"].to_list()) == {"cy@beta.io", "ed@delta.co"}


@pytest.mark.parametrize(
    ("text", "preset", "expected"),
    [
        (INSTANTLY, "canonical", "--preset instantly"),
        (SMARTLEAD, "canonical", "--preset smartlead"),
        ("email,result\na@b.com,replied\n", "canonical", "'outcome'"),
        ("mail,outcome\na@b.com,replied\n", "canonical", "'email'"),
        ("Email,First Name\na@b.com,A\n", "apollo", "Apollo"),
    ],
)
def test_a_file_in_the_wrong_layout_is_one_clear_error(tmp_path, text, preset, expected):
    from targeting.errors import InputError

    with pytest.raises(InputError, match=expected.replace("-", r"\-")):
        read_results(write(tmp_path, "bad.csv", text), preset)


def test_an_unknown_preset_names_it(tmp_path):
    from targeting.errors import InputError

    with pytest.raises(InputError, match="hubspot"):
        read_results(write(tmp_path, "r.csv", "email,outcome\n"), "hubspot")


def test_summary_is_json_ready(store, tmp_path):
    summary = ingest(store, write(tmp_path, "r.csv", "email,outcome\nann@acme.com,meeting\n"))
    assert set(json.loads(json.dumps(summary))) == {
        "campaign_id",
        "rows",
        "matched",
        "unknown_emails",
        "unknown_email_examples",
        "unknown_statuses",
        "changed",
        "outcomes",
    }


def test_an_unsubscribe_is_its_own_outcome_never_a_reply(tmp_path):
    path = write(
        tmp_path,
        "u.csv",
        "email,outcome,reply_text\n"
        "a@x.com,replied,Please remove me from your list\n"
        "b@x.com,replied,Bitte abmelden\n"
        "c@x.com,replied,Not interested thanks\n"
        "d@x.com,positive,Sounds good; unsubscribe my colleague though\n",
    )
    events = read_results(path).events
    outcome = dict(zip(events["email"], events["outcome"]))
    assert outcome == {
        "a@x.com": "unsubscribed",
        "b@x.com": "unsubscribed",
        "c@x.com": "replied",
        "d@x.com": "positive",
    }
    assert dict(zip(events["email"], events["ledger"]))["a@x.com"] == "unsubscribed"


def test_a_tool_marking_a_replier_unsubscribed_counts_an_unsubscribe(tmp_path):
    path = write(
        tmp_path,
        "i.csv",
        "Email,Lead Status,Interest Status,Reply Count\nu@x.com,Unsubscribed,Not Interested,1\nr@x.com,Completed,Not Interested,1\n",
    )
    events = read_results(path, "instantly").events
    assert dict(zip(events["email"], events["outcome"])) == {"u@x.com": "unsubscribed", "r@x.com": "replied"}


def test_results_naming_another_campaign_are_refused_naming_both(tmp_path):
    from campaigns.results.ingest import refuse_other_campaign
    from targeting.errors import InputError

    path = write(
        tmp_path, "r1.csv", "email,outcome,campaign_id\na@x.com,replied,c-0000aaaa\nb@x.com,no_reply,c-0000aaaa\n"
    )
    parsed = read_results(path)
    assert parsed.campaign_ids == ("c-0000aaaa",)
    refuse_other_campaign(parsed, path, "c-0000aaaa", "round-1")
    with pytest.raises(InputError) as raised:
        refuse_other_campaign(parsed, path, "c-0000bbbb", "round-2")
    message = str(raised.value)
    assert "c-0000aaaa" in message and "round-2 (c-0000bbbb)" in message and "\n" not in message
    # A sending tool's own campaign column (not an outbound id) is not read.
    tool = write(tmp_path, "t.csv", "email,outcome,campaign_id\na@x.com,replied,6f1c-uuid\n")
    refuse_other_campaign(read_results(tool), tool, "c-0000bbbb", "round-2")


def test_a_file_mixing_two_campaigns_is_refused_at_the_first_foreign_row(tmp_path):
    # An export of two campaigns at once was refused as "these results are for campaign c-0000aaaa"
    # with no line, although most of its rows were for the campaign given.
    from campaigns.results.ingest import refuse_other_campaign
    from targeting.errors import InputError

    path = write(
        tmp_path,
        "both.csv",
        'email,outcome,reply_text,campaign_id\na@x.com,replied,"Thanks,\nnot now",c-0000bbbb\nb@x.com,no_reply,,c-0000bbbb\n'
        "c@x.com,positive,,c-0000aaaa\nd@x.com,no_reply,,c-0000aaaa\ne@x.com,no_reply,,c-0000bbbb\n",
    )
    with pytest.raises(InputError) as raised:
        refuse_other_campaign(read_results(path), path, "c-0000bbbb", "round-2")
    message = str(raised.value)
    # The file's own line: the reply above it spans two.
    assert raised.value.line == 5 and ":5," in message and "\n" not in message
    assert "2 of 5 rows are for campaign c-0000aaaa, not round-2 (c-0000bbbb)" in message


def test_a_results_file_saved_with_semicolons_reads_as_the_universe_does(tmp_path):
    # A spreadsheet in a German, French or Spanish locale saves CSV with ";": the universe read it,
    # the results said "missing column 'email'" of a file that has one.
    path = write(
        tmp_path,
        "semi.csv",
        "Email;Lead Status;Interest Status;Reply Count;Last Reply\n"
        "a@x.com;Completed;Interested;1;Gerne, nächste Woche\n"
        "b@x.com;Bounced;;0;\n"
        "c@x.com;Completed;;1;Pas intéressé, merci\n",
    )
    events = read_results(path, "instantly").events
    assert dict(zip(events["email"], events["outcome"])) == {
        "a@x.com": "positive",
        "b@x.com": "bounced",
        "c@x.com": "replied",
    }
