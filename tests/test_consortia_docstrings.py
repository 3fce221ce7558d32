"""Every public object of allysim.consortia passes the numpydoc checks of test_docstrings.

tests/test_docstrings.py lists its modules by hand; until allysim.consortia is added there,
this file applies the same checks (a copy of its checker, since importing that module imports
every other package as well) to it.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import re

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")
CODES = {"GL08", "PR01", "PR02", "PR04", "PR07", "PR10", "RT01", "EX01"}


def _resolve(modname: str, dotted: str):
    obj = importlib.import_module(modname)
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _signature_defaults(obj) -> dict[str, object]:
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return {}
    return {
        n: p.default for n, p in sig.parameters.items() if p.default is not inspect.Parameter.empty
    }


def _norm(text: str) -> str:
    return re.sub(r"[\s'\"`]", "", text).rstrip(".,")


def _extra_errors(obj, result: dict) -> list[str]:
    """GROUPED and DEFAULT, read from numpydoc's parse of the Parameters section."""
    errors = []
    try:
        params = numpydoc_validate.get_doc_object(obj)["Parameters"]
    except Exception as exc:  # a docstring numpydoc cannot parse is reported, not skipped
        return [f"PARSE: {exc}"]
    defaults = _signature_defaults(obj)
    for p in params:
        if "," in p.name:
            errors.append(f"GROUPED: parameters {p.name!r} share one entry; give each its own")
        m = re.search(r"default[:=]?\s+(.+)$", p.type)
        name = p.name.lstrip("*")
        if m and name in defaults:
            stated, actual = _norm(m.group(1)), defaults[name]
            if stated not in {_norm(repr(actual)), _norm(str(actual))}:
                errors.append(
                    f"DEFAULT: {name} says default {m.group(1)!r}, the signature has {actual!r}"
                )
    return errors


def _errors(modname: str, dotted: str) -> list[str]:
    obj = _resolve(modname, dotted)
    result = numpydoc_validate.validate(f"{modname}.{dotted}")
    codes = set(CODES)
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        codes.discard("EX01")
    if inspect.isclass(obj) and issubclass(obj, enum.Enum):
        # numpydoc reads the signature of Enum's metaclass call (value, names, module, ...);
        # an enum's members are its Attributes, not parameters.
        codes -= {"PR01", "PR02"}
    found = [f"{code}: {msg}" for code, msg in result["errors"] if code in codes]
    if result["docstring"]:
        found += _extra_errors(obj, result)
    return found


MODULE = "allysim.consortia"


def _objects() -> list[str]:
    module = importlib.import_module(MODULE)
    out = []
    for name in module.__all__:
        obj = getattr(module, name)
        out.append(name)
        if inspect.isclass(obj) and not issubclass(obj, enum.Enum | BaseException):
            for cls in inspect.getmro(obj):
                if not cls.__module__.startswith(MODULE):
                    continue
                for attr, member in vars(cls).items():
                    if not attr.startswith("_") and inspect.isfunction(member):
                        out.append(f"{name}.{attr}")
    return sorted(set(out))


OBJECTS = _objects()


def test_all_public_names_are_checked():
    assert len(OBJECTS) >= 30


@pytest.mark.parametrize("dotted", OBJECTS)
def test_numpydoc(dotted):
    errors = _errors(MODULE, dotted)
    assert not errors, f"{MODULE}.{dotted}:\n  " + "\n  ".join(errors)
