"""Poll groups: the polled codes cut into multi-price requests and dealt to the app keys.

Groups are kept stable across re-plans: a code that stays polled stays in its group, codes
that left are removed, new ones fill the room first and then new groups. A code that moved
group would wait for the round-robin to reach its new group, up to one extra period; stable
groups keep that from happening at every priority change. When churn has left too many
part-empty groups (more than 5 % over the fewest possible, at least one), they are rebuilt.

Each key then polls its groups round-robin at its poll rate, the key's REST budget minus the
reserve, but no faster than one round per `min_period_s`.
"""

from __future__ import annotations

from collections.abc import Sequence

from jts.venues.kis.subscriptions.config import AppKeyBudget, SchedulerConfig

__all__ = ["deal_groups"]

Deal = list[tuple[str, list[str]]]  # (key, codes) per group, in polling order


def deal_groups(
    polled: Sequence[str],
    keys: Sequence[AppKeyBudget],
    config: SchedulerConfig,
    previous: Sequence[tuple[str, Sequence[str]]] = (),
) -> tuple[Deal, dict[str, float]]:
    """(groups as (key, codes), poll rate per key in req/s) for `polled` (best first)."""
    size = config.group_size
    share = {k.name: k.rest_per_s * (1.0 - config.reserve_fraction) for k in keys}
    deal = _keep(polled, share, previous)
    placed = {code for _, codes in deal for code in codes}
    new = [code for code in polled if code not in placed]
    fewest = -(-len(polled) // size)
    if len(deal) + -(-len(new) // size) > fewest + fewest // 20 + 1:
        deal, new = [], list(polled)
    _fill(deal, new, share, size)
    _balance(deal, share)
    count = {k: sum(1 for key, _ in deal if key == k) for k in share}
    rate = {k: min(share[k], count[k] / config.min_period_s) for k in share}
    return deal, rate


def _keep(
    polled: Sequence[str], share: dict[str, float], previous: Sequence[tuple[str, Sequence[str]]]
) -> Deal:
    wanted = set(polled)
    kept: Deal = []
    for key, codes in previous:
        still = [code for code in codes if code in wanted]
        if key in share and still:
            kept.append((key, still))
    return kept


def _fill(deal: Deal, new: list[str], share: dict[str, float], size: int) -> None:
    """New codes go to kept groups with room, then to new groups on the least loaded key."""
    queue = iter(new)
    left = len(new)
    for _, codes in deal:
        while len(codes) < size and left:
            codes.append(next(queue))
            left -= 1
    rest = list(queue)
    count = {k: sum(1 for key, _ in deal if key == k) for k in share}
    for start in range(0, len(rest), size):
        key = min(share, key=lambda k: ((count[k] + 1) / share[k], k))
        count[key] += 1
        deal.append((key, rest[start : start + size]))


def _balance(deal: Deal, share: dict[str, float]) -> None:
    """Move groups from the key with the longest period to the one that would still be
    shorter after taking a group, until no move helps."""
    count = {k: sum(1 for key, _ in deal if key == k) for k in share}
    while True:
        slow = max(share, key=lambda k: (count[k] / share[k], k))
        fast = min(share, key=lambda k: ((count[k] + 1) / share[k], k))
        if count[slow] / share[slow] <= (count[fast] + 1) / share[fast]:
            return
        index = max(i for i, (key, _) in enumerate(deal) if key == slow)
        deal[index] = (fast, deal[index][1])
        count[slow] -= 1
        count[fast] += 1
