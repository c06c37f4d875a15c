"""Mask phone and ID-card numbers in every log line the Rasa server writes.

Users type their mobile or 身份证 number into the chat; Rasa logs user messages (at debug level,
and in error messages). ``install()`` replaces the logging record factory so each record's message
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


def mask(text: str) -> str:
    """The text with ID-card and phone numbers masked, keeping enough digits to recognise them."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}{'*' * (len(m.group(2)) - 4)}{m.group(2)[-4:]}", text)
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
