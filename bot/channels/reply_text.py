"""Plain-text rendering shared by the chat channels (Telegram, WeChat).

Rasa's REST-style reply to one user message is a list of dicts: ``{"text": …, "buttons": […]}``
and, for policy answers, ``{"custom": {"answer_card": {…}}}`` (the contract in docs/ARCHITECTURE.md).
Channels without rich cards show the card as a short cited footer: ``依据：第10条｜结论：符合条件``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence, Tuple

from knowledge.card import VERDICT_LABELS

# Where a long text may be cut, best first: paragraph, line, sentence end, clause, anywhere.
_BREAKS = ("\n\n", "\n", "。", "！", "？", "；", "，", "、", " ")
_CITATION_SEPARATOR = "、"
FOOTER_MARK = "📄 "


def answer_card_of(message: Dict[str, Any]) -> Dict[str, Any] | None:
    custom = message.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("answer_card"), dict):
        return custom["answer_card"]
    return None


def card_footer(card: Dict[str, Any]) -> str | None:
    """``📄 依据：第10条、第13条｜结论：符合条件``; ``None`` when the card cites nothing and has no verdict."""
    parts: List[str] = []
    citations = [n for n in card.get("citations") or [] if isinstance(n, int)]
    if citations:
        parts.append("依据：" + _CITATION_SEPARATOR.join(f"第{n}条" for n in citations))
    verdict = VERDICT_LABELS.get(card.get("verdict") or "")
    if verdict:
        parts.append(f"结论：{verdict}")
    return FOOTER_MARK + "｜".join(parts) if parts else None


def without_cards(messages: Sequence[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], List[str]]:
    """The messages of a turn that are not answer cards, and the cards' footers (each once, in order)."""
    others: List[Dict[str, Any]] = []
    footers: List[str] = []
    for message in messages:
        card = answer_card_of(message)
        if card is None:
            others.append(message)
            continue
        footer = card_footer(card)
        if footer and footer not in footers:
            footers.append(footer)
    return others, footers


def buttons_of(message: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The buttons of a message that a user can press (those with a payload)."""
    return [b for b in message.get("buttons") or [] if isinstance(b, dict) and b.get("payload")]


def numbered_choices(buttons: Sequence[Dict[str, Any]], hint: str) -> str:
    """Buttons as choices a user answers by typing the number: ``<hint>\\n1. 信用\\n2. 抵押``."""
    lines = [hint]
    lines += [f"{index}. {button.get('title') or button.get('payload')}" for index, button in enumerate(buttons, 1)]
    return "\n".join(lines)


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_size(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, size: Callable[[str], int] = len) -> List[str]:
    """Cut ``text`` into pieces whose ``size`` is at most ``limit``, at the most natural break.

    Breaks are tried from paragraph to clause; a piece with no break at all is cut hard.
    Every character is kept and the pieces are in order (``"".join`` of them, with the
    whitespace at cuts stripped, is the text).
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    pieces: List[str] = []
    rest = text.strip()
    while rest:
        if size(rest) <= limit:
            pieces.append(rest)
            break
        cut = _longest_prefix(rest, limit, size)
        head = rest[:cut]
        for separator in _BREAKS:
            position = head.rfind(separator)
            # A break in the first fifth would leave a stub; cut later instead.
            if position > len(head) // 5:
                cut = position + len(separator)
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [piece for piece in pieces if piece]


def _longest_prefix(text: str, limit: int, size: Callable[[str], int]) -> int:
    """Length of the longest prefix of ``text`` whose size fits ``limit`` (at least 1 character)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if size(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
