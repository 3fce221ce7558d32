"""Every public object has a numpydoc docstring that the API reference renders correctly.

mkdocstrings reads ``name : type`` followed by an indented description. A docstring written
``name : description`` shows the description as the type, and grouped entries (``a, b : float``)
are shown with the wrong defaults; both are caught here, one test per object so a failure names
it. Checked numpydoc codes:

* GL08 the object has a docstring;
* PR01 every parameter of the signature is documented, PR02 no documented parameter is unknown;
* PR04 every parameter has a type, PR07 and a description (a ``name : description`` line has
  its description parsed as the type and none below it, so PR07 catches it);
* PR10 the colon has a space on each side;
* RT01 a function that returns something has a Returns section;
* EX01 there is an Examples section (exceptions and warnings are exempt);

(PR01 and PR02 are not applied to enums, whose signature is the metaclass's.)

and, beyond numpydoc: GROUPED one name per entry, DEFAULT a ``default X`` in the type matches
the signature's default.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

# Every public subpackage and module of allysim, found rather than listed, so a new one is
# checked from its first commit.
MODULES = sorted(
    f"allysim.{info.name}"
    for info in pkgutil.iter_modules(importlib.import_module("allysim").__path__)
    if not info.name.startswith("_")
)
CODES = {"GL08", "PR01", "PR02", "PR04", "PR07", "PR10", "RT01", "EX01"}


def _public_names(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", "") == module.__name__
        ]
    return list(names)


def _objects() -> list[tuple[str, str]]:
    """(module, dotted name inside the module) of every public function, class and method."""
    out = []
    for modname in MODULES:
        module = importlib.import_module(modname)
        for name in _public_names(module):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # constants and strategy instances have no signature to check
            if not getattr(obj, "__module__", "").startswith("allysim"):
                continue
            out.append((modname, name))
            if inspect.isclass(obj) and not issubclass(obj, enum.Enum | BaseException):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, staticmethod | classmethod):
                        member = member.__func__
                    if inspect.isfunction(member):
                        out.append((modname, f"{name}.{attr}"))
    return out


OBJECTS = _objects()


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


@pytest.mark.parametrize(("modname", "dotted"), OBJECTS, ids=[f"{m}.{d}" for m, d in OBJECTS])
def test_numpydoc(modname, dotted):
    errors = _errors(modname, dotted)
    assert not errors, f"{modname}.{dotted}:\n  " + "\n  ".join(errors)


def test_every_module_is_covered():
    # A new public module must be added to MODULES; a module with nothing public is a mistake.
    per_module = {m: sum(1 for mod, _ in OBJECTS if mod == m) for m in MODULES}
    assert all(n > 0 for n in per_module.values()), per_module


def test_checker_catches_the_old_forms():
    """The two defects this file exists for are reported, so the test above can fail."""

    def old_style(a: float, b: float = 2.0, c: int = 1) -> float:
        """Add.

        Parameters
        ----------
        a, b : numbers to add.
        c : int, default 3
            Scale.

        Returns
        -------
        float
            The sum.

        Examples
        --------
        >>> old_style(1, 2)
        3
        """
        return (a + b) * c

    import sys
    import types

    mod = types.ModuleType("_allysim_docstring_probe")
    mod.old_style = old_style
    old_style.__module__ = mod.__name__
    sys.modules[mod.__name__] = mod
    try:
        errors = _errors(mod.__name__, "old_style")
    finally:
        del sys.modules[mod.__name__]
    joined = "\n".join(errors)
    assert "PR07" in joined  # "a, b : numbers to add." has its description parsed as a type
    assert "GROUPED" in joined
    assert "DEFAULT: c says default '3'" in joined
