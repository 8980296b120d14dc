"""The service boundary: a public use case takes plain values and returns typed views, never a
database session, an ORM row or an untyped dict (docs: DESIGN.md, dependency rule)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Session

import docservice.services
from docservice.db.models import Document
from docservice.db.uow import UnitOfWork
from docservice.services.context import Context
from docservice.services.shares import SharedItem

# Public functions still outside the rule, each with the reason; the list only shrinks.
NOT_YET_TYPED: set[str] = set()


def _modules() -> Iterator[types.ModuleType]:
    for info in pkgutil.iter_modules(docservice.services.__path__):
        yield importlib.import_module(f"docservice.services.{info.name}")


def public_functions() -> dict[str, Callable[..., object]]:
    found = {}
    for module in _modules():
        short = module.__name__.rsplit(".", 1)[1]
        for name, value in vars(module).items():
            if (inspect.isfunction(value) and not name.startswith("_")
                    and value.__module__ == module.__name__):
                found[f"{short}.{name}"] = value
    return found


def _is_orm(kind: object) -> bool:
    return inspect.isclass(kind) and issubclass(kind, Session | UnitOfWork | DeclarativeBase)


def problems(kind: object, seen: set[object] | None = None) -> list[str]:
    """What in an annotation leaks through the boundary: a session, an ORM row, an untyped
    dict (also inside unions, containers and the fields of returned dataclasses)."""
    seen = set() if seen is None else seen
    if isinstance(kind, list):  # the parameters of a Callable
        return [problem for each in kind for problem in problems(each, seen)]
    if kind in seen or kind is Context:  # the ports, as bootstrap picked them
        return []
    seen.add(kind)
    if _is_orm(kind):
        return [f"{kind.__name__} (database)"]  # type: ignore[attr-defined]
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind in (dict, Mapping) or (origin in (dict, Mapping) and typing.Any in args[1:]) or \
            (origin in (dict, Mapping) and object in args[1:]):
        return [f"{kind} (untyped dict)"]
    found = [problem for arg in args for problem in problems(arg, seen)]
    if dataclasses.is_dataclass(kind) and inspect.isclass(kind):
        hints = typing.get_type_hints(kind)
        found += [problem for field in dataclasses.fields(kind)
                  for problem in problems(hints[field.name], seen)]
    return found


def leaks(function: Callable[..., object]) -> list[str]:
    hints = typing.get_type_hints(function)
    return [f"{name}: {problem}" for name, kind in hints.items() for problem in problems(kind)]


def test_every_public_service_function_has_a_typed_boundary() -> None:
    functions = public_functions()
    assert len(functions) > 50 and "documents.upload" in functions  # the walk finds them
    found = {name: leaks(function) for name, function in functions.items()
             if name not in NOT_YET_TYPED}
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_the_list_of_exceptions_only_names_functions_that_still_leak() -> None:
    functions = public_functions()
    assert NOT_YET_TYPED - set(functions) == set()  # no stale names
    typed_now = sorted(name for name in NOT_YET_TYPED if not leaks(functions[name]))
    assert typed_now == [], "take these off NOT_YET_TYPED"


def _leaky(session: Session, rows: list[Document]) -> dict[str, Any]:
    raise NotImplementedError


def test_the_check_sees_each_kind_of_leak() -> None:
    assert len(leaks(_leaky)) == 3
    assert problems(SharedItem) == []
    assert problems(Mapping[str, object]) and problems(dict[int, dict[str, Any]])
