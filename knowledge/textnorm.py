"""Text normalisation shared by NLU, search and fact parsing.

Traditional → simplified characters, full-width → half-width, Chinese numerals → Arabic digits,
whitespace folded. Applied to training data and to every incoming message alike, so the model
sees one spelling of each word.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from functools import lru_cache
from typing import FrozenSet, List, Tuple

import cn2an
from opencc import OpenCC

_WHITESPACE = re.compile(r"\s+")
# Invisible characters that split or glue tokens without showing: zero-width space/joiners,
# BOM, bidi marks and overrides.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿点"
_HAS_CHINESE_NUMERAL = re.compile(f"[{_NUMERAL_CHARS}]")
_NON_NUMERAL = re.compile(f"[^{_NUMERAL_CHARS}]")
# Words that contain numeral characters but are not numbers (统一, 五金, 三角债, 一站式, 千方百计 …)
# stay as they are, so their tokens stay real words. They are read from jieba's own dictionary:
# the common nouns, verbs, adjectives, adverbs, idioms and set phrases with a numeral character
# (numerals, measure words, time words and names are not among them: 五百, 两年, 三月 become digits).
_WORD_POS = {"n", "v", "vn", "a", "ad", "an", "b", "d", "i", "l", "z", "nz"}
# Fractions and percentages, which jieba tags as idioms, are numbers to us.
_NUMBER_PREFIXES = ("百分之", "千分之", "万分之")
_LONGEST_WORD = 6
# Rare dictionary entries (立三, 一业) would swallow numbers next to them: only common words count.
_MIN_FREQUENCY = 50


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


@lru_cache(maxsize=1)
def _words_with_numerals() -> FrozenSet[str]:
    import jieba

    words = set()
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as dictionary:
        for line in dictionary:
            parts = line.split()
            if len(parts) < 3 or not 2 <= len(parts[0]) <= _LONGEST_WORD or parts[2] not in _WORD_POS:
                continue
            if int(parts[1]) < _MIN_FREQUENCY:
                continue
            word = parts[0]
            # Words of numeral characters only (零点, 千万, 一一) may well be numbers: converted.
            if word.startswith(_NUMBER_PREFIXES) or not _NON_NUMERAL.search(word):
                continue
            if _HAS_CHINESE_NUMERAL.search(word):
                words.add(word)
    return frozenset(words)


def _protected_spans(text: str) -> List[Tuple[int, int]]:
    """Spans of words that contain numerals but are not numbers, longest match from the left.
    (Not jieba's segmentation: that changes with the words other modules add to jieba, and the
    same term must read the same alone and inside any sentence.)"""
    words = _words_with_numerals()
    spans: List[Tuple[int, int]] = []
    position = 0
    while position < len(text):
        for length in range(min(_LONGEST_WORD, len(text) - position), 1, -1):
            if text[position : position + length] in words:
                spans.append((position, position + length))
                position += length
                break
        else:
            position += 1
    return spans


def _transform(text: str) -> str:
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


def numerals_to_digits(text: str) -> str:
    """Chinese numbers → digits (五百万元 → 5000000元, 百分之一点二 → 1.2%), words that merely
    contain numeral characters kept (统一, 零件, 三角债)."""
    if not _HAS_CHINESE_NUMERAL.search(text):
        return text
    pieces: List[str] = []
    start = 0
    for begin, end in _protected_spans(text):
        pieces.append(_transform(text[start:begin]))
        pieces.append(text[begin:end])
        start = end
    pieces.append(_transform(text[start:]))
    return "".join(pieces)


def normalise(text: str) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = to_half_width(text)
    text = _converter().convert(text)
    text = numerals_to_digits(text)
    return _WHITESPACE.sub(" ", text).strip()
