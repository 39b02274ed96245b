"""`/announce`: organizers broadcast to the right people, now or later, and know who got it."""
