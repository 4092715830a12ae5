"""The progress arithmetic, free of the database so it can be checked by hand.

A key result's progress is the clamped linear position of its current value between
start and target; a goal's progress is the weighted mean of its terms (key results and
contributing child goals), weights normalised to sum to one.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")
ZERO = Decimal("0")
CENT = Decimal("0.01")


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def key_result_progress(
    *, start: Decimal, target: Decimal, current: Decimal, direction: str
) -> Decimal:
    """Progress 0–100 of a key result.

    ``(current - start) / (target - start)`` works for both directions (for "lower is
    better" both differences are negative when things improve); it is clamped so that
    overshooting the target counts as 100 and sliding back past the start as 0. A key
    result whose target equals its start is met (100) or not (0).
    """
    start, target, current = Decimal(start), Decimal(target), Decimal(current)
    if target == start:
        met = current <= target if direction == "decrease" else current >= target
        return HUNDRED if met else ZERO
    ratio = (current - start) / (target - start)
    return quantize(min(max(ratio, ZERO), Decimal(1)) * HUNDRED)


def weighted_progress(terms: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Weighted mean of ``(progress, weight)`` pairs; 0 when there is nothing to count."""
    total_weight = ZERO
    total = ZERO
    for progress, weight in terms:
        total += Decimal(progress) * Decimal(weight)
        total_weight += Decimal(weight)
    if total_weight == 0:
        return ZERO
    return quantize(total / total_weight)
