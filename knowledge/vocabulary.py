"""The policy vocabulary exported for tokenisation: programme names, aliases and titles.

``write_jieba_dictionary`` writes the user dictionary that JiebaTokenizer loads (config.yml
points at the folder), so the NLU and the search split 徽商服务卡 or 专精特新 as one word.
Generated from the knowledge base data, never kept by hand in a second place.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Set

from knowledge.paths import VAR_DIR
from knowledge.source_data import alias_pairs, read_all
from knowledge.textnorm import normalise

JIEBA_DIR = VAR_DIR / "jieba"
JIEBA_FILE = "policy_terms.txt"
# A high frequency so jieba keeps the whole term instead of its parts.
TERM_FREQUENCY = 2000
_QUOTED = re.compile(r"“([^”]{2,16})”")
_BOOK_TITLE = re.compile(r"[《》“”\"]")
# jieba splits at punctuation anyway, so only terms of word characters (and "+", as in 5G+) count.
_WORDLIKE = re.compile(r"^[\w+]{2,}$")


def clean_terms(terms: Iterable[str]) -> List[str]:
    """Normalised as messages are, quotes and book-title marks dropped, word-like only; sorted."""
    cleaned = {normalise(_BOOK_TITLE.sub("", term)) for term in terms}
    return sorted(term for term in cleaned if _WORDLIKE.match(term))


def measure_terms(measure: Dict[str, Any]) -> List[str]:
    """The terms of one measure (YAML dict): programme names, their aliases, quoted terms."""
    terms = [term for pair in alias_pairs(measure) for term in pair]
    return clean_terms(terms + _QUOTED.findall(measure["text"]))


def policy_terms() -> List[str]:
    """Every term worth keeping whole, across all measures, sorted and unique."""
    terms: Set[str] = set()
    for document in read_all():
        for measure in document.measures:
            terms.update(measure_terms(measure))
    return sorted(terms)


def render_dictionary(terms: Iterable[str]) -> str:
    return "".join(f"{term} {TERM_FREQUENCY} n\n" for term in terms)


def write_jieba_dictionary(folder: Path = JIEBA_DIR) -> Path:
    """Write the dictionary only if its content changed, so training fingerprints stay stable."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / JIEBA_FILE
    content = render_dictionary(policy_terms())
    if not path.exists() or path.read_text(encoding="utf-8") != content:
        path.write_text(content, encoding="utf-8")
    return path
