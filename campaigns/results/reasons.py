"""Why people said no (or yes): a reply's text sorted into one reason, by rules in English, German, French, Spanish.

The reasons, checked in this order (the first that matches wins, so "not interested" is never read as
"interested" and "please remove me, we already use X" is an unsubscribe request):

- `unsubscribe`: an unsubscribe request ("remove me", "abmelden", "désabonner", "darme de baja"); the
  contact counts as `unsubscribed`, never as a reply, and goes on the suppression ledger;
- `wrong_person`: not the right person, "talk to my colleague" (evidence on the persona rules);
- `already_use`: already use a tool or have a vendor (evidence on prior-solution criteria);
- `bad_timing`: not now, next quarter, no budget this year;
- `not_interested`: no thanks, not relevant, no need;
- `positive`: interested, happy to talk, send more.

A reply no rule reads is `other`; a contact the sending tool marked positive (or a meeting) with no
rule matching is `positive`. Auto-replies are recognised before this (`auto_reply.py`) and have no reason.
"""

from __future__ import annotations

import polars as pl

REASONS = ("unsubscribe", "wrong_person", "already_use", "bad_timing", "not_interested", "positive")
"""The reasons, in the order they are tried; `other` is every reply none of them reads."""
OTHER = "other"

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "unsubscribe": {
        "en": (
            r"unsubscribe",
            r"remove me",
            r"remove (my|this) (e-?mail|address|name)",
            r"take me off",
            r"stop (e-?mailing|contacting|writing|sending)",
            r"(do not|don'?t) (contact|e-?mail|write)",
            r"opt(ing)?[- ]?out",
            r"no (more|further) e-?mails",
        ),
        "de": (
            r"abmelden",
            r"austragen",
            r"aus (ihrem|ihrer|dem|der) (verteiler|liste|newsletter)",
            r"keine (weiteren )?(e-?mails|nachrichten)",
            r"nicht mehr (kontaktieren|anschreiben|schreiben)",
            r"entfernen sie mich",
        ),
        "fr": (
            r"d(é|e)sabonn",
            r"d(é|e)sinscri",
            r"retirez[- ]moi",
            r"supprimez[- ]moi",
            r"ne (me )?(contactez|(é|e)crivez) plus",
            r"ne plus (me )?(contacter|recevoir)",
            r"me retirer de (votre|vos|la|cette|ces) (liste|fichier|base)",
            r"(veux|souhaite) plus recevoir",
        ),
        "es": (
            r"(darme|dar|date|denme) de baja",
            r"baja de (la|su|vuestra) lista",
            r"no (me )?(vuelva|vuelvan|vuelvas) a (escribir|contactar)",
            r"elim(i|í)name|eliminarme",
            r"no quiero recibir",
            r"dej(e|en|a) de (escribir|enviar)",
        ),
    },
    "wrong_person": {
        "en": (
            r"wrong person",
            r"not the (right|best|correct) (person|contact)",
            r"i'?m not the (right|best) (person|contact)",
            r"(you should|better to|please|try) (contact|reach out to|talk to|speak (to|with)|email)",
            r"i'?m not (responsible|in charge|the decision)",
            r"not my (area|department|responsibility|call)",
            r"(forwarded|forwarding|passed) (this|your (e-?mail|message|note)) (on )?to",
            r"my colleague",
            r"(want|need|should) to (talk|speak) (to|with)",
            r"(talk|speak) to (our|my|the) ",
            r"(have|has) left the (company|firm|team)",
            r"no longer (with|at|work(ing)? (at|for|here))",
        ),
        "de": (
            r"falsche(n)? (person|ansprechpartner)",
            r"nicht (der|die) richtige",
            r"nicht zust(ä|ae)ndig",
            r"wenden sie sich (bitte )?an",
            r"nicht mehr (bei|in) (der|dem|unserer|unserem) ",
            r"(mein(e|em|en)?|unser(e|em|en)?) kolleg",
        ),
        "fr": (
            r"pas la (bonne )?personne",
            r"mauvaise personne",
            r"pas (le bon )?interlocuteur",
            r"(mon|ma) coll(è|e)gue",
            r"je ne suis pas (en charge|responsable)",
            r"adressez[- ]vous",
            r"(contactez|voyez|(é|e)crivez (à|a)) plut(ô|o)t",
            r"ne (travaille|suis) plus (chez|dans)",
        ),
        "es": (
            r"persona equivocada",
            r"no soy la persona",
            r"no es la persona (adecuada|correcta|indicada)",
            r"(mi|un|una) (compa(ñ|n)er|colega)",
            r"no (soy|es) (el|la) responsable",
            r"\bhabla con",
            r"(contacta|escr(í|i)bele) (a|con)",
            r"ya no (trabajo|estoy) en",
        ),
    },
    "already_use": {
        "en": (
            r"already (use|using|have|work with|working with|got|signed)",
            r"we use [a-z0-9]",
            r"(happy|satisfied) with (our|the) (current|existing)",
            r"(have|got) a (solution|tool|vendor|provider|partner) (for|in place)",
            r"under contract",
            r"locked in(to)?",
        ),
        "de": (
            r"(nutzen|verwenden|haben) (bereits|schon)",
            r"bereits (eine|ein|einen) (l(ö|oe)sung|tool|anbieter|dienstleister)",
            r"(zufrieden|gl(ü|ue)cklich) mit (unserem|unserer|unseren|dem|der)",
            r"arbeiten (schon|bereits) mit",
        ),
        "fr": (
            r"(utilisons|avons|travaillons avec) d(é|e)j(à|a)",
            r"d(é|e)j(à|a) (une solution|un outil|un prestataire|un fournisseur)",
            r"(satisfaits|contents) de (notre|nos)",
        ),
        "es": (
            r"ya (usamos|utilizamos|tenemos|trabajamos con|contamos con)",
            r"(contentos|satisfechos) con (nuestr|el actual|la actual)",
        ),
    },
    "bad_timing": {
        "en": (
            r"not (right )?now",
            r"not a priority",
            r"bad timing",
            r"(maybe|perhaps) later",
            r"(next|in a few) (quarter|year|months)",
            r"(reach out|circle back|follow up|get back|check back|try again|ping me) (in|next|after)",
            r"no budget",
        ),
        "de": (
            r"(gerade|derzeit|momentan|aktuell) (kein|nicht|keine)",
            r"(im )?(n(ä|ae)chsten|kommenden) (quartal|jahr)",
            r"sp(ä|ae)ter (wieder )?(melden|kontaktieren)",
            r"zu einem sp(ä|ae)teren zeitpunkt",
            r"kein budget",
        ),
        "fr": (
            r"pas (le bon )?moment",
            r"pas (pour|en ce) moment",
            r"plus tard",
            r"l'ann(é|e)e prochaine",
            r"trimestre prochain",
            r"pas de budget",
            r"pas maintenant",
            r"revenez vers moi",
            r"recontactez[- ]moi",
        ),
        "es": (
            r"no es (el|buen) momento",
            r"m(á|a)s adelante",
            r"pr(ó|o)ximo (a(ñ|n)o|trimestre)",
            r"ahora (mismo )?no",
            r"(sin|no hay|no tenemos) presupuesto",
            r"en este momento no",
            r"el a(ñ|n)o que viene",
        ),
    },
    "not_interested": {
        "en": (
            r"not interested",
            r"no interest",
            r"no,? thank(s| you)",
            r"not (relevant|a fit|for us)",
            r"not looking",
            r"no need",
            r"we'?re good",
        ),
        "de": (r"kein(e|en)? interesse", r"nicht interessiert", r"nein,? danke", r"passt nicht", r"kein bedarf"),
        "fr": (r"pas int(é|e)ress", r"non,? merci", r"aucun int(é|e)r(ê|e)t", r"ne nous concerne pas", r"pas besoin"),
        "es": (r"no (me|nos) interesa", r"no (estamos|estoy) interesad", r"no,? gracias", r"no lo necesitamos"),
    },
    "positive": {
        "en": (
            r"interested",
            r"(happy|glad|keen|love) to (talk|chat|connect|learn|hear|meet)",
            r"sounds (good|great|interesting)",
            r"let'?s (talk|chat|set up|book|schedule|find a time)",
            r"book a (call|meeting|time)",
            r"send (me )?(more )?(info|details)",
            r"tell me more",
            r"interesting",
            r"send (me )?(over )?(some |a few )?(times|slots|pricing|a (link|calendar))",
            r"can you send",
        ),
        "de": (
            r"interess",
            r"gern(e)? (einen )?(termin|telefon|gespr(ä|ae)ch|sprechen)",
            r"klingt (gut|spannend|interessant)",
            r"mehr (infos|informationen)",
            r"schicken sie (mir )?(gerne |bitte )?(termine|unterlagen|infos)",
        ),
        "fr": (r"int(é|e)ress", r"volontiers", r"avec plaisir", r"(un )?(appel|rendez-vous|rdv)", r"parlons"),
        "es": (
            r"(me|nos) interesa",
            r"interesante",
            r"hablemos",
            r"(una )?llamada",
            r"reuni(ó|o)n",
            r"con gusto",
            r"(te|le|os|les) (va|viene) bien",
        ),
    },
}


def _pattern(reason: str) -> str:
    return "(?i)" + "|".join(f"(?:{p})" for phrases in PHRASES[reason].values() for p in phrases)


PATTERNS = {reason: _pattern(reason) for reason in REASONS}


def reply_reason(text: pl.Expr, positive: pl.Expr | None = None) -> pl.Expr:
    """The reason a reply's text gives (REASONS, or `other`); null where there is no text.

    Args:
        text: the reply's text.
        positive: true where the sending tool marked the contact positive (or a meeting): such a
            reply with no rule matching is `positive`, not `other`.
    """
    text = text.cast(pl.String)
    expr = pl.when(text.is_null() | (text.str.strip_chars() == "")).then(
        pl.when(positive.fill_null(False)).then(pl.lit("positive")) if positive is not None else pl.lit(None)
    )
    for reason in REASONS:
        expr = expr.when(text.str.contains(PATTERNS[reason])).then(pl.lit(reason))
    fallback = pl.lit(OTHER) if positive is None else pl.when(positive.fill_null(False)).then(pl.lit("positive"))
    if positive is not None:
        fallback = fallback.otherwise(pl.lit(OTHER))
    return expr.otherwise(fallback).cast(pl.String)


def is_unsubscribe_request(text: pl.Expr) -> pl.Expr:
    """True where a reply's text asks to be taken off the list."""
    return text.cast(pl.String).str.contains(PATTERNS["unsubscribe"]).fill_null(False)
