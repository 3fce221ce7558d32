"""Interoperability with other game-theory libraries.

* ``allysim.interop.axelrod``: Axelrod-Python players as allysim strategies
  ([`from_axelrod`][allysim.interop.from_axelrod]) and allysim strategies as Axelrod-Python
  players ([`to_axelrod`][allysim.interop.to_axelrod]), so each library's strategies enter the
  other's tournaments. Axelrod-Python is optional (the ``bench`` extra) and imported only when
  a function needs it.
* nashpy games convert both ways with
  [`StageGame.from_nashpy`][allysim.games.StageGame.from_nashpy] and
  [`StageGame.to_nashpy`][allysim.games.StageGame.to_nashpy]; every function that takes a
  game also accepts a ``nashpy.Game``.
"""

from __future__ import annotations

from allysim.interop.axelrod import (
    NotConvertibleError,
    axelrod_family,
    from_axelrod,
    to_axelrod,
)

__all__ = ["NotConvertibleError", "axelrod_family", "from_axelrod", "to_axelrod"]
