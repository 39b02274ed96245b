"""Lock team changes at the event's team deadline."""
