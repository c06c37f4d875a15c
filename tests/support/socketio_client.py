"""The socket.io client is tools/socketio_client.py (the benchmark uses it too); this name stays for
tests written before it moved."""

from tools.socketio_client import SocketIOClient, converse, new_session, until_card  # noqa: F401
