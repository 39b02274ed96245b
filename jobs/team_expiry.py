"""Expire invitations and join requests that were not answered in time."""
