"""An interactive page for the trust model: Mesa's SolaraViz with sliders and live plots.

``allysim serve`` starts it (``pip install "allysim[viz]"`` installs solara). The sidebar holds
Mesa's controls (Reset, play/pause, Step) and sliders for the main parameters: number of
organizations, continuation probability, perception noise, exit threshold, one incentive
mechanism and its strength, and the four partnership parts on or off. A slider changes the
parameters of the next model: press Reset to build it. The main view shows a readout of the
current step, the contribution rate over time, the three trusts, the stage shares and the
partnership network.

Importing this module does not import solara; :func:`make_page` does, and without it raises an
ImportError that says what to install. The mapping from the controls to
:class:`~allysim.abm.TrustParams` (:func:`params_from_controls`) and the figures need only
matplotlib, so they are usable and tested without solara.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from math import gcd
from types import MappingProxyType
from typing import Any

import numpy as np

from allysim._validation import (
    check_bool,
    check_int,
    check_nonnegative,
    check_probability,
    check_str,
)
from allysim.abm.governance import Governance
from allysim.abm.investment import SpecificInvestment
from allysim.abm.model import TrustModel
from allysim.abm.params import TrustParams
from allysim.abm.stakeholders import StakeholderPressure
from allysim.abm.trust import KINDS
from allysim.abm.value_creation import ValueCreation
from allysim.mechanisms import Bond, Communication, Mechanism, ProfitSharing, Reputation, Sanction

__all__ = [
    "DETECTION",
    "MAX_BOND_STAKE",
    "MAX_FINE",
    "MECHANISM_CHOICES",
    "VIZ_DEFAULTS",
    "VizTrustModel",
    "make_page",
    "mechanisms_from_control",
    "model_params",
    "params_from_controls",
    "summary",
]

#: Mechanisms the page offers, one at a time. ShadowOfFuture and Monitoring are left out on
#: purpose: the continuation and perception-noise sliders set what they would set.
MECHANISM_CHOICES = ("none", "sanction", "bond", "profit-sharing", "communication", "reputation")

#: Fine of a detected defection at full strength, value units. The ``sanctions`` scenario of
#: :func:`allysim.scenarios.trust_scenarios` (fine 3) is strength 0.5.
MAX_FINE = 6.0
#: Bond each partner posts at full strength, value units; the ``bonds`` scenario (stake 3) is
#: strength 0.5.
MAX_BOND_STAKE = 6.0
#: Chance a defection is detected under a sanction or a bond, as in the trust scenarios.
DETECTION = 0.8

#: The page's starting values: TrustParams' defaults, except 60 organizations so that a step
#: and the network drawing stay quick in a browser.
VIZ_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "n_organizations": 60,
        "continuation": 0.9,
        "perception_noise": 0.05,
        "exit_threshold": 0.3,
        "mechanism": "none",
        "mechanism_strength": 0.5,
        "investment": False,
        "governance": False,
        "stakeholders": False,
        "value_creation": False,
        "seed": 42,
    }
)

_PART_TYPES: dict[str, type] = {
    "investment": SpecificInvestment,
    "governance": Governance,
    "stakeholders": StakeholderPressure,
    "value_creation": ValueCreation,
}


def mechanisms_from_control(
    mechanism: str,
    strength: float,
    *,
    max_fine: float = MAX_FINE,
    max_stake: float = MAX_BOND_STAKE,
    detection: float = DETECTION,
) -> tuple[Mechanism, ...]:
    """The mechanisms one choice of the page's mechanism menu and strength slider stands for.

    ``strength`` in [0, 1] scales each mechanism's main parameter: the fine of a
    :class:`~allysim.mechanisms.Sanction` (``strength * max_fine``), the stake of a
    :class:`~allysim.mechanisms.Bond` (``strength * max_stake``), the share of
    :class:`~allysim.mechanisms.ProfitSharing`, the clarity of
    :class:`~allysim.mechanisms.Communication` and the visibility of
    :class:`~allysim.mechanisms.Reputation`.

    Parameters
    ----------
    mechanism : str
        One of :data:`MECHANISM_CHOICES`; ``"none"`` gives no mechanism.
    strength : float
        Strength of the mechanism, in [0, 1].
    max_fine : float, default 6.0
        Sanction fine at strength 1, value units, >= 0.
    max_stake : float, default 6.0
        Bond stake at strength 1, value units, >= 0.
    detection : float, default 0.8
        Chance a defection is detected under a sanction or a bond, in [0, 1].

    Returns
    -------
    tuple of Mechanism
        Empty for ``"none"``, else one mechanism.

    Examples
    --------
    >>> mechanisms_from_control("sanction", 0.5)
    (Sanction(fine=3.0, detection=0.8, enforcement_cost=0.0, transfer=False),)
    >>> mechanisms_from_control("none", 1.0)
    ()
    """
    check_str(mechanism, "mechanism")
    if mechanism not in MECHANISM_CHOICES:
        raise ValueError(
            f"mechanism must be one of {', '.join(MECHANISM_CHOICES)}, got {mechanism!r}"
        )
    s = check_probability(strength, "strength")
    max_fine = check_nonnegative(max_fine, "max_fine")
    max_stake = check_nonnegative(max_stake, "max_stake")
    detection = check_probability(detection, "detection")
    made: dict[str, Any] = {
        "none": lambda: (),
        "sanction": lambda: (Sanction(fine=s * max_fine, detection=detection),),
        "bond": lambda: (Bond(stake=s * max_stake, detection=detection),),
        "profit-sharing": lambda: (ProfitSharing(s),),
        "communication": lambda: (Communication(s),),
        "reputation": lambda: (Reputation(s),),
    }
    return tuple(made[mechanism]())


def params_from_controls(
    *,
    n_organizations: int = 60,
    continuation: float = 0.9,
    perception_noise: float = 0.05,
    exit_threshold: float = 0.3,
    mechanism: str = "none",
    mechanism_strength: float = 0.5,
    investment: bool = False,
    governance: bool = False,
    stakeholders: bool = False,
    value_creation: bool = False,
) -> TrustParams:
    """The trust model's parameters for one setting of the page's controls.

    Every other field of :class:`~allysim.abm.TrustParams` keeps its default. A part switched on
    uses its own documented defaults (e.g. :class:`~allysim.abm.SpecificInvestment()`).

    Parameters
    ----------
    n_organizations : int, default 60
        Number of organizations, >= 4 (each can hold 3 partnerships).
    continuation : float, default 0.9
        Chance a partnership goes on after a step, in [0, 1].
    perception_noise : float, default 0.05
        Base chance to misread the partner's move, in [0, 1].
    exit_threshold : float, default 0.3
        Contractual trust below which a partner exits, in [0, 1].
    mechanism : str, default "none"
        One of :data:`MECHANISM_CHOICES` (see :func:`mechanisms_from_control`).
    mechanism_strength : float, default 0.5
        Strength of ``mechanism``, in [0, 1].
    investment : bool, default False
        Switch on relationship-specific investments (:class:`~allysim.abm.SpecificInvestment`).
    governance : bool, default False
        Switch on governance (:class:`~allysim.abm.Governance`).
    stakeholders : bool, default False
        Switch on stakeholder pressure (:class:`~allysim.abm.StakeholderPressure`).
    value_creation : bool, default False
        Switch on value creation (:class:`~allysim.abm.ValueCreation`).

    Returns
    -------
    TrustParams
        The validated parameters.

    Examples
    --------
    >>> p = params_from_controls(n_organizations=30, mechanism="bond", mechanism_strength=1.0)
    >>> p.n_organizations, p.mechanisms
    (30, (Bond(stake=6.0, detection=0.8, salvage=1.0),))
    >>> params_from_controls(governance=True).governance is not None
    True
    """
    # 4: the default capacity of 3 partners needs that many others.
    check_int(n_organizations, "n_organizations", minimum=4)
    parts: dict[str, Any] = {}
    for name, on in (
        ("investment", investment),
        ("governance", governance),
        ("stakeholders", stakeholders),
        ("value_creation", value_creation),
    ):
        parts[name] = _PART_TYPES[name]() if check_bool(on, name) else None
    return TrustParams(
        n_organizations=int(n_organizations),
        continuation=continuation,
        perception_noise=perception_noise,
        exit_threshold=exit_threshold,
        mechanisms=mechanisms_from_control(mechanism, mechanism_strength),
        **parts,
    )


class VizTrustModel(TrustModel):
    """The trust model built from the page's controls (Mesa's Reset calls it with them).

    Parameters
    ----------
    n_organizations : int, default 60
        Number of organizations, >= 4.
    continuation : float, default 0.9
        Chance a partnership goes on after a step, in [0, 1].
    perception_noise : float, default 0.05
        Base chance to misread the partner's move, in [0, 1].
    exit_threshold : float, default 0.3
        Contractual trust below which a partner exits, in [0, 1].
    mechanism : str, default "none"
        One of :data:`MECHANISM_CHOICES`.
    mechanism_strength : float, default 0.5
        Strength of ``mechanism``, in [0, 1].
    investment : bool, default False
        Switch on relationship-specific investments.
    governance : bool, default False
        Switch on governance.
    stakeholders : bool, default False
        Switch on stakeholder pressure.
    value_creation : bool, default False
        Switch on value creation.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default 42
        Randomness; the same controls and seed reproduce the run bit for bit.

    Attributes
    ----------
    controls : dict
        The control values the model was built from.

    Examples
    --------
    >>> m = VizTrustModel(n_organizations=20, mechanism="reputation", mechanism_strength=1.0)
    >>> m.params.n_organizations, m.settings.visibility
    (20, 1.0)
    """

    def __init__(
        self,
        n_organizations: int = 60,
        continuation: float = 0.9,
        perception_noise: float = 0.05,
        exit_threshold: float = 0.3,
        mechanism: str = "none",
        mechanism_strength: float = 0.5,
        investment: bool = False,
        governance: bool = False,
        stakeholders: bool = False,
        value_creation: bool = False,
        seed: Any = 42,
    ) -> None:
        controls: dict[str, Any] = {
            "n_organizations": n_organizations,
            "continuation": continuation,
            "perception_noise": perception_noise,
            "exit_threshold": exit_threshold,
            "mechanism": mechanism,
            "mechanism_strength": mechanism_strength,
            "investment": investment,
            "governance": governance,
            "stakeholders": stakeholders,
            "value_creation": value_creation,
        }
        super().__init__(params=params_from_controls(**controls), seed=seed)
        self.controls = {**controls, "seed": seed}


def summary(model: TrustModel) -> str:
    """A one-line Markdown readout of the model's current state (the page shows it).

    Parameters
    ----------
    model : TrustModel
        The model.

    Returns
    -------
    str
        Step, organizations, active partnerships, contribution rate and the three mean trusts
        (``-`` where there is nothing to measure yet).

    Examples
    --------
    >>> m = VizTrustModel(n_organizations=20, seed=1)
    >>> summary(m).split(" | ")
    ['**step 0**', 'organizations 20', 'partnerships 0', 'contribution -',
     'competence -', 'contractual -', 'goodwill -']
    """
    row = model.datacollector.get_model_vars_dataframe().iloc[-1]

    def show(x: float) -> str:
        return "-" if not np.isfinite(x) else f"{x:.3f}"

    trusts = " | ".join(f"{k} {show(float(row[f'trust_{k}']))}" for k in KINDS)
    return (
        f"**step {model.steps}** | organizations {model.n} | partnerships {model.n_active} | "
        f"contribution {show(float(row['contribution_rate']))} | {trusts}"
    )


def _figure(width: float = 5.0, height: float = 3.2) -> Any:
    """A matplotlib Figure not registered with pyplot (the server draws in threads).

    Parameters
    ----------
    width : float, default 5.0
        Width, inches.
    height : float, default 3.2
        Height, inches.

    Returns
    -------
    matplotlib.figure.Figure
        A figure with one Axes.

    Examples
    --------
    >>> len(_figure().axes)
    1
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    fig.subplots()
    return fig


def _contribution_figure(model: TrustModel) -> Any:
    """Contribution rate per step so far.

    Parameters
    ----------
    model : TrustModel
        The model.

    Returns
    -------
    matplotlib.figure.Figure
        One line (the steps where a round was played).

    Examples
    --------
    >>> m = VizTrustModel(n_organizations=20, seed=0)
    >>> m.step()
    >>> _contribution_figure(m).axes[0].get_ylabel()
    'contribution rate'
    """
    from allysim.plotting._common import _finite_line

    fig = _figure()
    ax = fig.axes[0]
    df = model.datacollector.get_model_vars_dataframe()
    _finite_line(ax, df.index, df["contribution_rate"], color="tab:blue")
    ax.set_xlabel("step")
    ax.set_ylabel("contribution rate")
    ax.set_ylim(0, 1)
    ax.set_title("contribution")
    return fig


def _trust_figure(model: TrustModel) -> Any:
    """Mean competence, contractual and goodwill trust per step so far.

    Parameters
    ----------
    model : TrustModel
        The model.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn by :func:`allysim.plotting.trust_trajectories`.

    Examples
    --------
    >>> m = VizTrustModel(n_organizations=20, seed=0)
    >>> m.step()
    >>> len(_trust_figure(m).axes[0].lines)
    3
    """
    from allysim.plotting import trust_trajectories

    fig = _figure()
    trust_trajectories(model.datacollector.get_model_vars_dataframe(), ax=fig.axes[0])
    fig.axes[0].set_title("the three trusts")
    return fig


def _stage_figure(model: TrustModel) -> Any:
    """Shares of the partnerships in each stage per step so far.

    Parameters
    ----------
    model : TrustModel
        The model.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn by :func:`allysim.plotting.stage_composition`.

    Examples
    --------
    >>> m = VizTrustModel(n_organizations=20, seed=0)
    >>> m.step()
    >>> _stage_figure(m).axes[0].get_title()
    'stages'
    """
    from allysim.plotting import stage_composition

    fig = _figure()
    stage_composition(model.datacollector.get_model_vars_dataframe(), ax=fig.axes[0])
    fig.axes[0].set_title("stages")
    return fig


def _network_figure(model: TrustModel) -> Any:
    """The current partnerships, edges coloured by goodwill trust.

    Parameters
    ----------
    model : TrustModel
        The model.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn by :func:`allysim.plotting.partnership_network`.

    Examples
    --------
    >>> m = VizTrustModel(n_organizations=20, seed=0)
    >>> m.step()
    >>> _network_figure(m).axes[0].get_title()
    'partnerships coloured by goodwill trust'
    """
    from allysim.plotting import partnership_network

    fig = _figure(6.5, 4.5)
    partnership_network(model, ax=fig.axes[0])
    return fig


#: The page's figures, in display order.
_FIGURES = (_contribution_figure, _trust_figure, _stage_figure, _network_figure)


def _solara() -> Any:
    """Import solara, or say how to install it.

    Returns
    -------
    module
        ``solara``.

    Examples
    --------
    >>> try:
    ...     _ = _solara()
    ... except ImportError as exc:
    ...     assert "allysim[viz]" in str(exc)
    """
    try:
        import solara  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError as exc:
        raise ImportError('the interactive page needs solara: pip install "allysim[viz]"') from exc
    return solara


def model_params() -> dict[str, Any]:
    """The page's controls, as Mesa's SolaraViz ``model_params`` takes them (needs solara).

    Returns
    -------
    dict
        Keyword of :class:`VizTrustModel` -> a Mesa ``Slider`` or a ``Select`` / ``Checkbox``
        description (label, starting value from :data:`VIZ_DEFAULTS`, range).

    Examples
    --------
    >>> try:
    ...     params = model_params()
    ... except ImportError:
    ...     params = {"n_organizations": None}
    >>> "n_organizations" in params
    True
    """
    _solara()
    from mesa.visualization import Slider

    d = VIZ_DEFAULTS
    return {
        "n_organizations": Slider("organizations", d["n_organizations"], 10, 300, 10),
        "continuation": Slider("continuation probability", d["continuation"], 0.0, 1.0, 0.01),
        "perception_noise": Slider("perception noise", d["perception_noise"], 0.0, 0.5, 0.01),
        "exit_threshold": Slider("exit threshold", d["exit_threshold"], 0.0, 1.0, 0.01),
        "mechanism": {
            "type": "Select",
            "value": d["mechanism"],
            "values": list(MECHANISM_CHOICES),
            "label": "mechanism",
        },
        "mechanism_strength": Slider("mechanism strength", d["mechanism_strength"], 0.0, 1.0, 0.05),
        **{
            part: {"type": "Checkbox", "value": d[part], "label": part.replace("_", " ")}
            for part in _PART_TYPES
        },
        "seed": Slider("seed", d["seed"], 0, 1000, 1),
    }


#: Most decimals a float slider's step may have: Vuetify rounds to the decimals of the step's
#: JavaScript text, which turns exponential (1e-7: none) below 1e-6.
_SLIDER_DECIMALS = 6


def _fit_slider(control: Any, name: str, value: Any) -> None:
    """Make ``value`` a position of the Mesa ``Slider`` ``control`` and its starting value.

    The browser's (Vuetify 2) slider rounds its value to ``min + k * step`` at the step's
    decimals and sends the rounded value back, which Reset then builds the model from: 25
    organizations on the 10-wide grid became 30. So a starting value beyond the range widens
    the range, and one between two positions refines the step to the coarsest that holds it.

    Parameters
    ----------
    control : mesa.visualization.Slider
        The slider, changed in place.
    name : str
        The control's keyword, for error messages.
    value : Any
        The starting value (already accepted by :class:`VizTrustModel`).

    Raises
    ------
    TypeError
        ``value`` is not a number, or not an integer for an integer slider.
    ValueError
        ``value`` needs a float slider finer than 6 decimals.

    Examples
    --------
    A stand-in with a Slider's attributes (Mesa's own needs solara to import):

    >>> from types import SimpleNamespace
    >>> s = SimpleNamespace(value=60, min=10, max=300, step=10, is_float_slider=False)
    >>> _fit_slider(s, "n_organizations", 25)
    >>> s.value, s.min, s.max, s.step
    (25, 10, 300, 5)
    """
    integral = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if control.is_float_slider:
        if not (integral or isinstance(value, float | np.floating)):
            raise TypeError(f"{name} must be a number for the page's slider, got {value!r}")
        value = float(value)
    elif not integral:
        raise TypeError(f"{name} must be an integer for the page's slider, got {value!r}")
    else:
        value = int(value)
    low, high = min(control.min, value), max(control.max, value)
    # Exact decimal arithmetic: the positions are low + k * step, counted in units of
    # 10 ** -places.
    numbers = [Decimal(str(x)) for x in (value, low, control.step)]
    places = max(0, *(-int(d.as_tuple().exponent) for d in numbers))
    v, lo, step = (int(d.scaleb(places)) for d in numbers)
    fine = gcd(step, v - lo)
    if fine != step:
        if places > _SLIDER_DECIMALS:
            raise ValueError(
                f"{name}={value!r} lies between the page slider's positions and has more than "
                f"{_SLIDER_DECIMALS} decimals; pass it rounded to {_SLIDER_DECIMALS} decimals"
            )
        control.step = float(Decimal(fine).scaleb(-places)) if control.is_float_slider else fine
    control.value, control.min, control.max = value, low, high


def _page_controls(controls: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The starting controls and Mesa's control descriptions of a page (needs solara).

    Parameters
    ----------
    controls : Mapping[str, Any]
        Starting values given to :func:`make_page`.

    Returns
    -------
    tuple of dict
        The starting values (:data:`VIZ_DEFAULTS` updated with ``controls``) and
        :func:`model_params` set to start at them.

    Examples
    --------
    >>> try:
    ...     start, params = _page_controls({"n_organizations": 25})
    ...     print(start["n_organizations"], params["n_organizations"].value)
    ... except ImportError:
    ...     print(25, 25)
    25 25
    """
    unknown = sorted(set(controls) - set(VIZ_DEFAULTS))
    if unknown:
        raise TypeError(f"make_page got unknown controls {unknown}; allowed: {list(VIZ_DEFAULTS)}")
    start = {**VIZ_DEFAULTS, **controls}
    VizTrustModel(**start)  # a bad starting value fails here, not in the browser
    params = model_params()
    for name, value in start.items():
        control = params[name]
        if isinstance(control, dict):
            control["value"] = value
        else:
            _fit_slider(control, name, value)
    return start, params


def make_page(**controls: Any) -> Any:
    """A Solara page component: Mesa's SolaraViz of the trust model with the controls.

    Each browser session gets its own model, built from :data:`VIZ_DEFAULTS` updated with
    ``controls``.

    Parameters
    ----------
    **controls : Any
        Starting values of the controls (keywords of :class:`VizTrustModel`).

    Returns
    -------
    solara component
        Call it (``Page()``) to render; ``solara run allysim.abm.viz`` serves it.

    Examples
    --------
    >>> try:
    ...     page = make_page(n_organizations=20)
    ... except ImportError as exc:
    ...     page = str(exc)
    >>> page is not None
    True
    """
    solara = _solara()
    from mesa.visualization import SolaraViz

    start, params = _page_controls(controls)

    def readout(model: TrustModel) -> Any:
        return solara.Markdown(summary(model))

    def as_component(draw: Any) -> Any:
        def component(model: TrustModel) -> Any:
            return solara.FigureMatplotlib(draw(model), format="png")

        component.__name__ = draw.__name__.strip("_")
        return component

    # Built once: Mesa wraps each in a component, and new functions on every render would
    # remount the plots.
    components = [readout, *(as_component(f) for f in _FIGURES)]

    @solara.component  # type: ignore[misc]
    def Page() -> Any:
        model = solara.use_memo(lambda: VizTrustModel(**start), [])
        return SolaraViz(
            model,
            components=components,
            model_params=params,
            name="allysim trust model",
        )

    return Page


def __getattr__(name: str) -> Any:
    """Build ``Page`` on first use, so that importing this module does not import solara.

    Parameters
    ----------
    name : str
        The attribute looked up; only ``Page`` is built here.

    Returns
    -------
    solara component
        The page with the default controls (what ``solara run allysim.abm.viz`` serves).

    Examples
    --------
    >>> import allysim.abm.viz as viz
    >>> viz.Nothing
    Traceback (most recent call last):
    ...
    AttributeError: module 'allysim.abm.viz' has no attribute 'Nothing'
    """
    if name == "Page":
        page = make_page()
        globals()["Page"] = page
        return page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
