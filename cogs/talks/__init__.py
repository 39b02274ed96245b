"""Talks: the programme and reminders (`/talks`), and `/admin calendar-sync` for organizers."""
