"""Documents for the office: report periods, the quarterly CCHC report (Word), the progress
workbook (Excel), the evidence pack (ZIP), charts, and plans imported from or exported to
officials' spreadsheets (plan_sheets).

Imports: bot.reporting, bot.people, bot.progress, bot.plans, bot.core, storage.
"""
