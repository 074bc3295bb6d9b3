"""Transports: Telegram (PTB's own HTTP layer) and request layers for channels that are not
Telegram (console, Zalo), so the same handlers serve every channel."""
