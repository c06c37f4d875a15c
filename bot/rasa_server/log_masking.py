"""Mask phone, ID-card and bank-card numbers and e-mail addresses in every log line the Rasa server writes.

Users type their mobile, 身份证 or bank-card number or their e-mail into the chat; Rasa logs user
messages (at debug level, and in error messages). Numbers are found however they are typed:
full-width digits (１３９…, also as the JSON escapes \uff11… of Rasa's JSON logs), ID numbers in
groups ("340104 19900101 1234"), cards in groups of four. Every run of 16-19 digits counts as a card
(no Luhn check: a mistyped card number is still somebody's). tools/report masks its CSVs with
``mask`` too. ``install()`` replaces the logging record factory so each record's message
(and its traceback text) is masked once, when it is created, whichever logger, handler or
structlog renderer writes it later.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

# A number starts where no digit precedes it, or right after a JSON escape such as \u8bc1 (Rasa's
# JSON logs write Chinese that way, and the escape may end in a digit: "身份证" + digits).
_START = r"(?:(?<![0-9])|(?<=\\u[0-9a-fA-F]{4}))"
# 18-digit resident ID (last character may be X) and the old 15-digit form. Digits around the
# match must not be digits, so longer numbers (amounts, order numbers) stay untouched.
_ID_CARD = re.compile(_START + r"([1-9][0-9]{5})([0-9]{8}[0-9]{3}[0-9Xx]|[0-9]{9})(?![0-9Xx])")
# Mainland mobile numbers, optionally with +86 / 86 and spaces or dashes between groups.
_MOBILE = re.compile(_START + r"((?:\+?86[- ]?)?1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])")
# Landlines with an area code: 0551-12345678, 0551 1234567, (0551)12345678.
_LANDLINE = re.compile(_START + r"(\(?0[1-9][0-9]{1,2}\)?[- ]?)[0-9]{3,4}([0-9]{4})(?![0-9])")
# An ID number written in groups: 18 (or 15) digits with single spaces or dashes anywhere between them.
_GROUPED_ID = re.compile(_START + r"([1-9](?:[- ]?[0-9]){16}[- ]?[0-9Xx]|[1-9](?:[- ]?[0-9]){14})(?![- ]?[0-9Xx])")
# Bank cards: 16-19 digits, plain or in groups (of four, as printed).
_CARD = re.compile(_START + r"([0-9](?:[- ]?[0-9]){15,18})(?![- ]?[0-9])")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# Full-width digits, X, plus, dash and the ideographic space, as typed and as JSON escapes.
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "\uff38": "X", "\uff58": "x",
                             "\uff0b": "+", "\uff0d": "-", "\u3000": " "})  # fmt: skip
_ESCAPED_FULL_WIDTH = re.compile(r"\\u(?:[fF]{2}1([0-9])|3000)")


# Credentials in a logged URL's query string (Rasa's HTTP API takes its token as ?token=…).
_SECRET_PARAMS = "token|auth_token|access_token|api_key|key|secret|signature|msg_signature|openid"
_QUERY_SECRET = re.compile(rf"([?&](?:{_SECRET_PARAMS})=)[^&\s\"']+", re.I)


def _digits_only(text: str) -> str:
    return re.sub(r"[- ]", "", text)


def _mask_grouped_id(match: re.Match) -> str:
    digits = _digits_only(match.group(1))
    return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"


def _mask_card(match: re.Match) -> str:
    digits = _digits_only(match.group(1))
    return f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}"


def mask(text: str) -> str:
    """The text with ID-card, phone and card numbers and e-mail addresses masked, keeping enough to
    recognise them (first and last digits, the mail domain)."""
    if not text:
        return text
    if "=" in text:
        text = _QUERY_SECRET.sub(r"\1***", text)
    if "@" in text:
        text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    if "\\u" in text:
        text = _ESCAPED_FULL_WIDTH.sub(lambda m: m.group(1) or " ", text)
    text = text.translate(_FULL_WIDTH)
    if not any(ch.isdigit() for ch in text):
        return text
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}{'*' * (len(m.group(2)) - 4)}{m.group(2)[-4:]}", text)
    text = _GROUPED_ID.sub(_mask_grouped_id, text)
    text = _CARD.sub(_mask_card, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


_installed = False


def install() -> None:
    """Mask every log record created from now on in this process (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            record.msg = mask(record.getMessage())
            record.args = None
            if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
                record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        except Exception:  # noqa: BLE001 - a log record must never break the caller
            pass
        return record

    logging.setLogRecordFactory(masked_record)
    _installed = True
