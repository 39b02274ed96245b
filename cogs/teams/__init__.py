"""Teams: forming teams (`/team`), organizer tools (`/teamadmin`), looking-for-team (`/lft`)."""
