"""What every feature uses to talk to Discord: the command tree and its error registry,
replies, role checks, the command translator, timestamps and mentions.

Everything else in ``bot`` (settings, database, clock, errors, i18n, services) knows nothing of
Discord.
"""
