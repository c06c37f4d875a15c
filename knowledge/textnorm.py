"""Text normalisation shared by NLU, search and fact parsing.

Traditional → simplified characters, full-width → half-width, Chinese numerals → Arabic digits,
whitespace folded. Applied to training data and to every incoming message alike, so the model
sees one spelling of each word.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache

import cn2an
from opencc import OpenCC

_WHITESPACE = re.compile(r"\s+")
# Invisible characters that split or glue tokens without showing: zero-width space/joiners,
# BOM, bidi marks and overrides.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_HAS_CHINESE_NUMERAL = re.compile("[零〇一二两三四五六七八九十百千万亿点]")


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    return OpenCC("t2s")


def to_half_width(text: str) -> str:
    """Full-width ASCII letters, digits and symbols → ASCII; Chinese punctuation is kept."""
    out = []
    for char in text:
        code = ord(char)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(char)
    return "".join(out)


def numerals_to_digits(text: str) -> str:
    if not _HAS_CHINESE_NUMERAL.search(text):
        return text
    try:
        with warnings.catch_warnings():
            # cn2an warns about every numeral-like word it leaves alone (十四五, 千亿万…).
            warnings.simplefilter("ignore")
            return cn2an.transform(text, "cn2an")
    except (ValueError, KeyError, IndexError):
        # cn2an refuses some mixed forms; the text stays usable as it is.
        return text


def normalise(text: str) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = to_half_width(text)
    text = _converter().convert(text)
    text = numerals_to_digits(text)
    return _WHITESPACE.sub(" ", text).strip()
