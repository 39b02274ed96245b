"""Bot administration (`/admin`)."""
