"""Telegram: a bridge process (python-telegram-bot) that forwards to the Rasa REST channel."""
