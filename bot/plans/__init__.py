"""The plan as data: its schema (pydantic), the YAML loader with file:line problems, the store
(plans in the database, imported side by side, with their own text as passages), the overview
and the deadlines it sets.
`bot.plans.sheets` reads and writes plans as officials' spreadsheets.

Imports: bot.progress (requirements and their wording), bot.core, storage.
"""
