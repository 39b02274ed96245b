"""Scheduled jobs: one module per job, ``jobs/<feature>_<what>.py``, each exposing
``make_job(settings) -> Job``. They are found by walking this package: no list to keep."""

from __future__ import annotations

import importlib

from bot.discovery import walk_modules
from bot.settings import Settings
from jobs.base import Job


def job_modules() -> list[str]:
    """Every module of this package that defines ``make_job``, in name order."""
    import jobs

    return walk_modules(jobs, "make_job")


def all_jobs(settings: Settings) -> list[Job]:
    return [importlib.import_module(name).make_job(settings) for name in job_modules()]
