"""Entry points and everything channel-side of 皖企政策助手 (docs/ARCHITECTURE.md)."""
