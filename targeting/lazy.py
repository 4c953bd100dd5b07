"""Public faces that resolve on first use (PEP 562): every command imports a package, few need all of it."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_face(package: str, exports: dict[str, str]) -> tuple[list[str], Callable[[str], object]]:
    """`__all__` and a module `__getattr__` that imports each name's module only when it is used.

    Args:
        package: the package's `__name__`, for the error message.
        exports: public name -> the module that defines it.
    """

    def __getattr__(name: str) -> object:
        if name in exports:
            return getattr(import_module(exports[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return sorted(exports), __getattr__
