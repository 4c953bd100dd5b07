"""Is a reply a person, or a machine answering for one? Out-of-office and other auto-replies.

Phrases of the automatic replies mail clients and people send (English, German, French, Spanish).
An auto-reply counts as `auto_reply`, never as a reply: counting it inflates reply rates (docs/campaigns.md, "Reading a test honestly").
"""

from __future__ import annotations

import polars as pl

AUTO_REPLY_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        r"out of (the )?office",
        r"out-of-office",
        r"\booo\b",
        r"auto(matic)?[- ]?repl(y|ied)",
        r"autorespon",
        r"i am (currently )?(away|out|on (annual |parental |sick )?leave|on vacation|travell?ing)",
        r"i'?m (currently )?(away|out|on (annual |parental |sick )?leave|on vacation|travell?ing)",
        r"(limited|no) access to (my )?e-?mail",
        r"(respond|reply|get back to you)( to your (e-?mail|message))? (when|once|upon|as soon as) i(( a|')m)? (return|back)",
        r"until i return",
        r"upon my return",
        r"away from (the|my) (office|desk)",
        r"this (mailbox|inbox|address) is (no longer|not) (monitored|in use|active)",
        r"no longer (with|at|employed)",
    ),
    "de": (
        r"abwesenheitsnotiz",
        r"automatische antwort",
        r"nicht im b(ü|ue)ro",
        r"au(ß|ss)er haus",
        r"im urlaub",
        r"bin (ich )?(bis|ab) .{0,40}(wieder|zur(ü|ue)ck)",
        r"(keinen|eingeschr(ä|ae)nkten) zugriff auf (meine )?e-?mails",
        r"in dringenden f(ä|ae)llen",
        r"nicht mehr (im unternehmen|f(ü|ue)r|bei)",
    ),
    "fr": (
        r"r(é|e)ponse automatique",
        r"absente? du bureau",
        r"en cong(é|e)s?",
        r"je suis (actuellement )?absente?",
        r"je serai de retour",
        r"(acc(è|e)s )?limit(é|e) (à|a) mes (e-?mails|courriels)",
        r"en vacances",
        r"d(è|e)s mon retour",
    ),
    "es": (
        r"respuesta autom(á|a)tica",
        r"fuera de la oficina",
        r"estoy de vacaciones",
        r"(estar(é|e)|estoy) ausente",
        r"no estoy en la oficina",
        r"regresar(é|e) el",
        r"a mi regreso",
        r"acceso limitado (a|al) (mi )?correo",
        r"de vacaciones hasta",
    ),
}
AUTO_REPLY_PATTERN = "(?i)" + "|".join(f"(?:{p})" for phrases in AUTO_REPLY_PHRASES.values() for p in phrases)


def is_auto_reply(text: pl.Expr) -> pl.Expr:
    """True where a reply's text reads as an out-of-office or other automatic reply."""
    return text.cast(pl.String).str.contains(AUTO_REPLY_PATTERN).fill_null(False)
