"""Load benchmark of 皖企政策助手 (``make bench``); not a test: it measures and reports."""
