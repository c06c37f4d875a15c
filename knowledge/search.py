"""Ranked search over the measures: titles, programme names and aliases, summaries, original
texts, details and FAQ answers. Used for fallback suggestions and the ``search`` CLI.

Words come from one analyser shared with the NLU: jieba with the policy dictionary generated
from the knowledge base (knowledge/vocabulary.py), so 徽商服务卡 or 专精特新贷 stay whole here
exactly as in the Rasa JiebaTokenizer. The analyser runs either through spaCy's blank ``zh``
pipeline with its jieba segmenter (``KNOWLEDGE_ANALYZER=spacy``) or through jieba directly
(the default): spaCy's segmenter calls ``jieba.cut`` itself, so both give the same words (a
test checks it), but importing spaCy 3.4 pulls in thinc and with it TensorFlow, which costs the
action server many seconds and hundreds of MB for nothing it uses.

Ranking is BM25F (field-weighted BM25), implemented here; weights and stopwords are data
(``data/search.yaml``).
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, Iterable, List, Mapping, Sequence, Tuple

import yaml

from knowledge.paths import DATA_DIR
from knowledge.source_data import DocumentData, alias_pairs, read_all
from knowledge.textnorm import normalise
from knowledge.vocabulary import TERM_FREQUENCY, policy_terms

SETTINGS_FILE = DATA_DIR / "search.yaml"
ANALYZERS = ("jieba", "spacy")
_lock = threading.Lock()


@dataclass(frozen=True)
class Hit:
    number: int
    key: str
    title: str
    score: float
    document: str = ""
    matched: Tuple[str, ...] = ()


@lru_cache(maxsize=1)
def settings() -> Dict[str, Any]:
    raw = yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))
    raw["stopwords"] = frozenset(normalise(word) for word in raw.get("stopwords", []))
    return raw


# --- the analyser ----------------------------------------------------------------------------


def _jieba_with_policy_terms() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for term in policy_terms():
        jieba.add_word(term, freq=TERM_FREQUENCY)
    return jieba


@lru_cache(maxsize=1)
def _jieba_with_policy_terms_cached() -> Any:
    with _lock:
        return _jieba_with_policy_terms()


@lru_cache(maxsize=2)
def _segmenter(kind: str) -> Callable[[str], List[str]]:
    """A function text → words, for the analyser ``kind`` (jieba | spacy)."""
    if kind not in ANALYZERS:
        raise ValueError(f"unknown analyser {kind!r}; use one of {', '.join(ANALYZERS)}")
    jieba = _jieba_with_policy_terms_cached()
    with _lock:
        if kind == "jieba":
            return lambda text: [word for word in jieba.cut(text, cut_all=False) if word]
        import spacy

        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        return lambda text: [token.text for token in nlp(text)]


def analyser_name() -> str:
    kind = os.environ.get("KNOWLEDGE_ANALYZER", "jieba").strip().lower() or "jieba"
    return kind


def segment(text: str, analyser: str | None = None) -> List[str]:
    """The words of ``text`` (normalised), punctuation and spaces dropped, stopwords kept."""
    words = _segmenter(analyser or analyser_name())(normalise(text))
    return [word for word in (w.strip() for w in words) if word and any(ch.isalnum() for ch in word)]


def tokens(text: str, analyser: str | None = None) -> List[str]:
    """The searchable words of ``text``: segmented, without stopwords."""
    stop = settings()["stopwords"]
    return [word for word in segment(text, analyser) if word not in stop]


def has_content(text: str, analyser: str | None = None) -> bool:
    """True when ``text`` has a word the search would look up: "啊吧啊吧" and "怎么申请" (stopwords,
    particles, punctuation) have none. Every programme name and alias of the knowledge base has one
    (tests/test_knowledge_search.py)."""
    return bool(tokens(text, analyser))


def subwords(word: str) -> List[str]:
    """Dictionary words inside a longer word: 专精特新贷 → [专精, 特新, 专精特新] (as jieba's search mode)."""
    if len(word) <= 2:
        return []
    known = _jieba_with_policy_terms_cached().dt.FREQ
    stop = settings()["stopwords"]
    found = []
    for size in range(2, len(word)):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if known.get(part) and part not in stop:
                found.append(part)
    return found


def weighted_tokens(text: str, analyser: str | None = None) -> Counter:
    """Word → weight: each word of ``text`` counts 1, each dictionary word inside it ``subword_weight``."""
    share = float(settings().get("subword_weight", 0.5))
    counts: Counter = Counter()
    for word in tokens(text, analyser):
        counts[word] += 1.0
        for part in subwords(word):
            counts[part] += share
    return counts


# --- the index -------------------------------------------------------------------------------


@dataclass
class _Entry:
    number: int
    key: str
    title: str
    document: str
    fields: Dict[str, Counter] = field(default_factory=dict)
    lengths: Dict[str, int] = field(default_factory=dict)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _measure_fields(measure: Mapping[str, Any], section_title: str = "") -> Dict[str, str]:
    names = [term for pair in alias_pairs(measure) for term in pair]
    details = [measure.get(name) for name in ("beneficiaries", "benefits", "support_forms", "amounts")]
    details.append(section_title)
    return {
        "title": measure["title"],
        "names": " ".join(names),
        "summary": measure.get("summary") or "",
        "text": measure["text"],
        "details": " ".join(_strings(details)),
        "faqs": " ".join(_strings(measure.get("faqs") or [])),
    }


class SearchIndex:
    def __init__(self, documents: Sequence[DocumentData], analyser: str | None = None) -> None:
        self.analyser = analyser or analyser_name()
        config = settings()
        self.weights: Dict[str, float] = {name: float(w) for name, w in config["fields"].items()}
        self.k1, self.b = float(config["k1"]), float(config["b"])
        self.entries: List[_Entry] = []
        for document in documents:
            sections = {s["number"]: s["title"] for s in document.document.get("sections") or []}
            for measure in document.measures:
                entry = _Entry(measure["number"], measure["key"], measure["title"], document.document["key"])
                for name, content in _measure_fields(measure, sections.get(measure.get("section"), "")).items():
                    counts = weighted_tokens(content, self.analyser)
                    entry.fields[name] = counts
                    entry.lengths[name] = sum(counts.values())
                self.entries.append(entry)
        count = max(len(self.entries), 1)
        self.average = {
            name: (sum(entry.lengths.get(name, 0) for entry in self.entries) / count) or 1.0 for name in self.weights
        }
        frequency: Counter = Counter()
        for entry in self.entries:
            frequency.update({word for counter in entry.fields.values() for word in counter})
        # BM25's idf, floored at a small positive value so a word in most measures still counts a little.
        self.idf = {word: max(math.log(1 + (count - n + 0.5) / (n + 0.5)), 0.01) for word, n in frequency.items()}

    def _weighted_tf(self, entry: _Entry, word: str) -> float:
        total = 0.0
        for name, weight in self.weights.items():
            tf = entry.fields.get(name, Counter()).get(word, 0)
            if tf:
                norm = 1 - self.b + self.b * entry.lengths[name] / self.average[name]
                total += weight * tf / norm
        return total

    def search(self, query: str, limit: int = 3) -> List[Hit]:
        words = weighted_tokens(query or "", self.analyser)
        if not words or limit <= 0:
            return []
        hits = []
        for entry in self.entries:
            score, matched = 0.0, []
            for word, query_weight in words.items():
                tf = self._weighted_tf(entry, word)
                if tf:
                    score += query_weight * self.idf.get(word, 0.0) * tf * (self.k1 + 1) / (tf + self.k1)
                    matched.append(word)
            if score > 0:
                hits.append(Hit(entry.number, entry.key, entry.title, round(score, 4), entry.document, tuple(matched)))
        hits.sort(key=lambda hit: (-hit.score, hit.number))
        return hits[:limit]


_indexes: Dict[str, SearchIndex] = {}
_index_lock = threading.Lock()


def index(analyser: str | None = None) -> SearchIndex:
    """The index over the policy data, built once per process (seconds on a busy machine: jieba's
    dictionary and every measure's words). Concurrent first callers wait for the one build."""
    kind = analyser or analyser_name()
    built = _indexes.get(kind)
    if built is None:
        with _index_lock:
            built = _indexes.get(kind)
            if built is None:
                built = _indexes[kind] = SearchIndex(list(read_all()), kind)
    return built


def warm_up_in_background() -> threading.Thread:
    """Build the default index in a daemon thread, so the first unsure question does not wait for it
    (the action server starts this at import, while the Rasa server is still loading its model)."""
    thread = threading.Thread(target=index, name="search-index-warm-up", daemon=True)
    thread.start()
    return thread


def search(query: str, limit: int = 3) -> List[Hit]:
    """The measures that best match ``query``, best first; [] when nothing matches.

    ``score`` is the BM25F score (unbounded, comparable between hits of one query).
    """
    return index().search(query, limit)


def titles() -> Dict[str, str]:
    """Measure key → its title, as a hit carries it (for suggestions that come from elsewhere)."""
    return {entry.key: entry.title for entry in index().entries}
