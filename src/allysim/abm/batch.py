"""Seeded, reproducible batches of trust-model runs through ``mesa.batch_run``."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from allysim._validation import SeedLike, as_seed_sequence, check_int, resolve_seed
from allysim.abm.model import TrustModel
from allysim.abm.params import TrustParams, _plain
from allysim.mechanisms import Mechanism

__all__ = ["batch_run"]

# perception_error: the deprecated alias TrustModel still accepts (with a warning).
_NAMES = frozenset(f.name for f in dataclasses.fields(TrustParams)) | {"perception_error"}
# Fields whose one value is itself a sequence (strategies, stage_thresholds, ...): a list given
# for one of them is swept like any other, so one run's sequence has to be wrapped in a list.
_SEQUENCE_FIELDS = frozenset(
    f.name for f in dataclasses.fields(TrustParams) if "Sequence[" in str(f.type)
)


def _one_value_of(name: str, element: Any) -> bool:
    """Whether ``element`` can be one run's value of the sequence-valued field ``name``."""
    if isinstance(element, list | tuple | np.ndarray) or element is None:
        return True
    # TrustParams takes a lone mechanism as the one-element sequence.
    return name == "mechanisms" and isinstance(element, Mechanism)


def _check_sweep(name: str, value: Any) -> Any:
    """``value`` as Mesa should get it: a list to sweep, or one value wrapped in a list."""
    fix = (
        f"batch_run sweeps lists and tuples (each element is one run's value); to run one "
        f"{name} sequence, wrap it: {{{name!r}: [{value!r}]}}"
    )
    if isinstance(value, list | tuple):
        if not value:
            if name in _SEQUENCE_FIELDS:
                raise ValueError(f"parameters[{name!r}] is an empty sweep; {fix}")
            raise ValueError(
                f"parameters[{name!r}] is an empty sweep; batch_run sweeps lists and tuples, "
                "give at least one value"
            )
        if name in _SEQUENCE_FIELDS:
            flat = [e for e in value if not _one_value_of(name, e)]
            if flat:
                raise TypeError(
                    f"parameters[{name!r}] = {value!r} would run {flat[0]!r} as one run's "
                    f"{name}, which takes a sequence; {fix}, or give a list of sequences to "
                    "sweep several"
                )
        return list(value)
    if isinstance(value, np.ndarray) and name in _SEQUENCE_FIELDS:
        raise TypeError(
            f"parameters[{name!r}] is an array, which Mesa would sweep element by element; {fix}"
        )
    if isinstance(value, np.ndarray | range):
        # Mesa sweeps any iterable; as a list of plain numbers the sweep is also recorded as one
        # (frame.attrs, which to_xarray reads for its dimensions).
        if isinstance(value, np.ndarray) and value.ndim != 1:
            raise TypeError(
                f"parameters[{name!r}] is an array of shape {value.shape}; give a list (or a "
                "1-d array) of the values to sweep"
            )
        if len(value) == 0:
            raise ValueError(f"parameters[{name!r}] is an empty sweep; give at least one value")
        return np.asarray(value).tolist()
    if isinstance(value, nx.Graph):
        # Mesa sweeps any iterable, and a graph iterates over its nodes.
        return [value]
    return value


def batch_run(
    parameters: dict[str, Any],
    *,
    replicates: int = 1,
    seed: SeedLike = 0,
    rng: SeedLike = None,
    max_steps: int = 100,
    data_collection_period: int = -1,
    number_processes: int | None = 1,
    display_progress: bool = True,
) -> pd.DataFrame:
    """Seeded, reproducible ``mesa.batch_run`` of :class:`TrustModel` on Mesa 3.3 and 3.5.

    Each replicate gets its own seed from ``SeedSequence(seed)``. Mesa 3.5 takes them as its
    ``rng`` argument (and overwrites a seed given in ``parameters``); Mesa 3.3 has no such
    argument and gives every iteration the same keywords, so there the seeds go in as a
    parameter. On both, the row reported for each run is the model's state after ``max_steps``
    steps (column ``Step``; Mesa 3.3 runs one more step that it does not report).

    Parameters
    ----------
    parameters : dict
        Fields of :class:`~allysim.abm.TrustParams` (the :class:`TrustModel` keywords). A list
        or tuple value is swept: each element is one run's value, and every combination of the
        swept values is run. A field whose value is itself a sequence (``strategies``,
        ``initial_shares``, ``initial_strategies``, ``mechanisms``, ``stage_thresholds``,
        ``stake_levels``, ``countries``, ``country_weights``) is therefore given as a list of
        sequences: ``{"strategies": [["TFT", "ALLD"]]}`` runs that one set,
        ``{"mechanisms": [[], [Sanction(3, 0.8)]]}`` sweeps two; a flat sequence there is
        refused. Not ``seed`` or ``rng``.

        **A list of mechanisms is a sweep, not a combination:**
        ``{"mechanisms": [ShadowOfFuture(0.5), Sanction(3, 0.8)]}`` runs two scenarios,
        one mechanism each; both together in one scenario is
        ``{"mechanisms": [[ShadowOfFuture(0.5), Sanction(3, 0.8)]]}`` (see Examples).
    replicates : int
        Runs per parameter combination, each with its own seed, >= 1. Default 1.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Root seed from which the replicates' seeds are spawned. Default 0.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    max_steps : int
        Steps per run, >= 1. Default 100.
    data_collection_period : int
        Steps between reported rows; -1 reports the last step only. Default -1.
    number_processes : int or None
        Worker processes for Mesa (None: all cores). Default 1. Importing Mesa sets
        multiprocessing's start method to "spawn" for the whole process, so a script that runs
        more than one process must start them under ``if __name__ == "__main__":``.
    display_progress : bool
        Show Mesa's progress bar (on stderr). Default True.

    Returns
    -------
    pandas.DataFrame
        One row per run (and reported step): the parameters, the model reporters, ``seed`` and
        a ``replicate`` column numbering the replicates from 0.

    Raises
    ------
    TypeError
        If ``parameters`` is not a dict, names an unknown field, or gives a flat sequence for a
        sequence-valued field (wrap it in a list).
    ValueError
        If ``parameters`` holds ``seed`` or ``rng`` or an empty list, or an option is out of
        range.

    Examples
    --------
    >>> df = batch_run({"n_organizations": 20, "continuation": [0.5, 0.95]}, replicates=2,
    ...                max_steps=5, display_progress=False)
    >>> sorted(df["replicate"].unique().tolist()), len(df)
    ([0, 1], 4)
    >>> one = batch_run({"n_organizations": 20, "strategies": [["TFT", "ALLD"]]}, max_steps=2,
    ...                 display_progress=False)
    >>> one["strategies"].tolist()
    [['TFT', 'ALLD']]

    Two mechanisms in a list are two scenarios; in a list of their own, one scenario:

    >>> from allysim.mechanisms import Sanction, ShadowOfFuture
    >>> pair = [ShadowOfFuture(0.5), Sanction(3, 0.8)]
    >>> quiet = {"max_steps": 1, "display_progress": False}
    >>> len(batch_run({"n_organizations": 10, "mechanisms": pair}, **quiet))
    2
    >>> len(batch_run({"n_organizations": 10, "mechanisms": [pair]}, **quiet))
    1
    """
    seed = resolve_seed(seed, rng, seed_default=0)
    if not isinstance(parameters, dict):
        raise TypeError(
            f"parameters must be a dict of TrustModel keywords, got {type(parameters).__name__}"
        )
    if "seed" in parameters or "rng" in parameters:
        raise ValueError("give the root seed as seed=..., not in parameters")
    unknown = sorted(map(str, set(parameters) - _NAMES))
    if unknown:
        raise TypeError(
            f"parameters has unknown trust model parameter(s) {', '.join(unknown)}; "
            "the parameters are the fields of TrustParams"
        )
    replicates = check_int(replicates, "replicates", minimum=1)
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    data_collection_period = check_int(data_collection_period, "data_collection_period")
    if data_collection_period == 0 or data_collection_period < -1:
        raise ValueError(
            "data_collection_period must be -1 (the last step only) or an integer >= 1, got "
            f"{data_collection_period}"
        )
    if number_processes is not None:
        number_processes = check_int(number_processes, "number_processes", minimum=1)
    if not isinstance(display_progress, bool):
        raise TypeError(f"display_progress must be a bool, got {type(display_progress).__name__}")
    swept = {k: _check_sweep(k, v) for k, v in parameters.items()}
    children = as_seed_sequence(seed, "seed").spawn(replicates)
    seeds = [int(c.generate_state(1, np.uint32)[0]) for c in children]
    options = {
        "data_collection_period": data_collection_period,
        "number_processes": number_processes,
        "display_progress": display_progress,
    }
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.4
        rows = mesa.batch_run(
            TrustModel, parameters=swept, rng=seeds, max_steps=max_steps, **options
        )
    else:
        rows = mesa.batch_run(
            TrustModel,
            parameters={**swept, "seed": seeds},
            iterations=1,
            max_steps=max_steps,
            **options,
        )
    frame = pd.DataFrame(rows)
    frame["replicate"] = frame["seed"].map({s: i for i, s in enumerate(seeds)})
    sort = [c for c in ("replicate", "RunId", "Step") if c in frame.columns]
    frame = frame.sort_values(sort, kind="stable").reset_index(drop=True)
    frame.attrs["batch"] = {
        "parameters": {
            k: _plain(swept[k] if isinstance(v, np.ndarray | range) else v)
            for k, v in parameters.items()
        },
        "replicates": replicates,
        "seeds": seeds,
        "max_steps": max_steps,
    }
    return frame
