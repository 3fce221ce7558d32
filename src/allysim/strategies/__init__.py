"""Partnering strategies as plain data: memory-one vectors and finite-state (Moore) machines.

Moves are coded ``C = 0`` (contribute) and ``D = 1`` (withhold); an outcome seen from a player's
own side is ``2 * my_move + their_move``, so outcomes are ordered CC, CD, DC, DD.

* A [`MemoryOne`][allysim.strategies.MemoryOne] strategy is ``p = (p_CC, p_CD, p_DC, p_DD)``,
  the probability to contribute after each outcome of the last round, plus ``p0`` for the first
  round.
* A [`FiniteStateStrategy`][allysim.strategies.FiniteStateStrategy] has ``output[state]``
  (probability to contribute in that state),
  ``next_state[state][my_move][their_move]`` (the state after a round, from the move it made
  and the move it saw) and an ``initial`` state. Memory-one strategies convert to it exactly.

Because strategies are arrays, a population of thousands is a single ``(n, 5)`` array (see
[`memory_one_array`][allysim.strategies.memory_one_array]) that the kernels process at once.

The package is split by content: ``memory_one`` (``MemoryOne``, ``memory_one_array``,
``deterministic_memory_one``), ``finite_state`` (``FiniteStateStrategy``), ``tables``
(``machine_tables``), ``zd`` (the zero-determinant family of Press & Dyson), ``zoo`` (the named
strategies, ``CLASSIC`` and the factories ``gtft`` and ``random_strategy``), ``names``
(``named``) and ``alike`` (``plays_alike``: do two strategies play alike after every
history?). Every name is importable from ``allysim.strategies``.
"""

from __future__ import annotations

from allysim.strategies.alike import plays_alike
from allysim.strategies.axelrod1980 import (
    FIRST_TOURNAMENT,
    FIRST_TOURNAMENT_SCORES,
    TESTER,
    axelrod_tester,
    first_tournament,
    machine_from_rules,
)
from allysim.strategies.finite_state import FiniteStateStrategy
from allysim.strategies.memory_n import (
    AON2,
    DELAYED_AON1,
    TF2T_MEMORY_TWO,
    MemoryN,
    deterministic_memory_two,
    from_axelrod_vector,
    memory_n_array,
    reactive,
    reactive_payoffs,
)
from allysim.strategies.memory_one import (
    MemoryOne,
    Strategy,
    deterministic_memory_one,
    memory_one_array,
)
from allysim.strategies.names import named
from allysim.strategies.partners_rivals import is_partner, is_rival, partner_rival_class
from allysim.strategies.tables import machine_tables
from allysim.strategies.zd import (
    extortionate,
    generous,
    zd_min_continuation,
    zd_phi_range,
    zero_determinant,
)
from allysim.strategies.zoo import (
    ALLC,
    ALLD,
    ALTERNATOR,
    CLASSIC,
    GRIM,
    GTFT,
    RANDOM,
    STFT,
    TF2T,
    TFT,
    WSLS,
    gtft,
    random_strategy,
)

__all__ = [
    "ALLC",
    "ALLD",
    "ALTERNATOR",
    "AON2",
    "CLASSIC",
    "DELAYED_AON1",
    "FIRST_TOURNAMENT",
    "FIRST_TOURNAMENT_SCORES",
    "GRIM",
    "GTFT",
    "RANDOM",
    "STFT",
    "TESTER",
    "TF2T",
    "TF2T_MEMORY_TWO",
    "TFT",
    "WSLS",
    "FiniteStateStrategy",
    "MemoryN",
    "MemoryOne",
    "Strategy",
    "axelrod_tester",
    "deterministic_memory_one",
    "deterministic_memory_two",
    "extortionate",
    "first_tournament",
    "from_axelrod_vector",
    "generous",
    "gtft",
    "is_partner",
    "is_rival",
    "machine_from_rules",
    "machine_tables",
    "memory_n_array",
    "memory_one_array",
    "named",
    "partner_rival_class",
    "plays_alike",
    "random_strategy",
    "reactive",
    "reactive_payoffs",
    "zd_min_continuation",
    "zd_phi_range",
    "zero_determinant",
]
