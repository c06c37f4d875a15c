"""rasa_sdk actions: thin adapters from a Tracker to knowledge/ and back to messages."""
