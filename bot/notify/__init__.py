"""What the bot says first: nudges and escalations, recurring-report submissions, working days,
the reminders' wording, the weekly digest, the notification log, and the scheduler that decides
what is due now. Nothing here sends: bot.channels.delivery does.

Imports: bot.paperwork (charts), bot.reporting, bot.progress, bot.people, bot.plans, bot.core,
storage.
"""
