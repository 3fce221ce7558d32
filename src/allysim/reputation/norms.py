"""Social norms of indirect reciprocity as small arrays: how an observer judges a donor, and how
a donor acts on images.

Encoding used throughout the package: an image is 1 (good) or 0 (bad); an action is 1 (give,
cooperate) or 0 (refuse, defect). A norm has

* an **assessment rule** ``assessment[donor_image, recipient_image, action]`` -> the donor's new
  image (1 good, 0 bad). It is *first order* when only the action matters, *second order* when
  the recipient's image matters too, *third order* when the donor's own image matters;
* an **action rule** ``action[donor_image, recipient_image]`` -> 1 give, 0 refuse.

The leading eight are the norms of Ohtsuki & Iwasa (2004, 2006) that keep
cooperation evolutionarily stable under public assessment with errors. They share the
assessment "cooperating with a good recipient is good, refusing a good recipient is bad,
refusing a bad recipient is good when the donor is good" and the action "give to good
recipients, refuse bad ones when the donor is good"; they differ in the four starred entries:
the assessment of a good donor who gives to a bad recipient, of a bad donor meeting a bad
recipient (give and refuse), and a bad donor's action towards a bad recipient.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from allysim._validation import check_str

__all__ = [
    "IMAGE_SCORING",
    "L1",
    "L2",
    "L3",
    "L4",
    "L5",
    "L6",
    "L7",
    "L8",
    "LEADING_EIGHT",
    "NORMS",
    "SHUNNING",
    "SIMPLE_STANDING",
    "STANDING",
    "STERN_JUDGING",
    "Norm",
    "act",
    "assess",
    "get_norm",
]


def _zero_one(
    value: Any, name: str, *, shape: tuple[int, ...] | None = None, floats: bool = False
) -> np.ndarray:
    """``value`` as an array of 0/1 (a norm's table when ``shape`` is given, else observations).

    Integers and bools are taken, floats too where ``floats`` (a table written as 0.0/1.0);
    anything else is a TypeError, a wrong shape or an entry other than 0 and 1 a ValueError,
    each naming ``name``.
    """
    kinds = "integers or bools" + (" (or floats)" if floats else "")
    if shape is not None and (isinstance(value, bool | str) or value is None):
        raise TypeError(f"{name} must be an array of 0/1 of shape {shape}, got {value!r}")
    try:
        arr = np.asarray(value)
    except ValueError as err:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular array of 0/1: {err}") from None
    numeric = np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.bool_)
    numeric = numeric or (floats and np.issubdtype(arr.dtype, np.floating))
    if arr.dtype == object or not numeric:
        raise TypeError(f"{name} must hold {kinds} 0/1, got dtype {arr.dtype}")
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if arr.size and not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{name} entries must be 0 or 1 (bad/refuse or good/give), got {arr!r}")
    return arr


def _as_binary(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    out = _zero_one(value, name, shape=shape, floats=True).astype(np.int8)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Norm:
    """A social norm: an assessment rule and an action rule, both as 0/1 arrays.

    Parameters
    ----------
    name : str
        Label used in results and plots.
    assessment : array_like
        Shape (2, 2, 2), entries 0 or 1: ``assessment[donor_image, recipient_image, action]``
        is the image (1 good, 0 bad) an observer gives a donor whose image is
        ``donor_image`` and who took ``action`` (1 give, 0 refuse) towards a recipient whose
        image is ``recipient_image``.
    action : array_like
        Shape (2, 2), entries 0 or 1: ``action[donor_image, recipient_image]`` is 1 when a
        donor gives, 0 when it refuses.

    Examples
    --------
    >>> from allysim.reputation import Norm
    >>> sj = Norm("stern judging", [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], [[0, 1], [0, 1]])
    >>> sj
    Norm('stern judging', order=2)
    >>> int(sj.assessment[1, 0, 0])  # a good donor refusing a bad recipient stays good
    1
    """

    name: str
    assessment: np.ndarray = field(repr=False)
    action: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        check_str(self.name, "name")
        object.__setattr__(self, "assessment", _as_binary(self.assessment, "assessment", (2, 2, 2)))
        object.__setattr__(self, "action", _as_binary(self.action, "action", (2, 2)))

    @property
    def order(self) -> int:
        """1 if only the action is judged, 2 if the recipient's image matters, else 3.

        Returns
        -------
        int
            The order of the assessment rule.

        Examples
        --------
        >>> from allysim.reputation import IMAGE_SCORING, L1, L6
        >>> IMAGE_SCORING.order, L6.order, L1.order
        (1, 2, 3)
        """
        a = self.assessment
        if np.array_equal(a[0], a[1]):
            if np.array_equal(a[0, 0], a[0, 1]):
                return 1
            return 2
        return 3

    def __repr__(self) -> str:
        return f"Norm({self.name!r}, order={self.order})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Norm):
            return NotImplemented
        return np.array_equal(self.assessment, other.assessment) and np.array_equal(
            self.action, other.action
        )

    def __hash__(self) -> int:
        return hash((self.assessment.tobytes(), self.action.tobytes()))


def _table(c_bad_donor: tuple[int, int], d_bad_donor: tuple[int, int], c_good_donor, d_good_donor):
    """Assessment array from rows (recipient good, recipient bad) per donor image and action."""
    out = np.zeros((2, 2, 2), dtype=np.int8)
    for donor, (cs, ds) in enumerate(((c_bad_donor, d_bad_donor), (c_good_donor, d_good_donor))):
        out[donor, 1, 1], out[donor, 0, 1] = cs
        out[donor, 1, 0], out[donor, 0, 0] = ds
    return out


# Action rules, [donor_image, recipient_image]: DISC gives to good recipients only.
_DISC = np.array([[0, 1], [0, 1]], dtype=np.int8)
_DISC_BB_GIVE = np.array([[1, 1], [0, 1]], dtype=np.int8)


def _leading(gb_c: int, bb_c: int, bb_d: int, bb_act: int, name: str) -> Norm:
    # Rows are (to a good recipient, to a bad recipient); the fixed entries are the ones the
    # leading eight share (Ohtsuki & Iwasa 2004, 2006).
    assessment = _table(
        c_bad_donor=(1, bb_c), d_bad_donor=(0, bb_d), c_good_donor=(1, gb_c), d_good_donor=(0, 1)
    )
    action = _DISC_BB_GIVE if bb_act else _DISC
    return Norm(name, assessment, action)


L1 = _leading(gb_c=1, bb_c=1, bb_d=0, bb_act=1, name="L1")
L2 = _leading(gb_c=0, bb_c=1, bb_d=0, bb_act=1, name="L2")
L3 = _leading(gb_c=1, bb_c=1, bb_d=1, bb_act=0, name="L3")
L4 = _leading(gb_c=1, bb_c=0, bb_d=1, bb_act=0, name="L4")
L5 = _leading(gb_c=0, bb_c=1, bb_d=1, bb_act=0, name="L5")
L6 = _leading(gb_c=0, bb_c=0, bb_d=1, bb_act=0, name="L6")
L7 = _leading(gb_c=1, bb_c=0, bb_d=0, bb_act=0, name="L7")
L8 = _leading(gb_c=0, bb_c=0, bb_d=0, bb_act=0, name="L8")
LEADING_EIGHT: tuple[Norm, ...] = (L1, L2, L3, L4, L5, L6, L7, L8)

# Nowak & Sigmund (1998): giving is good, refusing is bad, whoever the recipient.
IMAGE_SCORING = Norm("image scoring", _table((1, 1), (0, 0), (1, 1), (0, 0)), _DISC)
# Sugden (1986), Leimar & Hammerstein (2001), Panchanathan & Boyd (2003): standing is lost only
# by refusing a good recipient; refusing a bad recipient keeps the donor's standing as it was
# (third order), giving always earns it.
STANDING = Norm("standing", _table((1, 1), (0, 0), (1, 1), (0, 1)), _DISC)
# Second-order norms as named by Sasaki, Okada & Nakai (2017) and Santos et al. (2018).
SIMPLE_STANDING = Norm("simple standing", L3.assessment, _DISC)
STERN_JUDGING = Norm("stern judging", L6.assessment, _DISC)
SHUNNING = Norm("shunning", _table((1, 0), (0, 0), (1, 0), (0, 0)), _DISC)

NORMS: Mapping[str, Norm] = MappingProxyType(
    {
        n.name: n
        for n in (
            IMAGE_SCORING,
            STANDING,
            SIMPLE_STANDING,
            STERN_JUDGING,
            SHUNNING,
            *LEADING_EIGHT,
        )
    }
)


def get_norm(norm: Norm | str, name: str = "norm") -> Norm:
    """Return a [`Norm`][allysim.reputation.Norm] given itself or its name in ``NORMS``.

    Parameters
    ----------
    norm : Norm or str
        A norm, or one of the names ``"image scoring"``, ``"standing"``, ``"simple standing"``,
        ``"stern judging"``, ``"shunning"``, ``"L1"`` ... ``"L8"`` (case-insensitive).
    name : str, default "norm"
        Parameter name used in error messages.

    Returns
    -------
    Norm
        The norm.

    Examples
    --------
    >>> from allysim.reputation import get_norm
    >>> get_norm("Stern Judging") == get_norm("L6")
    True
    """
    if isinstance(norm, Norm):
        return norm
    if not isinstance(norm, str):
        raise TypeError(f"{name} must be a Norm or a norm name, got {type(norm).__name__}")
    lookup = {k.lower(): v for k, v in NORMS.items()}
    key = norm.strip().lower().replace("_", " ")
    if key not in lookup:
        raise ValueError(f"{name} must be a Norm or one of {sorted(NORMS)}, got {norm!r}")
    return lookup[key]


def _binary_array(value: Any, name: str) -> np.ndarray:
    return _zero_one(value, name).astype(np.intp)


def assess(
    norm: Norm | str,
    action: Any,
    recipient_image: Any,
    donor_image: Any = None,
) -> np.ndarray:
    """The image an observer following ``norm`` gives a donor, elementwise (vectorised).

    Parameters
    ----------
    norm : Norm or str
        The norm (or its name, see [`get_norm`][allysim.reputation.get_norm]).
    action : array_like of int or bool
        1 (gave) or 0 (refused), as the observer saw it.
    recipient_image : array_like of int or bool
        The recipient's image in the observer's eyes, 1 good, 0 bad.
    donor_image : array_like of int or bool or None, default None
        The donor's image in the observer's eyes before the action; needed for third-order
        norms (L1, L2, L4, L5, L7, L8 and standing), ignored by first and second-order ones.

    Returns
    -------
    numpy.ndarray
        The donor's new image (int8, 1 good, 0 bad), broadcast shape of the inputs.

    Examples
    --------
    >>> from allysim.reputation import assess
    >>> assess("stern judging", [1, 1, 0, 0], [1, 0, 1, 0]).tolist()
    [1, 0, 0, 1]
    >>> assess("image scoring", [1, 0], [0, 1]).tolist()
    [1, 0]
    >>> assess("L8", [0, 0], [0, 0], donor_image=[1, 0]).tolist()
    [1, 0]
    """
    norm = get_norm(norm)
    a = _binary_array(action, "action")
    r = _binary_array(recipient_image, "recipient_image")
    if donor_image is None:
        if norm.order == 3:
            raise ValueError(
                f"donor_image is required: norm {norm.name!r} is third order "
                "(the donor's own image changes the verdict)"
            )
        d = np.ones((), dtype=np.intp)
    else:
        d = _binary_array(donor_image, "donor_image")
    try:
        d, r, a = np.broadcast_arrays(d, r, a)
    except ValueError as err:
        raise ValueError(
            "action, recipient_image and donor_image must broadcast to one shape"
        ) from err
    return norm.assessment[d, r, a]


def act(norm: Norm | str, donor_image: Any, recipient_image: Any) -> np.ndarray:
    """Whether a donor following ``norm``'s action rule gives (1) or refuses (0), elementwise.

    Parameters
    ----------
    norm : Norm or str
        The norm (or its name, see [`get_norm`][allysim.reputation.get_norm]).
    donor_image : array_like of int or bool
        The donor's own image, 1 good, 0 bad (only L1 and L2 look at it).
    recipient_image : array_like of int or bool
        The recipient's image in the donor's eyes, 1 good, 0 bad.

    Returns
    -------
    numpy.ndarray
        The intended action (int8, 1 give, 0 refuse), broadcast shape of the inputs.

    Examples
    --------
    >>> from allysim.reputation import act
    >>> act("L1", [1, 1, 0, 0], [1, 0, 1, 0]).tolist()
    [1, 0, 1, 1]
    >>> act("L6", [1, 1, 0, 0], [1, 0, 1, 0]).tolist()
    [1, 0, 1, 0]
    """
    norm = get_norm(norm)
    d = _binary_array(donor_image, "donor_image")
    r = _binary_array(recipient_image, "recipient_image")
    try:
        d, r = np.broadcast_arrays(d, r)
    except ValueError as err:
        raise ValueError("donor_image and recipient_image must broadcast to one shape") from err
    return norm.action[d, r]
