"""``python -m bot.action_server``: the rasa_sdk action server (actions/), closed to everyone but Rasa."""
