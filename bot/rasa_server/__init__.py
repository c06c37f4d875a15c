"""The Rasa server process: ``python -m bot.rasa_server`` is ``rasa run`` plus this project's guarded
patches of Rasa."""
