"""Draft lint: each check fires on the draft that breaks it, names what it found, and stays quiet otherwise."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.checks.lint import MAX_WORDS, MIN_WORDS, SEVERITY, lint_drafts
from messaging.checks.spam_words import SPAM_WORDS, spam_pattern
from targeting.errors import InputError

ADDRESS = "1 Main Street, Springfield, IL 62701"
OPT_OUT = "Not the right person? Reply 'stop' and I will not write again."
COPY_WORDS = "teams like yours usually lose a day each week to manual pipeline reviews".split()


def _copy(words: int) -> str:
    """`words` words of harmless copy, wrapped over lines of ten."""
    text = [COPY_WORDS[i % len(COPY_WORDS)] for i in range(words)]
    return "\n".join(" ".join(text[i : i + 10]) for i in range(0, words, 10))


def _body(copy: str | None = None) -> str:
    return f"Hi Ana,\n\n{copy if copy is not None else _copy(80)}\n\nBest,\nSam\n\n{OPT_OUT}\n{ADDRESS}"


def _drafts(*rows: dict) -> pl.DataFrame:
    base = {"subject": "A question about pipeline reviews", "body": _body(), "facts_used": ["pain_points"]}
    return pl.DataFrame(
        [{**base, **row} for row in rows],
        schema={"subject": pl.String, "body": pl.String, "facts_used": pl.List(pl.String)},
    )


def _issues(drafts: pl.DataFrame, **kwargs) -> list[list[str]]:
    linted = lint_drafts(drafts, postal_address=ADDRESS, opt_out_line=OPT_OUT, **kwargs)
    return linted["issues"].to_list()


def _codes(issues: list[str]) -> list[str]:
    return [issue.split(":", 1)[0] for issue in issues]


def test_clean_draft_has_no_issues():
    assert _issues(_drafts({})) == [[]]


@pytest.mark.parametrize(
    "placeholder",
    [
        "{{ first_name }}",
        "{{company}}",
        "{% if x %}",
        "{first_name}",
        "[Company]",
        "[your name]",
        "<FIRST_NAME>",
        "%FIRSTNAME%",
    ],
)
def test_unresolved_placeholder_is_named(placeholder):
    [issues] = _issues(_drafts({"body": _body(f"Hello {placeholder} there.\n" + _copy(70))}))
    assert _codes(issues) == ["placeholder"]
    assert placeholder in issues[0]


def test_placeholder_in_subject_is_named():
    [issues] = _issues(_drafts({"subject": "Idea for {{ company }}"}))
    assert issues == ["placeholder: unresolved placeholder in subject: '{{ company }}'"]


@pytest.mark.parametrize(
    "text", ["We grew 100% in a year.", "Use <b>bold</b> rarely.", "A list [1] item.", "50% of {}"]
)
def test_ordinary_text_is_not_a_placeholder(text):
    [issues] = _issues(_drafts({"body": _body(text + "\n" + _copy(70))}))
    assert "placeholder" not in _codes(issues)


@pytest.mark.parametrize(
    ("words", "code"),
    [(MIN_WORDS - 1, "too_short"), (MIN_WORDS, None), (MAX_WORDS, None), (MAX_WORDS + 1, "too_long")],
)
def test_body_length_band_excludes_the_compliance_footer(words, code):
    # "Hi Ana," and "Best, Sam" are 4 words of the copy; the footer is not counted.
    [issues] = _issues(_drafts({"body": _body(_copy(words - 4))}))
    assert _codes(issues) == ([code] if code else [])
    if code:
        assert f"body is {words} words" in issues[0]


@pytest.mark.parametrize(
    ("subject", "code"),
    [
        ("", "empty_subject"),
        ("   ", "empty_subject"),
        (None, "empty_subject"),
        ("x" * 61, "subject_too_long"),
        ("one two three four five six seven eight nine", "subject_too_long"),
        ("x" * 60, None),
        ("one two three four five six seven eight", None),
    ],
)
def test_subject_checks(subject, code):
    [issues] = _issues(_drafts({"subject": subject}))
    assert _codes(issues) == ([code] if code else [])


def test_spam_words_are_named_with_their_line_number():
    copy = "We can GUARANTEE results.\nNothing else here.\nClick here to act   now, it is risk-free."
    [issues] = _issues(_drafts({"body": _body(copy + "\n" + _copy(70))}))
    # line 1 is "Hi Ana,", line 2 blank, so the copy starts on line 3
    assert issues == [
        "spam_word: 'guarantee' on line 3 of the body",
        "spam_word: 'click here' on line 5 of the body",
        "spam_word: 'act now' on line 5 of the body",
        "spam_word: 'risk-free' on line 5 of the body",
    ]


@pytest.mark.parametrize("text", ["Freedom to choose.", "A carefree week.", "Guaranteed"])
def test_spam_words_match_whole_words_only(text):
    [issues] = _issues(_drafts({"body": _body(text + "\n" + _copy(70))}), spam_words=["free", "guarantee"])
    assert issues == []


@pytest.mark.parametrize("word", ["$$$", "100%", "act now", "risk-free"])
def test_symbol_spam_words_match(word):
    [issues] = _issues(_drafts({"body": _body(f"Get {word} today.\n" + _copy(70))}))
    assert f"spam_word: '{word}' on line 3 of the body" in issues


def test_no_spam_list_disables_the_spam_check():
    [issues] = _issues(_drafts({"body": _body("It is free.\n" + _copy(70))}), spam_words=[])
    assert issues == []


@pytest.mark.parametrize(("links", "flagged"), [(0, False), (1, False), (2, True), (3, True)])
def test_more_than_one_link_is_flagged(links, flagged):
    urls = " ".join(["https://example.com/a", "www.example.org", "http://x.io/b?c=d"][:links])
    [issues] = _issues(_drafts({"body": _body(urls + "\n" + _copy(70))}))
    assert _codes(issues) == (["too_many_links"] if flagged else [])
    if flagged:
        assert f"body has {links} links" in issues[0]


def test_missing_footer_lines_are_flagged_and_named():
    body = f"Hi Ana,\n\n{_copy(80)}\n\nBest,\nSam"
    [issues] = _issues(_drafts({"body": body}))
    assert issues == [
        f"no_opt_out: the opt-out line is missing: {OPT_OUT!r}",
        f"no_postal_address: the postal address is missing: {ADDRESS!r}",
    ]


def test_footer_wrapped_differently_still_counts():
    body = _body().replace(ADDRESS, ADDRESS.replace(", ", ",\n").upper())
    assert _issues(_drafts({"body": body})) == [[]]


@pytest.mark.parametrize("facts", [[], None])
def test_no_account_fact_is_flagged(facts):
    [issues] = _issues(_drafts({"facts_used": facts}))
    assert _codes(issues) == ["no_account_fact"]


def test_existing_issues_are_kept_and_linting_twice_adds_nothing():
    drafts = _drafts({"facts_used": []}).with_columns(issues=pl.lit(["render: missing angle"]))
    once = lint_drafts(drafts, postal_address=ADDRESS, opt_out_line=OPT_OUT)
    twice = lint_drafts(once, postal_address=ADDRESS, opt_out_line=OPT_OUT)
    assert once["issues"].to_list() == [
        ["render: missing angle", "no_account_fact: the draft uses no fact about the account"]
    ]
    assert twice["issues"].to_list() == once["issues"].to_list()


def test_rows_and_other_columns_are_kept_in_order():
    drafts = _drafts({}, {"subject": ""}, {}).with_columns(contact_id=pl.Series(["c3", "c1", "c2"]))
    linted = lint_drafts(drafts, postal_address=ADDRESS, opt_out_line=OPT_OUT)
    assert linted["contact_id"].to_list() == ["c3", "c1", "c2"]
    assert linted.columns == [*drafts.columns, "issues"]
    assert linted.schema["issues"] == pl.List(pl.String)


def test_missing_column_is_an_input_error_naming_it():
    with pytest.raises(InputError, match="facts_used"):
        lint_drafts(pl.DataFrame({"subject": ["s"], "body": ["b"]}), postal_address=ADDRESS, opt_out_line=OPT_OUT)


def test_every_listed_spam_word_compiles_and_matches_itself():
    pattern = spam_pattern(SPAM_WORDS)
    found = pl.Series(list(SPAM_WORDS)).str.contains(pattern)
    assert found.all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=250), min_size=1, max_size=20))
def test_any_text_lints_to_one_row_each_with_coded_issues(bodies):
    drafts = pl.DataFrame({"subject": ["s"] * len(bodies), "body": bodies, "facts_used": [["x"]] * len(bodies)})
    linted = lint_drafts(drafts, postal_address=ADDRESS, opt_out_line=OPT_OUT)
    assert linted.height == len(bodies)
    assert linted["body"].to_list() == bodies
    for issues in linted["issues"].to_list():
        assert set(_codes(issues)) <= set(SEVERITY)  # every issue carries a code lint declares
        assert "too_short" in _codes(issues)  # 250 characters hold at most 125 words


def test_spam_words_are_found_in_bodies_with_non_ascii_text():
    [issues] = _issues(_drafts({"body": _body("Hola José, ça marche: it is free.\n" + _copy(70))}))
    assert issues == ["spam_word: 'free' on line 3 of the body"]


def test_lint_keeps_wide_frames_intact():
    drafts = _drafts({}, {"facts_used": []}).with_columns(
        tech_stack=pl.lit(["hubspot"]), contact_id=pl.Series(["a", "b"])
    )
    linted = lint_drafts(drafts, postal_address=ADDRESS, opt_out_line=OPT_OUT)
    assert linted.drop("issues").equals(drafts)
    assert [len(issues) for issues in linted["issues"]] == [0, 1]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab \t\n\u00a0é", max_size=60))
def test_word_count_matches_splitting_on_whitespace(text):
    from messaging.checks.lint import _word_count

    counted = pl.DataFrame({"body": [text]}).select(_word_count(pl.col("body"))).item()
    assert counted == len(text.split())


def test_lazy_form_stays_lazy_and_agrees():
    from messaging.checks.lint import lint_drafts_lazy

    drafts = _drafts({}, {"subject": ""})
    lazy = lint_drafts_lazy(drafts.lazy(), postal_address=ADDRESS, opt_out_line=OPT_OUT)
    assert isinstance(lazy, pl.LazyFrame)
    eager = lint_drafts(drafts, postal_address=ADDRESS, opt_out_line=OPT_OUT)
    assert lazy.collect()["issues"].to_list() == eager["issues"].to_list()
