"""Leak scanning: does any text that left the staging tables hold a secret or a person's data in the clear?

Forbidden: the tokens and the ClickHouse password (whole, and their first 8 characters), buyers' and ticket
holders' emails, phones, first name + surname pairs, full card numbers and INN. A value is found in any common
spelling: emails in any case and URL-encoded, phones with any separators and with +7/7/8, a first name and its
surname within a few words in either order and any case, card numbers with spaces or dashes, texts URL-decoded and with JSON \\u escapes undone (Dagster's event
log is JSON written with ASCII escapes, which would otherwise hide a Cyrillic name).

The scan is by tokens and sets, not by one substring search per value, so a few thousand values over tens of MB
take seconds. Findings name WHERE and WHAT KIND, never the value itself (a test report must not become the leak).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

SECRET_PREFIX = 8
_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}")
_DIGITS = re.compile(r"\+?\d(?:[\s\-().]{0,3}\d)+")
_WORD = re.compile(r"[^\W\d_]+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape(text: str) -> str:
    """JSON \\uXXXX escapes undone (surrogate pairs joined; a lone surrogate stays escaped)."""

    def one(m: re.Match) -> str:
        return chr(int(m.group(1), 16))

    out = _ESCAPE.sub(one, text)
    return out.encode("utf-16", "surrogatepass").decode("utf-16", "replace") if "\\u" in text else out


def phone_key(value: str) -> str | None:
    """The 10 national digits of a Russian number in any spelling (+7 / 7 / 8 prefix, separators), else None."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits[0] in "78":
        return digits[1:]
    if len(digits) == 10:
        return digits
    return None


@dataclass
class Forbidden:
    secrets: dict[str, str] = field(default_factory=dict)  # value -> kind ("REST token", ...)
    emails: set[str] = field(default_factory=set)  # lowercased
    phones: set[str] = field(default_factory=set)  # 10 national digits
    names: set[tuple[str, str]] = field(default_factory=set)  # (first name, surname), lowercased
    cards: set[str] = field(default_factory=set)  # digits of full card numbers
    inns: set[str] = field(default_factory=set)  # digits

    def add_secret(self, value: str, kind: str) -> None:
        """A secret and its first SECRET_PREFIX characters: a cut token is a leak too."""
        if value:
            self.secrets[value] = kind
            self.secrets[value[:SECRET_PREFIX]] = f"{kind} (prefix)"

    def add_person(self, email=None, phone=None, name=None, surname=None) -> None:
        if _is_audit_persona(email, name):
            return
        if isinstance(email, str) and "@" in email:
            self.emails.add(email.strip().lower())
        if isinstance(phone, str) and phone_key(phone):
            self.phones.add(phone_key(phone))
        if isinstance(name, str) and isinstance(surname, str) and name.strip() and surname.strip():
            self.names.add((name.strip().lower(), surname.strip().lower()))

    def first_names_by_surname(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for first, surname in self.names:
            out.setdefault(surname, set()).add(first)
        return out

    def counts(self) -> dict[str, int]:
        return {
            "secrets (with prefixes)": len(self.secrets),
            "emails": len(self.emails),
            "phones": len(self.phones),
            "name pairs": len(self.names),
            "card numbers": len(self.cards),
            "INN": len(self.inns),
        }

    @property
    def size(self) -> int:
        return sum(self.counts().values())


def _is_audit_persona(email, name) -> bool:
    """The audit's own test client (audit/plan.yaml: name "Audit", surname "Check", an example.invalid address),
    which its write cases create in the sandbox: not a person, and named in the audit's own report."""
    return (isinstance(email, str) and email.lower().endswith("@example.invalid")) or (
        isinstance(name, str) and name.lower().startswith("audit")
    )


def personal_values(sandbox) -> Forbidden:
    """Every buyer's and ticket holder's email, phone, first name + surname, INN and card number the sandbox holds
    (clients, order baskets and buyer fields, barcodes, Partners tickets)."""
    out = Forbidden()
    for client in sandbox.export("clients"):
        details = client.get("details") if isinstance(client.get("details"), dict) else {}
        out.add_person(client.get("email"), details.get("phone"), details.get("name"), details.get("surname"))
    for order in sandbox.export("orders"):
        client = order.get("client") if isinstance(order.get("client"), dict) else {}
        details = client.get("details") if isinstance(client.get("details"), dict) else {}
        out.add_person(client.get("email"), details.get("phone"), details.get("name"), details.get("surname"))
        fields = order.get("fields") if isinstance(order.get("fields"), dict) else {}
        if str(fields.get("inn") or "").isdigit():
            out.inns.add(str(fields["inn"]))
        card = re.sub(r"[\s\-]", "", str(order.get("payment_card_number") or ""))
        if card.isdigit() and 13 <= len(card) <= 19:  # QTickets sends masked PANs; a full one is forbidden
            out.cards.add(card)
        for basket in order.get("baskets") or []:
            if isinstance(basket, dict):
                out.add_person(
                    basket.get("client_email"),
                    basket.get("client_phone"),
                    basket.get("client_name"),
                    basket.get("client_surname"),
                )
                if str(basket.get("inn") or "").isdigit():
                    out.inns.add(str(basket["inn"]))
    for items in sandbox.export("barcodes").values():
        for item in items:
            out.add_person(name=item.get("client_name"), surname=item.get("client_surname"))
    for ticket in sandbox.export("partner_tickets"):
        out.add_person(
            ticket.get("client_email"),
            ticket.get("client_phone"),
            ticket.get("client_name"),
            ticket.get("client_surname"),
        )
    return out


def _kinds_in(text: str, forbidden: Forbidden) -> set[str]:
    found = {kind for value, kind in forbidden.secrets.items() if value in text}
    lowered = text.lower()
    if forbidden.emails and any(e in forbidden.emails for e in _EMAIL.findall(lowered)):
        found.add("email")
    for run in _DIGITS.findall(text):
        digits = re.sub(r"\D", "", run)
        if forbidden.phones and phone_key(run) in forbidden.phones:
            found.add("phone")
        if digits in forbidden.cards:
            found.add("card number")
        if digits in forbidden.inns:
            found.add("INN")
    if forbidden.names and _names_near(_WORD.findall(lowered), forbidden):
        found.add("name")
    return found


NAME_WINDOW = 6  # words: "Иван Петров", "Петров, Иван", {"name":"Иван","middlename":"…","surname":"Петров"}


def _names_near(words: list[str], forbidden: Forbidden) -> bool:
    """A person's first name and surname within a few words of each other, in either order."""
    firsts = forbidden.first_names_by_surname()
    for i, word in enumerate(words):
        wanted = firsts.get(word)
        if wanted and wanted & set(words[max(0, i - NAME_WINDOW) : i + NAME_WINDOW + 1]):
            return True
    return False


def find_leaks(texts: Mapping[str, str | bytes], forbidden: Forbidden) -> list[str]:
    """ "<where>: <kind>" for every text holding a forbidden value in any of its spellings."""
    found = []
    for where, text in texts.items():
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        for variant in {text, unquote(text), _unescape(text)}:
            found += [f"{where}: {kind}" for kind in _kinds_in(variant, forbidden)]
    return sorted(set(found))
