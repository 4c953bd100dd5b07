"""Contacts -> may we email them? `sendable`, the `skip_reason` when not, and an `email_flag`.

Skipped: no email, an address that is not an address, a verifier's `invalid`, and by default role
addresses (info@, sales@: nobody in particular reads them, and they complain) and free-mail
domains (gmail.com: a personal inbox, not the company's). `catch_all` and `unknown` are drafted
but flagged, since a send may bounce. Vectorized: one Polars expression per check.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

from targeting.errors import InputError

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

# Local parts that name a function or a mailbox rather than a person.
ROLE_LOCAL_PARTS = frozenset(
    """
    info information hello hi hey contact contacts contactus contact-us sales support help helpdesk
    admin administrator office team hr jobs careers career recruiting recruitment talent billing
    accounts accounting invoices invoice finance payments marketing press media pr news newsletter
    enquiries enquiry inquiries inquiry service services customerservice customer-service care
    feedback webmaster postmaster hostmaster abuse noreply no-reply donotreply do-not-reply
    privacy legal compliance security it tech operations ops partners partnerships orders shop
    store bookings booking reservations reception mail email general team-sales all staff
    kontakt vertrieb buero office-de bonjour contacto ventas hola atendimento vendas comercial
    """.split()
)

# Personal mailbox providers: an address here is a person's private inbox.
FREE_MAIL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.es yahoo.it yahoo.com.br
    yahoo.co.in yahoo.co.jp ymail.com rocketmail.com outlook.com outlook.fr outlook.de outlook.es
    hotmail.com hotmail.co.uk hotmail.fr hotmail.de hotmail.es hotmail.it hotmail.com.br live.com
    live.co.uk live.fr live.de live.nl msn.com aol.com aol.de icloud.com me.com mac.com proton.me
    protonmail.com protonmail.ch pm.me gmx.de gmx.net gmx.com gmx.at gmx.ch web.de t-online.de
    freenet.de posteo.de mailbox.org mail.com email.com mail.ru inbox.ru list.ru bk.ru yandex.ru
    yandex.com ya.ru zoho.com zohomail.com fastmail.com fastmail.fm hey.com tutanota.com tuta.io
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr libero.it virgilio.it tiscali.it
    alice.it qq.com 163.com 126.com yeah.net sina.com naver.com daum.net hanmail.net rediffmail.com
    seznam.cz wp.pl o2.pl interia.pl onet.pl bluewin.ch btinternet.com sky.com virginmedia.com
    comcast.net verizon.net att.net sbcglobal.net cox.net charter.net shaw.ca rogers.com
    bigpond.com optusnet.com.au uol.com.br bol.com.br terra.com.br ziggo.nl kpnmail.nl home.nl
    telenet.be skynet.be
    """.split()
)

# One address: a dot-atom local part, "@", two or more DNS labels ending in a letters-only TLD.
_ADDRESS = (
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$"
)
_REASONS = {
    "missing": "missing email",
    "syntax": "invalid email syntax",
    "status": "email status invalid",
    "role": "role address",
    "free": "free mail domain",
}


def check_sendability(
    contacts: Frame,
    *,
    allow_role: bool = False,
    allow_free_mail: bool = False,
    role_local_parts: frozenset[str] = ROLE_LOCAL_PARTS,
    free_mail_domains: frozenset[str] = FREE_MAIL_DOMAINS,
) -> Frame:
    """Add `sendable`, `skip_reason` (null when sendable) and `email_flag` to every contact.

    The first failing check names the reason: missing email, invalid email syntax, email status
    invalid, role address (info@), free mail domain (gmail.com). `email_flag` is the verifier's
    doubt, `catch_all` or `unknown` (a missing or unrecognised status counts as `unknown`), else null; flagged
    contacts stay sendable.

    Args:
        contacts: Contacts with `email` and, optionally, `email_status`.
        allow_role: Send to role addresses too.
        allow_free_mail: Send to free-mail addresses too.
        role_local_parts: Local parts that count as role addresses.
        free_mail_domains: Domains that count as free mail.

    Returns:
        The same kind of frame with the three columns added (replaced if present).

    Raises:
        InputError: The contacts have no `email` column.
    """
    names = contacts.collect_schema().names()
    if "email" not in names:
        raise InputError("contacts have no email column", field="email")
    email = pl.col("email").cast(pl.String).str.strip_chars().str.to_lowercase()
    status = (
        pl.col("email_status").cast(pl.String).str.strip_chars().str.to_lowercase().replace("", None)
        if "email_status" in names
        else pl.lit(None, pl.String)
    )
    local = email.str.split_exact("@", 1).struct.field("field_0").str.replace(r"\+.*$", "")
    domain = email.str.extract(r"@([^@]+)$", 1)
    failures = [
        (email.is_null() | (email == ""), pl.lit(_REASONS["missing"])),
        (~email.str.contains(_ADDRESS) | email.str.contains("..", literal=True), pl.lit(_REASONS["syntax"])),
        (status == "invalid", pl.lit(_REASONS["status"])),
    ]
    if not allow_role:
        failures.append((local.is_in(sorted(role_local_parts)), pl.format(_REASONS["role"] + " ({}@)", local)))
    if not allow_free_mail:
        failures.append((domain.is_in(sorted(free_mail_domains)), pl.format(_REASONS["free"] + " ({})", domain)))
    reason = pl.when(failures[0][0]).then(failures[0][1])
    for condition, text in failures[1:]:
        reason = reason.when(condition.fill_null(False)).then(text)
    skip_reason = reason.otherwise(pl.lit(None, pl.String))
    # Any status a verifier did not settle (missing, or a word we do not know) is doubt too.
    flag = (
        pl.when(status == "catch_all")
        .then(pl.lit("catch_all"))
        .when(status.is_in(["valid", "invalid"]).fill_null(False))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit("unknown"))
    )
    return contacts.with_columns(sendable=skip_reason.is_null(), skip_reason=skip_reason, email_flag=flag)
