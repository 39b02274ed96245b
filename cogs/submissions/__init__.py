"""Submissions: `/submit`, `/submission status`, `/admin submissions` and `/admin reverify`."""
