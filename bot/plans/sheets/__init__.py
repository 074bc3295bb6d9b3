"""Plans as spreadsheets: the reader (officials' headings, merged cells, values in text), the
layout and the words it knows, the workbook writer and the import/export service.

Imports: bot.plans, bot.progress, bot.core, storage.
"""
