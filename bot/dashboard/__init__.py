"""The leadership dashboard's data and its keys: what the page at /app/ shows for one person,
and who that person is.

- `view`: everything the page shows for an actor (their scope by role), gathered from the same
  functions /status and the digest read (`bot.answers.figures`, `bot.answers.status`,
  `bot.notify`), never a computation of its own.
- `keys`: Telegram Mini App `initData` validation, signed one-time links and session cookies.

Imports: bot.answers, bot.notify and everything below them; never `telegram`, handlers or
bot.channels (the web routes that render this live in bot.channels.dashboard).
"""
