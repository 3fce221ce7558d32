"""Doctest collection of the package: modules that need an optional compiler are skipped
when it is missing (they are imported lazily by the library, never at ``import allysim``)."""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("numba") is None:
    collect_ignore_glob += ["allysim/*/_compiled_numba.py", "allysim/*/_compiled_population.py"]
