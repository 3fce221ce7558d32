"""A trust model of two organizations in one partnership that never ends, with no noise of any
kind: the smallest setting in which a part's rule can be checked against a closed form."""

from allysim.abm import TrustModel

QUIET_PAIR = dict(
    n_organizations=2,
    strategies=["ALLC"],
    initial_strategies=[0, 0],
    continuation=1.0,
    noise=0.0,
    perception_noise=0.0,
    culture_spread=0.0,
    capability_mean=1.0,
    capability_spread=0.0,
    capacity=1,
    search_rate=1.0,
    imitation_every=0,
)


def quiet_pair(seed: int = 1, **kw) -> TrustModel:
    """The pair, with ``kw`` replacing or adding TrustModel keywords."""
    return TrustModel(seed=seed, **(QUIET_PAIR | kw))
