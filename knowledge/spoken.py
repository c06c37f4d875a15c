"""The spoken version of a policy answer (口播稿): what hotline staff read out to a caller.

It is made from the written answer's own text, so it can never say what the written answer
does not: the heading and the 依据 line go, the citation is said first (根据实施意见第十三条，…),
lists become sentences, brackets, quotation marks and list markers go (a bracket that ends a
clause becomes a clause of its own, one inside a name is left out), numbers are said in words
(knowledge/spoken_numbers.py), and the script stops at a sentence or clause boundary before
about 40 seconds of speech (data/spoken.yaml says the speed assumed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Sequence, Tuple

import yaml

from knowledge.paths import DATA_DIR
from knowledge.spoken_numbers import say_integer, speak_numbers

_HEADING = re.compile(r"^【[^】]*】$")
_BASIS = re.compile(r"^（依据：.*）$")
_BULLET = re.compile(r"^\s*(?:[•·\-*]|\d+[.、)])\s*")
_NOTE = re.compile(r"^提示：")
_BRACKET = re.compile(r"[（(]([^（）()]*)[）)]")
_QUOTES = re.compile(r"[“”‘’「」『』\"'《》〈〉【】〔〕]")
# A bracket followed by one of these (or by the end) ends a clause and is said as one.
_CLAUSE_KEEPS = "，。；！？"
# 一、…；二、…: an enumeration said as 第一，…。第二，…
_ENUMERATOR = re.compile(r"(^|[。，])([一二三四五六七八九十]{1,3})、")
_SENTENCE_END = "。！？"
# Where a script that is too long is cut: after a sentence, so that no condition loses its
# qualifier; only an answer whose first sentence is already too long is cut after a clause.
_BREAKS = ("。", "！", "？")
_FIRST_BREAKS = ("，",)
_LEFT = re.compile(r"[^\u4e00-\u9fffA-Za-z，。、；？！]")


@dataclass(frozen=True)
class SpokenStyle:
    max_chars: int
    citation: str
    measure_joiner: str
    measure_last_joiner: str
    symbol_words: Tuple[Tuple[str, str], ...]
    measure_words_for_two: str
    list_sentence: int


@lru_cache(maxsize=1)
def style() -> SpokenStyle:
    raw = yaml.safe_load((DATA_DIR / "spoken.yaml").read_text(encoding="utf-8"))
    return SpokenStyle(
        max_chars=int(float(raw["max_seconds"]) * float(raw["characters_per_second"])),
        citation=str(raw["citation"]),
        measure_joiner=str(raw["measure_joiner"]),
        measure_last_joiner=str(raw["measure_last_joiner"]),
        symbol_words=tuple((str(k), str(v)) for k, v in (raw.get("symbol_words") or {}).items()),
        measure_words_for_two=str(raw.get("measure_words_for_two") or ""),
        list_sentence=int(raw.get("list_sentence", 60)),
    )


def spoken_document_name(title: str) -> str:
    """《若干意见》实施意见 → 实施意见: the name after the last book title, as a caller hears it."""
    tail = title.rsplit("》", 1)[-1].lstrip("的")
    return _QUOTES.sub("", tail or title)


def spoken_citation(document_title: str, citations: Sequence[int]) -> str:
    """根据实施意见第十三条， / 根据实施意见第十条和第十三条， / 根据实施意见，"""
    s = style()
    labels = [f"第{say_integer(int(n))}条" for n in citations]
    measures = s.measure_last_joiner.join(
        [s.measure_joiner.join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels
    )
    return s.citation.format(document=spoken_document_name(document_title), measures=measures)


def _unbracket(text: str) -> str:
    """A bracket that ends a clause becomes a clause (…机构，降费奖补的直接对象); one inside a
    name or a clause, before a 、 or the colon of a list's lead, is left out (省中小企业发展专项资金)."""

    def replace(match: re.Match) -> str:
        after = match.string[match.end() : match.end() + 1]
        inner = match.group(1).strip()
        keep = inner and (not after or after in _CLAUSE_KEEPS)
        return f"，{inner}" if keep else ""

    previous = None
    while previous != text:
        previous, text = text, _BRACKET.sub(replace, text)
    return text


def _said(text: str) -> str:
    """One piece of the written answer as it is said: no brackets, quotes or symbols, numbers in words."""
    s = style()
    text = speak_numbers(_unbracket(text.strip()), s.measure_words_for_two)
    # “首贷”“信用贷”: two quoted names side by side are a list.
    text = _QUOTES.sub("", re.sub(r"[”’」』]\s*[“‘「『]", "、", text))
    for symbol, word in s.symbol_words:
        text = text.replace(symbol, word)
    text = text.replace("：", "，").replace("；", "。").replace("—", "，").replace("·", "，")
    text = _ENUMERATOR.sub(r"\1第\2，", re.sub(r"\s+", "", text))
    text = re.sub(r"[，、]+(?=[。！？])", "", text)
    text = re.sub(r"，{2,}", "，", text).strip("，、")
    text = re.sub(r"^[，。、；]+", "", text)
    return text


def _sentence(text: str) -> str:
    text = text.rstrip("，、；")
    return text if not text or text[-1] in _SENTENCE_END else text + "。"


def _units(written: str) -> List[str]:
    """The written answer as spoken sentences, in its order: a line, or a lead line with its list."""
    lines = [line for line in written.split("\n") if line.strip()]
    lines = [line for line in lines if not _HEADING.match(line.strip()) and not _BASIS.match(line.strip())]
    units: List[str] = []
    lead: str | None = None
    items: List[str] = []

    def close() -> None:
        nonlocal lead, items
        if lead is None and not items:
            return
        said_items = [_said(item) for item in items]
        said_items = [item.rstrip("。") for item in said_items if item]
        head = _said(lead or "").rstrip("，。")
        joiner = "，" if any("、" in item for item in said_items) else "、"
        body = joiner.join(said_items)
        if said_items and len(body) <= style().list_sentence and not any("，" in item for item in said_items):
            units.append(_sentence(f"{head}，{body}" if head else body))
        else:
            sentences = [_sentence(item) for item in said_items]
            if head and sentences:
                sentences[0] = f"{head}，{sentences[0]}"
            units.append("".join(sentences) if sentences else _sentence(head))
        lead, items = None, []

    for line in lines:
        if _BULLET.match(line):
            items.append(_BULLET.sub("", line, count=1))
            continue
        close()
        line = _NOTE.sub("", line.strip())
        if line.endswith("："):
            lead = line
        else:
            units.append(_sentence(_said(line)))
    close()
    return [unit for unit in units if unit]


def _cut(unit: str, room: int, breaks: Sequence[str]) -> str:
    """The longest start of ``unit`` that fits in ``room`` characters and ends at one of ``breaks``."""
    for mark in breaks:
        end = unit.rfind(mark, 0, room)
        while end > 0:
            piece = _sentence(unit[:end])
            if len(piece) <= room:
                return piece
            end = unit.rfind(mark, 0, end)
    return ""


def spoken_script(written: str, citations: Sequence[int], document_title: str) -> str:
    """The 口播稿 of a written policy answer: the citation said first, then the answer's sentences
    in order, as many as fit in about 40 seconds (the first one cut at a clause if it is longer)."""
    opening = spoken_citation(document_title, citations)
    script = opening
    for unit in _units(written):
        room = style().max_chars - len(script)
        if len(unit) <= room:
            script += unit
            continue
        script += _cut(unit, room, _BREAKS) or (_cut(unit, room, _FIRST_BREAKS) if script == opening else "")
        break
    return script if script[-1] in _SENTENCE_END else _sentence(script)


def unsaid(script: str) -> str:
    """What a script holds that cannot be read out (digits, symbols, brackets); empty when none."""
    return "".join(sorted(set(_LEFT.findall(script))))
