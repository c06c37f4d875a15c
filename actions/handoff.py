"""转人工: hand the conversation to hotline staff when somebody can take it, else offer the hotline and a call-back.

Whether somebody can take it (a staff member's console is open, and it is within the office hours)
is not the caller's to say: the Rasa server stamps it on every incoming message's metadata
(``knowledge.hotline.HOTLINE_METADATA_KEY``, bot/hotline/stamp.py), replacing anything a caller
sent under that key. Without a stamp (another server, ``rasa shell``) nobody is assumed on duty:
nobody waits in silence.

- Somebody on duty: the bot pauses (ConversationPaused); staff reply from the console
  (bot/channels/webchat/console.py) and hand back (ConversationResumed), or the server hands back
  itself after HANDOFF_WAIT_MINUTES without a reply (bot/hotline/wait_sweep.py).
- Nobody: 12345 and a 「留言等回电」 button (the callback form, actions/callback.py); the bot keeps answering.

Either way a ``handoff`` record (knowledge/hotline.py) notes the request, its channel and measure.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AgentUttered, ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import intent_confidence, send_response
from knowledge import hotline
from knowledge.card import AnswerCard

RESPONSES = {
    hotline.MODE_STAFF: "utter_handoff",
    hotline.MODE_NO_STAFF: "utter_handoff_no_staff",
    hotline.MODE_OFF_HOURS: "utter_handoff_off_hours",
}


def hotline_status(tracker: Tracker) -> Dict[str, Any] | None:
    """What the Rasa server stamped on the latest user message, if anything."""
    metadata = tracker.latest_message.get("metadata")
    if not isinstance(metadata, dict):
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                metadata = event.get("metadata")
                break
    status = metadata.get(hotline.HOTLINE_METADATA_KEY) if isinstance(metadata, dict) else None
    return status if isinstance(status, dict) else None


def request_record(tracker: Tracker, mode: str) -> hotline.HandoffRecord:
    return hotline.HandoffRecord(
        stage=hotline.REQUESTED,
        mode=mode,
        channel=tracker.get_latest_input_channel() or "rest",
        measure=tracker.get_slot("current_measure"),
    )


class ActionHandoffToStaff(Action):
    def name(self) -> str:
        return "action_handoff_to_staff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        status = hotline_status(tracker)
        mode = hotline.handoff_mode(status)
        card = AnswerCard(kind="handoff", confidence=intent_confidence(tracker), handoff=mode)
        send_response(dispatcher, RESPONSES[mode], card, hotline_hours=(status or {}).get("hours") or "")
        record = AgentUttered(data=hotline.handoff_data(request_record(tracker, mode)))
        # A form the user was in is over: after staff hand back (or now), the bot starts fresh.
        if mode == hotline.MODE_STAFF:
            return [ActiveLoop(None), record, ConversationPaused()]
        return [ActiveLoop(None), record]
