"""Registration: `/verify`, the welcome message's Verify button, `/profile`, and the organizer
commands `/admin verify`, `/admin unverify` and `/admin registrations`."""
