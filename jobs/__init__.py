"""Scheduled jobs: one module per job, each exposing ``make_job(settings) -> Job``."""

from __future__ import annotations

import importlib

from bot.settings import Settings
from jobs.base import Job

JOB_MODULES = ("heartbeat", "team_expiry", "team_deadline")


def all_jobs(settings: Settings) -> list[Job]:
    jobs = []
    for name in JOB_MODULES:
        module = importlib.import_module(f"jobs.{name}")
        jobs.append(module.make_job(settings))
    return jobs
