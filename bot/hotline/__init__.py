"""The hotline around 转人工: who is on duty (staff presence), the office hours, the status the Rasa
server stamps on every message, the hand-off records of staff actions, and the wait timeout sweep.

No Rasa import at module level except where a module says so (records of staff actions are pure
functions over event dicts); wording comes from the callers (channel texts)."""
