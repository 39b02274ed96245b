"""Finding entry points by walking their package (as pydis_core's ``walk_extensions`` does):
a new cog or job is a new module, never an entry in a list."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType


def walk_modules(package: ModuleType, attribute: str) -> list[str]:
    """Names of the modules under ``package`` (recursively, private ones skipped) that define
    the function ``attribute``, sorted."""
    found = []
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if any(part.startswith("_") for part in module.name.split(".")):
            continue
        if module.ispkg:
            continue
        imported = importlib.import_module(module.name)
        if inspect.isfunction(getattr(imported, attribute, None)):
            found.append(module.name)
    return sorted(found)
