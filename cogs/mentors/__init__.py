"""Mentoring: profiles, bookable slots and the help queue (`/mentor`)."""
