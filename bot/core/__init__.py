"""What every feature builds on: the one clock, settings, logs, the message catalogue and its
locales, number/date formatting, Vietnamese text folding and message splitting, `Reply`, the role
matrix (access), the state store, the file error every feature shares, the xlsx table writer and
`Services` (the dependencies a handler gets).

Imports: storage only — never a feature package, handlers or telegram.
"""
