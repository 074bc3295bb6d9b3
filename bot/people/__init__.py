"""The people: identity (who is talking, invites, linked accounts), the roster import, target
assignments and personal preferences (language, quiet hours, digest day).

Imports: bot.plans, bot.core, storage.
"""
