"""Reply texts sorted into reasons, in English, German, French and Spanish."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.results.reasons import OTHER, PHRASES, REASONS, reply_reason

CASES = {
    "unsubscribe": [
        "Please remove me from your list.",
        "Bitte abmelden, danke.",
        "Merci de me désabonner.",
        "Por favor, darme de baja.",
        "Not interested. Unsubscribe me.",
        # The usual French and English ways to ask off a list, read as replies before.
        "Merci de me retirer de votre liste.",
        "Pourriez-vous me retirer de vos listes de diffusion ?",
        "Je ne souhaite plus recevoir vos e-mails.",
        "Please remove my email from your list.",
    ],
    "wrong_person": [
        "I'm not the right person for this, please talk to my colleague Jane.",
        "Dafür bin ich nicht zuständig.",
        "Je ne suis pas la bonne personne.",
        "No soy la persona adecuada para esto.",
        "Wenden Sie sich bitte an Frau Keller, sie ist dafür zuständig.",
        "Adressez-vous plutôt à notre DSI, Paul Martin.",
        "Mejor habla con Laura, ella lleva compliance.",
        "You want to talk to our CTO, Dan.",
        "I have left the company.",
        "Ich bin nicht mehr bei der Firma.",
    ],
    "already_use": [
        "We already use Gong for that.",
        "Wir nutzen bereits HubSpot.",
        "Nous utilisons déjà Salesforce.",
        "Ya tenemos una herramienta para eso.",
        "Wir arbeiten schon mit Drata.",
    ],
    "bad_timing": [
        "Not a priority right now, maybe next quarter.",
        "Melden Sie sich im nächsten Quartal.",
        "Ce n'est pas le bon moment.",
        "Más adelante, quizás.",
        "Pas maintenant, revenez vers moi en septembre.",
        "En este momento no, escríbeme el año que viene.",
    ],
    "not_interested": ["Not interested, thanks.", "Kein Interesse.", "Pas intéressé, merci.", "No nos interesa."],
    "positive": [
        "Sounds interesting, happy to talk next week.",
        "Klingt spannend, gerne einen Termin.",
        "Volontiers, un appel mardi ?",
        "Me interesa, hablemos.",
        "Yes, send me some times.",
        "Gerne, schicken Sie mir Termine.",
        "Claro, ¿te va bien el martes?",
        "Interesting — can you send pricing?",
    ],
}


@pytest.mark.parametrize(("reason", "text"), [(r, t) for r, texts in CASES.items() for t in texts])
def test_each_language_s_replies_are_sorted_into_their_reason(reason, text):
    got = pl.select(reply_reason(pl.lit(text))).item()
    assert got == reason


def test_every_reason_has_rules_in_four_languages():
    assert set(PHRASES) == set(REASONS)
    assert all(set(rules) == {"en", "de", "fr", "es"} for rules in PHRASES.values())


def test_a_reply_no_rule_reads_is_other_unless_the_tool_marked_it_positive():
    frame = pl.DataFrame({"text": ["ok", "ok", None, None], "positive": [False, True, True, False]})
    got = frame.select(reply_reason(pl.col("text"), pl.col("positive")).alias("r"))["r"].to_list()
    assert got == [OTHER, "positive", "positive", None]


@given(st.text(max_size=40))
def test_any_text_gets_exactly_one_known_reason(text):
    got = pl.select(reply_reason(pl.lit(text, pl.String))).item()
    assert got in (*REASONS, OTHER) or (got is None and text.strip() == "")
