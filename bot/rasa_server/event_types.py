"""Look up an event's class by its name once, not at every event read.

Rasa 3.6 turns every stored or received event (``{"event": "user", …}``) back into an object with
``Event.resolve_by_type``, which walks the whole ``Event`` class tree and checks each class for
abstract methods, every time: profiling a turn (docs/benchmarks.md) found ~2,400 such walks per turn,
about a sixth of the Rasa server's Python time. ``install()`` remembers the answer per event name.
The classes are all defined when Rasa is imported, so the answer cannot change while the server
runs; an unknown name still goes to Rasa's own lookup (and its error).
"""

from __future__ import annotations

from typing import Any, Dict


def install() -> None:
    """Patch ``Event.resolve_by_type`` in this process (idempotent)."""
    from rasa.shared.core.events import Event

    if getattr(Event.resolve_by_type, "_remembers", False):
        return
    resolve = Event.resolve_by_type
    known: Dict[str, Any] = {}

    def resolve_remembered(type_name: str, default: Any = None) -> Any:
        found = known.get(type_name)
        if found is None:
            found = resolve(type_name, default)
            if found is not None and found is not default:
                known[type_name] = found
        return found

    resolve_remembered._remembers = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_remembered)  # type: ignore[method-assign,assignment]
