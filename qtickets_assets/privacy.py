"""Masking of personal data and redaction of secrets: pure functions, no I/O.

Personal data (emails, phones, names, card numbers, INN) may live only in the ClickHouse staging tables.
Everything that leaves them (logs, asset-check metadata, audit reports and archives) goes through these
helpers first. They keep the *shape* of a value (first letter, domain zone, last digits of a phone, the
6+4 masked-PAN form QTickets itself sends) so a reader can still tell values apart and debug, without
being able to recover the person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
REDACTED = "***REDACTED***"

# --- single values --------------------------------------------------------------------------------


def mask_email(value: str | None) -> str | None:
    """`ivan.petrov@example.ru` -> `i***@e***.ru`; not-an-email strings are masked as names."""
    if value is None or value == "":
        return value
    local, at, domain = str(value).strip().rpartition("@")
    if not at or not local:
        return mask_name(value)
    host, dot, zone = domain.rpartition(".")
    if not dot:  # `user@localhost`: no zone to keep
        return f"{local[0]}{MASK}@{domain[:1]}{MASK}"
    return f"{local[0]}{MASK}@{host[:1]}{MASK}.{zone}"


def mask_phone(value: str | int | None) -> str | None:
    """Keep formatting, the leading country digit and the last two digits: `+7 (910) 123-45-67` ->
    `+7 (***) ***-**-67`. Short values (< 5 digits) are masked whole."""
    if value is None or value == "":
        return value
    text = str(value)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) < 5:
        return re.sub(r"\d", "*", text)
    keep = {digits[0], digits[-1], digits[-2]}
    return "".join(ch if (not ch.isdigit() or i in keep) else "*" for i, ch in enumerate(text))


def mask_name(value: str | None) -> str | None:
    """`Иван` -> `И***`; every word of a multi-word name is masked the same way (`Иван Петров` -> `И*** П***`)."""
    if value is None or value == "":
        return value
    words = str(value).split()
    if not words:
        return value
    return " ".join(f"{w[0]}{MASK}" for w in words)


_PAN_RUN = re.compile(r"(?<![0-9A-Za-z])(?:\d[ \-]?){12,18}\d(?![0-9A-Za-z])")


def _mask_pan_digits(digits: str) -> str:
    # The PCI-DSS display form QTickets itself uses: first 6 + last 4 at most (546964******9036).
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_card(value: str | int | None) -> str | None:
    """A card number keeps the documented masked-PAN shape `546964******9036` (first 6, last 4);
    an already masked PAN is returned as is; any 13-19 digit run elsewhere in the value is masked."""
    if value is None or value == "":
        return value
    text = str(value)
    compact = re.sub(r"[ \-]", "", text)
    if re.fullmatch(r"\d{13,19}", compact):
        return _mask_pan_digits(compact)
    return _PAN_RUN.sub(lambda m: _mask_pan_digits(re.sub(r"\D", "", m.group(0))), text)


def mask_all(value: Any) -> Any:
    """Values with no useful shape (INN, Fan ID numbers, social ids): every letter and digit becomes `*`."""
    if value is None or value == "":
        return value
    return re.sub(r"\w", "*", str(value))


# --- free text ------------------------------------------------------------------------------------

# Bounded repetitions (RFC 5321 lengths): unbounded ones make a 200,000-character value take quadratic time.
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z])"
)
# Russian numbers: +7 / 7 / 8 then 10 digits, with the usual separators (`+7 (910) 123-45-67`, `89101234567`).
_PHONE_RU = re.compile(r"(?<![\w+])(?:\+7|8|7)[\s\-]?\(?\d{3}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}(?![\w])")
# Generic international: a leading `+` and 8-15 digits in total (E.164), separators allowed.
_PHONE_INTL = re.compile(r"(?<![\w+])\+\d(?:[\s\-()]{0,2}\d){7,14}(?![\w])")


def mask_text(text: Any) -> Any:
    """Mask emails, card numbers (13-19 digit runs) and phone numbers inside free text.

    Cards are masked before phones so a long digit run is not half-eaten by the phone pattern. The patterns
    need a non-alphanumeric boundary, so 12-digit barcodes, ids and 40-hex hashes are left alone, and so are
    ISO timestamps (`+03:00` has too few digits to be a phone)."""
    if not isinstance(text, str) or not text:
        return text
    out = _EMAIL.sub(lambda m: mask_email(m.group(0)) or "", text)
    out = _PAN_RUN.sub(lambda m: _mask_pan_digits(re.sub(r"\D", "", m.group(0))), out)
    out = _PHONE_RU.sub(lambda m: mask_phone(m.group(0)) or "", out)
    out = _PHONE_INTL.sub(lambda m: mask_phone(m.group(0)) or "", out)
    return out


# --- payloads -------------------------------------------------------------------------------------

EMAIL_KEYS = frozenset({"email", "client_email", "buyer_email", "user_email"})
EMAIL_LIST_KEYS = frozenset({"client_emails", "emails"})
PHONE_KEYS = frozenset({"phone", "client_phone", "buyer_phone", "mobile"})
NAME_KEYS = frozenset(
    {
        # `name` is masked everywhere, event and zone names included: a payload does not say whose name it is,
        # and an over-masked event name costs less than a leaked buyer name. Callers can opt out with keep_keys.
        "name",
        "surname",
        "middlename",
        "client_name",
        "client_surname",
        "client_middlename",
        "first_name",
        "last_name",
        "username",
        "legal_name",
        "organization_name",
        "work_position",
        "full_name",
        "fio",
        "holder_name",
    }
)
CARD_KEYS = frozenset({"payment_card_number", "card_number", "pan"})
OPAQUE_KEYS = frozenset({"inn", "kpp", "fanid", "fanid_card", "vk_id", "facebook_id", "passport", "document"})
PERSONAL_KEYS = EMAIL_KEYS | EMAIL_LIST_KEYS | PHONE_KEYS | NAME_KEYS | CARD_KEYS | OPAQUE_KEYS


def _mask_by_key(key: str, value: Any) -> Any:
    if isinstance(value, (dict, list, tuple)):
        if key in OPAQUE_KEYS:  # e.g. fanid_card {"id":…, "value":…}: everything inside is personal
            return _map_leaves(value, mask_all)
        if key in EMAIL_LIST_KEYS:
            return _map_leaves(value, mask_email)
        return mask_payload(value)
    if value is None or isinstance(value, bool):
        return value
    if key in EMAIL_KEYS or key in EMAIL_LIST_KEYS:
        return mask_email(str(value))
    if key in PHONE_KEYS:
        return mask_phone(str(value))
    if key in NAME_KEYS:
        return mask_name(str(value))
    if key in CARD_KEYS:
        return mask_card(str(value))
    return mask_all(value)


def _map_leaves(obj: Any, fn) -> Any:
    if isinstance(obj, dict):
        return {k: _map_leaves(v, fn) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_map_leaves(v, fn) for v in obj]
    if obj is None or isinstance(obj, bool):
        return obj
    return fn(str(obj))


def mask_payload(obj: Any, extra_keys: Iterable[str] = (), keep_keys: Iterable[str] = ()) -> Any:
    """Return a masked deep copy of a JSON-like value (dicts, lists, scalars).

    Keys naming personal data (PERSONAL_KEYS, matched case-insensitively, plus `extra_keys`, which are
    masked whole) get a type-specific mask; every other string goes through mask_text. Numbers and booleans
    under other keys are kept (ids, prices, quantities). `keep_keys` leaves the named keys untouched."""
    extra = frozenset(k.lower() for k in extra_keys)
    keep = frozenset(k.lower() for k in keep_keys)
    return _mask(obj, extra, keep)


def _mask(obj: Any, extra: frozenset, keep: frozenset) -> Any:
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            key = str(k).lower()
            if key in keep:
                out[k] = v
            elif key in extra:
                out[k] = _map_leaves(v, mask_all)
            elif key in PERSONAL_KEYS:
                out[k] = _mask_by_key(key, v)
            else:
                out[k] = _mask(v, extra, keep)
        return out
    if isinstance(obj, (list, tuple)):
        return [_mask(v, extra, keep) for v in obj]
    if isinstance(obj, str):
        return mask_text(obj)
    return obj


# --- secrets --------------------------------------------------------------------------------------

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+")


def redact_secrets(text: Any, secrets: Iterable[str | None] = ()) -> Any:
    """Replace every occurrence of each given secret (tokens, passwords) with `***REDACTED***`, and any
    `Bearer <token>` credential even when the token was not passed in. Longest secrets first, so a secret that
    contains another is removed whole. Empty / None secrets are ignored (replacing "" would corrupt the text)."""
    if not isinstance(text, str) or not text:
        return text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(str(secret), REDACTED)
    return _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
