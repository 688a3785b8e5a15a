"""kg/errors.py draws the whole exception tree: every KgError of the package, under its parent."""

from __future__ import annotations

import importlib
import pkgutil

import kg
from kg import errors


def _every_module() -> None:
    for found in pkgutil.walk_packages(kg.__path__, "kg."):
        if not found.name.endswith("__main__"):
            importlib.import_module(found.name)


def _subclasses(cls: type) -> set[type]:
    direct = set(cls.__subclasses__())
    return direct.union(*(_subclasses(c) for c in direct))


def test_the_tree_in_the_docstring_names_every_error() -> None:
    _every_module()
    found = {c for c in _subclasses(errors.KgError) if c.__module__.startswith("kg")}
    doc = errors.__doc__ or ""
    assert {c.__name__ for c in found} == {
        "InputError",
        "ModelError",
        "OutputError",
        "QueryError",
        "ValidationInputError",
    }
    for cls in found:
        assert cls.__module__ == "kg.errors", f"{cls.__name__} belongs in kg/errors.py"
        line = next(line for line in doc.splitlines() if f" {cls.__name__} " in line)
        assert "├──" in line or "└──" in line, line
        assert cls.__bases__ == (errors.KgError,), cls
    for cls in found:
        assert getattr(kg, cls.__name__) is cls  # the front door offers each
