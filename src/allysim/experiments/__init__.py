"""Reproducible parameter sweeps on any executor, with results that survive interruption.

A study of incentive mechanisms is a sweep: mechanism parameters x strategy sets x seeds.
[`sweep`][allysim.experiments.sweep] runs ``function(**params, seed=...)`` for every cell of a
grid times ``replicates`` and returns a tidy DataFrame. The seed of (cell i, replicate r) is
derived from one root ``numpy.random.SeedSequence`` by position, ``SeedSequence(root.entropy,
spawn_key=root.spawn_key + (i, r))``, so results are identical whichever executor runs them and
however many workers it has, and any cell can be rerun alone.

Executors: none (in-process), any ``concurrent.futures.Executor``, or a ``dask.distributed``
``Client`` (through its ``get_executor()``), so a sweep that outgrows one machine runs
unchanged on a cluster.

When to use which: ``mesa.batch_run`` runs a Mesa model over a grid and collects its
DataCollector tables; [`sweep`][allysim.experiments.sweep] runs any function (a trust-model
run, a mechanism comparison, a kernel call), gives every cell an independent, positional seed,
resumes from a store, and records failures without losing the other cells.

Modules: ``grid`` (the cells of a grid and their seeds), ``runner`` (``sweep`` itself),
``store`` (the resumable folder of results) and ``cells`` (ready-made cell functions). Every
public name is importable from ``allysim.experiments``.
"""

from __future__ import annotations

from allysim.experiments.cells import match_cell
from allysim.experiments.grid import cell_seed, expand_grid
from allysim.experiments.runner import LOCAL_DASK_CONFIG, SweepWarning, sweep

__all__ = ["LOCAL_DASK_CONFIG", "SweepWarning", "cell_seed", "expand_grid", "match_cell", "sweep"]
