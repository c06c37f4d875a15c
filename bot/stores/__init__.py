"""Where conversations and locks are kept: tracker store, lock store, and the endpoints file Rasa reads."""
