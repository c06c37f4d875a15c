"""Event classes looked up once per name (bot/rasa_server/event_types.py): the same classes as Rasa's own
lookup for every event name, and an unknown name still refused the way Rasa refuses it."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import Event, SlotSet, UserUttered, deserialise_events
from rasa.shared.utils.common import all_subclasses

from bot.rasa_server import event_types


def test_every_event_name_resolves_to_rasas_class_and_unknown_names_are_refused() -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    expected = {name: Event.resolve_by_type(name) for name in names}
    event_types.install()
    event_types.install()  # idempotent
    assert Event.resolve_by_type._remembers  # type: ignore[attr-defined]
    for _ in range(2):  # the second round comes from what was remembered
        assert {name: Event.resolve_by_type(name) for name in names} == expected
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=Event) is Event
    stored = [UserUttered("你好", intent={"name": "greet"}), SlotSet("current_measure", "huishang_service_card")]
    assert deserialise_events([event.as_dict() for event in stored]) == stored
