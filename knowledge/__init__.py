"""The policy domain of 皖企政策助手: data, storage, queries and answers.

Nothing in this package imports Rasa, ``actions`` or ``bot``: it can be used and tested from a
plain Python shell (``python -m knowledge show 13``).
"""
