"""`make report`: what users asked, what the bot missed, from the tracker store."""
