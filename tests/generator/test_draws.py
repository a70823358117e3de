"""The planner's ``Draws`` must draw exactly what ``random.Random`` draws for a seed (issue 15: a seed's lake stays
byte-identical), for the calls the generator makes and for the ones it hands back to ``random.Random``."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from ingest.synthetic.draws import Draws

_SEQUENCES = [
    (1,),
    (1, 2),
    tuple(range(3)),
    tuple(range(4)),
    tuple(range(5)),
    tuple(range(64)),
    tuple(range(65)),
    "abc",
]


def _choice(seq: Any) -> Callable[[random.Random], Any]:
    return lambda rng: rng.choice(seq)


_CALLS: list[Callable[[random.Random], Any]] = [
    *[_choice(seq) for seq in _SEQUENCES],
    lambda rng: rng.randrange(10),
    lambda rng: rng.randrange(1, 255),
    lambda rng: rng.randrange(-5, 5),
    lambda rng: rng.randrange(0, 2**70),
    lambda rng: rng.randrange(10**7, 10**8),
    lambda rng: rng.randrange(3, 40, 3),
    lambda rng: rng.randrange(40, 3, -4),
    lambda rng: rng.randint(1, 3),
    lambda rng: rng.randint(7, 7),
    lambda rng: rng.random(),
    lambda rng: rng.sample(range(20), 4),
    lambda rng: rng.choices("abcd", [1, 2, 3, 4]),
    lambda rng: rng.getrandbits(40),
]


@pytest.mark.parametrize("seed", [0, 1, 42, 2**40 + 7])
def test_draws_are_random_randoms_draws(seed: int) -> None:
    ours, theirs = Draws(seed), random.Random(seed)
    picker = random.Random(seed + 1)  # the order of calls, the same for both
    for _ in range(20_000):
        call = picker.choice(_CALLS)
        assert call(ours) == call(theirs)
    assert ours.getstate() == theirs.getstate()


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda rng: rng.choice(()), IndexError),
        (lambda rng: rng.randrange(0), ValueError),
        (lambda rng: rng.randrange(5, 5), ValueError),
        (lambda rng: rng.randrange(5, 1), ValueError),
        (lambda rng: rng.randrange(1, 9, 0), ValueError),
        (lambda rng: rng.randint(3, 1), ValueError),
    ],
)
def test_draws_refuse_what_random_refuses(call: Callable[[random.Random], Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        call(random.Random(1))
    with pytest.raises(error):
        call(Draws(1))
