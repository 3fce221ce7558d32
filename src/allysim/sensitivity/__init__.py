"""Global sensitivity analysis: which parameters do a model's results hinge on?

``analyse_function`` varies the named parameters of any function over ranges;
``sensitivity_analysis`` varies chosen fields of [`TrustParams`][allysim.abm.TrustParams] and
runs [`TrustModel`][allysim.abm.TrustModel]. Both run the function at every point of one
design and summarise each output with global sensitivity indices computed by SALib (Herman &
Usher 2017, *Journal of Open Source Software* 2(9): 97; Iwanaga, Usher & Herman 2022,
*Socio-Environmental Systems Modelling* 4: 18155):

* ``method="morris"``: elementary effects along random one-at-a-time trajectories (Morris 1991,
  *Technometrics* 33: 161-174), summarised by ``mu_star``, the mean absolute effect
  (Campolongo, Cariboni & Saltelli 2007, *Environmental Modelling & Software* 22: 1509-1518),
  and ``sigma``, their spread (interactions and non-linearity). A screening method: cheap
  (``samples * (k + 1)`` runs for ``k`` parameters), it ranks parameters.
* ``method="sobol"``: first-order and total Sobol' indices, the shares of the output's variance
  due to a parameter alone (``S1``) and with all its interactions (``ST``), estimated from
  Saltelli's design (Saltelli et al. 2010, *Computer Physics Communications* 181: 259-270;
  ``samples * (k + 2)`` runs).

SALib is imported only when an analysis runs (``pip install allysim[sensitivity]``).

Where things live (every public name is importable from ``allysim.sensitivity``):

* ``result``: [`SensitivityResult`][allysim.sensitivity.SensitivityResult], the indices and
  the runs, with ``table``, ``ranking`` and ``plot``;
* ``_design``: the machinery both analyses share: the checks of bounds, method, samples and
  levels, the design and its seeds, the runs (in this process or a pool of workers) and the
  indices computed by SALib;
* ``trust``: [`sensitivity_analysis`][allysim.sensitivity.sensitivity_analysis], the trust
  model's analysis, and its outputs (``HEADLINE_OUTPUTS``);
* ``functions``: [`analyse_function`][allysim.sensitivity.analyse_function], the same
  analysis of any function of named parameters.
"""

from __future__ import annotations

# Names the single module had beside its public ones stay importable from here: the tests drive
# _analyse directly, and code written against the old module may read the others.
from allysim.sensitivity._design import SOBOL_CONF_WARN as SOBOL_CONF_WARN
from allysim.sensitivity._design import _analyse as _analyse
from allysim.sensitivity._design import _round_into as _round_into
from allysim.sensitivity.functions import analyse_function
from allysim.sensitivity.result import SensitivityResult
from allysim.sensitivity.trust import HEADLINE_OUTPUTS, sensitivity_analysis

__all__ = ["HEADLINE_OUTPUTS", "SensitivityResult", "analyse_function", "sensitivity_analysis"]
