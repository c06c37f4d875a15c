"""Channel connectors: the web chat (socket.io) with its staff console; Telegram and WeChat."""
