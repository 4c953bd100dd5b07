"""Out-of-office and other automatic replies, in English, German, French and Spanish, are not replies."""

from __future__ import annotations

import polars as pl
import pytest

from campaigns.results.auto_reply import is_auto_reply
from campaigns.results.outcomes import status_word


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for your email. I am currently out of the office until 12 May with limited access to email.",
        "Automatic reply: Re: forecast accuracy",
        "I'm on parental leave and will reply when I return in June.",
        "This mailbox is no longer monitored.",
        "Abwesenheitsnotiz: Ich bin bis zum 3. Juni nicht im Büro. In dringenden Fällen wenden Sie sich an ...",
        "Automatische Antwort: Vielen Dank, ich bin ab Montag wieder erreichbar.",
        "Réponse automatique : je suis absente du bureau et serai de retour le 4 juin.",
        "Bonjour, je suis en congés jusqu'au 20 août.",
        "Respuesta automática: estoy fuera de la oficina hasta el lunes.",
        "Hola, estoy de vacaciones hasta el 2 de septiembre, a mi regreso le contesto.",
    ],
)
def test_auto_replies_are_recognized(text):
    assert pl.select(is_auto_reply(pl.lit(text))).item()


@pytest.mark.parametrize(
    "text",
    [
        "Sounds interesting, can you send me some times for next week?",
        "Not interested, please remove me.",
        "I'll get back to you after I talk to our CFO.",
        "Klingt gut, schicken Sie mir bitte mehr Informationen.",
        "Merci, pas intéressé pour le moment.",
        "Gracias, ¿podemos hablar el jueves?",
        None,
    ],
)
def test_a_person_s_reply_is_not_an_auto_reply(text):
    assert not pl.select(is_auto_reply(pl.lit(text, dtype=pl.String))).item()


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("notInterested", "not interested"),
        ("Not Interested", "not interested"),
        ("not_interested", "not interested"),
        ("Meeting Booked", "meeting booked"),
        ("-1", "-1"),
        ("2.0", "2"),
        ("Won/Closed", "won closed"),
        ("  OUT of office ", "out of office"),
    ],
)
def test_status_words_compare_across_spellings(raw, word):
    assert status_word(raw) == word
