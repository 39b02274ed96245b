"""Benchmarks for hackbot: ``make bench`` (``python -m benchmarks``) writes docs/benchmarks.md.

Every benchmark runs a bounded loop on loopback: the sandbox (the real bot against the local
Discord), the teams service on SQLite and PostgreSQL, the bot's memory, and ``hackbot demo``.
"""
