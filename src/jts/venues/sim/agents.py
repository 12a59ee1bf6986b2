"""Background order flow for the simulated KRX exchange: market makers, noise and momentum traders.

Why: an exchange with nobody else on it has empty books, auctions that clear whatever the user
sends and fills that are always complete. These agents trade every symbol all day, so books are
two-sided with spreads and depth that change through the day, call auctions have real
imbalances, and a user's order competes for liquidity that may not be there.

One population per symbol, trading only through the exchange's public methods:

- market makers (account "mm") keep `makers_per_side` quotes on each side around the *latent*
  price: the synthetic generator's minute path, interpolated inside the minute and snapped to
  the symbol's valid prices inside the daily limits. The spread widens at the open and into the
  close and for illiquid symbols; size is thinner at the open; an inventory skews both sides
  against it. They requote on a timer when the snapped latent price moved, before any other
  agent of the symbol acts, and a short latency after one of their quotes filled.
- noise traders (account "noise") arrive as a Poisson stream whose rate follows the minute's
  synthetic volume: passive limit orders away from the latent price (the oldest cancelled
  beyond a cap), marketable limits (IOC, or DAY with the remainder resting) and IOC market
  orders, log-normal sizes in lots. They also enter the opening (from 08:30) and closing (from
  15:20) call auctions with a per-symbol buy/sell bias, so auctions are imbalanced; trade in
  the closing-price sessions; and in the 16:00-18:00 single-price rounds.
- momentum traders (account "momentum") look at the return of the last trade since their
  previous look and chase it with a marketable IOC when it is large enough.

Every limit price is taken from the symbol's ladder of valid prices (`agent_plan`), so no
order is off its tick or outside the limits; whatever the exchange still refuses (a halted
symbol, a session rule) is counted in `FlowStats` and never raised. All randomness comes from
per-symbol numpy Generators (see `agent_flow`), so a day is a function of its seed.
Units: prices int KRW, sizes int shares, times int ns UTC.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections import Counter, deque
from collections.abc import Sequence
from typing import Final

import numpy as np

from jts.core.enums import OrderStatus, OrderType, Side, TimeInForce
from jts.core.events import OrderUpdate, SymbolState
from jts.core.models import Fill, OrderRequest
from jts.krx.sessions import Phase
from jts.venues.sim.agent_plan import MINUTE_NS, FlowConfig, SymbolPlan
from jts.venues.sim.exchange import SimExchange
from jts.venues.sim.symbol import SymbolMarket

__all__ = [
    "MM_ACCOUNT",
    "MOMENTUM_ACCOUNT",
    "NOISE_ACCOUNT",
    "Agents",
    "FlowStats",
    "SymbolAgents",
]

MM_ACCOUNT: Final = "mm"
NOISE_ACCOUNT: Final = "noise"
MOMENTUM_ACCOUNT: Final = "momentum"

_CALL_STATES: Final = frozenset({SymbolState.CALL, SymbolState.VI})
_MAKER_STATES: Final = frozenset({SymbolState.CALL, SymbolState.CONTINUOUS, SymbolState.VI})
_MAKER_PHASES: Final = frozenset({Phase.OPENING_AUCTION, Phase.CONTINUOUS, Phase.CLOSING_AUCTION})
_AUCTION_MARKET_SHARE: Final = 0.1
"""Share of call-auction arrivals sent as market orders (they show at their daily limit)."""
_AFTER_HOURS_RANGE: Final = 0.04
"""After-hours limit prices spread over ±2% of the close (inside KRX's ±10% band)."""
_POOL: Final = 256


class FlowStats:
    """What the agents sent and what came back refused (counted, never raised)."""

    __slots__ = ("cancels", "modifies", "orders", "reject_codes", "rejects")

    def __init__(self) -> None:
        self.orders = 0
        self.modifies = 0
        self.cancels = 0
        self.rejects = 0
        self.reject_codes: Counter[str] = Counter()

    def refused(self, update: OrderUpdate) -> bool:
        """Count `update` if the exchange refused the request; True when it did."""
        if not update.reject_code and update.status is not OrderStatus.REJECTED:
            return False
        self.rejects += 1
        self.reject_codes[update.reject_code or "rejected"] += 1
        return True


class SymbolAgents:
    """The mutable state of one symbol's population during the day."""

    __slots__ = (
        "active",
        "anchor",
        "drawn",
        "inventory",
        "market",
        "momentum_ref",
        "plan",
        "pool",
        "quote_at",
        "quotes",
        "refill_due",
        "resting",
        "rng",
        "spread",
    )

    def __init__(
        self, plan: SymbolPlan, market: SymbolMarket, rng: np.random.Generator, makers: int
    ) -> None:
        self.plan = plan
        self.market = market
        self.rng = rng
        self.quotes: list[str | None] = [None] * (2 * makers)  # bids, then asks, best first
        self.quote_at: list[int] = [0] * (2 * makers)  # ladder index of each quote
        self.anchor = -1  # ladder index of the latent price at the makers' last requote
        self.spread = 1  # makers' current touch-to-touch spread in ticks
        self.active = False  # makers quote from their first timer of the day
        self.inventory = 0  # makers' net shares bought today
        self.refill_due = False
        self.resting: deque[str] = deque()  # noise orders that may still rest, oldest first
        self.momentum_ref = 0  # last trade price (KRW) at the momentum traders' previous look
        self.pool: list[float] = []
        self.drawn = 0

    def draw(self) -> float:
        """A uniform in [0, 1) from this symbol's own stream (drawn in batches: cheap)."""
        if self.drawn >= len(self.pool):
            self.pool = self.rng.random(_POOL).tolist()
            self.drawn = 0
        value = self.pool[self.drawn]
        self.drawn += 1
        return value


class Agents:
    """Every symbol's population on one exchange; `agent_flow.AgentFlow` calls the handlers.

    Handlers take (symbol row, size in shares, three uniforms) drawn with the schedule, so
    their randomness is fixed before the day starts.
    """

    def __init__(
        self,
        exchange: SimExchange,
        plans: Sequence[SymbolPlan],
        rngs: Sequence[np.random.Generator],
        config: FlowConfig,
        widening: Sequence[float],
    ) -> None:
        self.exchange = exchange
        self.config = config
        self.widening = list(widening)
        self.makers = config.makers_per_side
        self.symbols = [
            SymbolAgents(plan, exchange.market(plan.symbol), rng, self.makers)
            for plan, rng in zip(plans, rngs, strict=True)
        ]
        self.by_symbol = {plan.symbol: i for i, plan in enumerate(plans)}
        self.refills: list[tuple[int, int]] = []  # (due ns, row): makers' reactions to fills
        self.stats = FlowStats()
        self._ids = 0

    # -- the latent price --------------------------------------------------------------------

    def anchor(self, plan: SymbolPlan, now: int) -> int:
        """Ladder index of the highest valid price at or below the latent price at `now`."""
        rel = now - plan.t0
        if rel < 0:
            latent = plan.opens[0]
        elif rel >= plan.minutes * MINUTE_NS:
            latent = plan.closes[-1]
        else:
            k = rel // MINUTE_NS + 1
            start = plan.opens[k]
            latent = start + (plan.closes[k] - start) * ((rel % MINUTE_NS) / MINUTE_NS)
        return _floor_index(plan.ladder, latent)

    def _widening(self, plan: SymbolPlan, now: int) -> float:
        """Spread multiplier of the minute at `now` (>= 1; largest at the open)."""
        k = min(max((now - plan.t0) // MINUTE_NS, 0), len(self.widening) - 1)
        return self.widening[k]

    # -- market makers -----------------------------------------------------------------------

    def timer(self, row: int, size: int, u1: float, u2: float, u3: float) -> None:
        """Makers' requote timer: start quoting, or follow the latent price if it moved."""
        agents = self.symbols[row]
        if not agents.active or self._drifted(
            agents, self.anchor(agents.plan, self.exchange.now_ns())
        ):
            self.requote(agents)

    @staticmethod
    def _drifted(agents: SymbolAgents, anchor: int) -> bool:
        """Whether the latent price moved further than the makers tolerate since they quoted."""
        return agents.active and abs(anchor - agents.anchor) > agents.plan.tolerance

    def refill(self, row: int) -> None:
        """A maker's quote filled a moment ago: put the quotes back."""
        agents = self.symbols[row]
        agents.refill_due = False
        self.requote(agents)

    def requote(self, agents: SymbolAgents) -> None:
        """Move every maker quote of the symbol to where it belongs now.

        The touch is the latent price's floor and the next valid price above it, widened to
        the spread of the moment (drawn around the plan's target whenever the latent price has
        moved, wider at the open and the close) and shifted one tick per `skew_unit` of
        inventory against the inventory.
        """
        if self.exchange.phase not in _MAKER_PHASES or agents.market.state not in _MAKER_STATES:
            return
        plan, now = agents.plan, self.exchange.now_ns()
        anchor = self.anchor(plan, now)
        widening = self._widening(plan, now)
        if anchor != agents.anchor or not agents.active:  # a new spread only when the price moves
            target = 2.0 * plan.half_ticks * widening * (0.6 + 0.8 * agents.draw())
            agents.spread = max(1, round(target))
        agents.anchor = anchor
        agents.active = True
        spread = agents.spread
        skew = max(-spread - 1, min(spread + 1, -int(agents.inventory / plan.skew_unit)))
        bid = anchor - (spread - 1) // 2 + skew
        depth = plan.quote_size / math.sqrt(widening)
        makers, quotes, quote_at, working = (
            self.makers,
            agents.quotes,
            agents.quote_at,
            self.exchange.order,
        )
        for slot in range(2 * makers):
            level = slot % makers
            buy = slot < makers
            index = bid - level * plan.gap if buy else bid + spread + level * plan.gap
            order_id = quotes[slot]
            if (
                order_id is not None
                and abs(quote_at[slot] - index) <= plan.tolerance + level
                and working(order_id) is not None
            ):
                continue  # close enough and still working: the common case, kept cheap
            size = _lots(depth * (1 + level) * (0.5 + agents.draw()), plan.lot)
            self._place(agents, slot, buy, index, size)

    def _place(self, agents: SymbolAgents, slot: int, buy: bool, index: int, size: int) -> None:
        """Put quote `slot` at ladder `index`: move it (keeping a queue-worthy remainder), or
        cancel what is left and send `size` shares anew; off the ladder, withdraw it."""
        ladder = agents.plan.ladder
        order_id = agents.quotes[slot]
        order = self.exchange.order(order_id) if order_id is not None else None
        if order is not None and order_id is not None:
            if 0 <= index < len(ladder) and order.leaves * 3 >= size:
                update = self.exchange.modify(order_id, price=ladder[index])
                self.stats.modifies += 1
                if not self.stats.refused(update):
                    agents.quote_at[slot] = index
                return
            self._cancel(order_id)
        agents.quotes[slot] = None
        if 0 <= index < len(ladder):
            agents.quotes[slot] = self._submit(agents, MM_ACCOUNT, buy, size, ladder[index])
            agents.quote_at[slot] = index

    def on_event(self, event: object) -> None:
        """Exchange listener: a maker's fill moves its inventory and schedules a refill."""
        if type(event) is not Fill or event.account != MM_ACCOUNT:
            return
        row = self.by_symbol.get(event.symbol)
        if row is None:
            return
        agents = self.symbols[row]
        agents.inventory += event.qty if event.side is Side.BUY else -event.qty
        if not agents.refill_due:
            agents.refill_due = True
            heapq.heappush(self.refills, (event.ts_ns + agents.plan.refill_ns, row))

    # -- noise and momentum traders ----------------------------------------------------------

    def noise(self, row: int, size: int, u1: float, u2: float, u3: float) -> None:
        """One noise trader arrives: a passive, marketable or market order (call: a limit)."""
        agents = self.symbols[row]
        anchor = self.anchor(agents.plan, self.exchange.now_ns())
        if agents.market.state is SymbolState.CONTINUOUS and self._drifted(agents, anchor):
            self.requote(agents)  # may trade, and even start a VI: read the state after it
        state = agents.market.state
        if state is SymbolState.CONTINUOUS:
            self._continuous(agents, anchor, size, u1 < 0.5, u2, u3)
        elif state in _CALL_STATES:
            self._call_order(agents, anchor, size, u1 < 0.5, u2, u3)

    def _continuous(
        self, agents: SymbolAgents, anchor: int, size: int, buy: bool, u2: float, u3: float
    ) -> None:
        config, plan = self.config, agents.plan
        top = len(plan.ladder) - 1
        if u2 < config.passive_share:
            away = int(-math.log(1.0 - u3) * plan.passive_ticks)
            index = anchor - away if buy else anchor + 1 + away
            self._rest(agents, buy, size, plan.ladder[min(max(index, 0), top)])
        elif u2 < config.passive_share + config.marketable_share:
            extra = int(u3 * 3)
            index = self._opposite(agents, buy, anchor) + (extra if buy else -extra)
            price = plan.ladder[min(max(index, 0), top)]
            if u3 * 3 - extra < 0.5:
                self._submit(agents, NOISE_ACCOUNT, buy, size, price, tif=TimeInForce.IOC)
            else:
                self._rest(agents, buy, size, price)
        else:
            self._submit(agents, NOISE_ACCOUNT, buy, size, None, OrderType.MARKET, TimeInForce.IOC)

    def _opposite(self, agents: SymbolAgents, buy: bool, anchor: int) -> int:
        """Ladder index of the best opposite price, or next to the latent one if that is empty."""
        book = agents.market.book
        best = book.best_ask() if buy else book.best_bid()
        if best:
            return bisect_left(agents.plan.ladder, best)
        return anchor + 1 if buy else anchor

    def _rest(self, agents: SymbolAgents, buy: bool, size: int, price: int) -> None:
        """A DAY limit that may rest; beyond the cap the oldest resting one is cancelled."""
        order_id = self._submit(agents, NOISE_ACCOUNT, buy, size, price)
        if order_id is None:
            return
        resting = agents.resting
        resting.append(order_id)
        while len(resting) > self.config.max_resting_noise:
            oldest = resting.popleft()
            if self.exchange.order(oldest) is not None:
                self._cancel(oldest)

    def _call_order(
        self, agents: SymbolAgents, anchor: int, size: int, buy: bool, u2: float, u3: float
    ) -> None:
        """An order for a call auction: mostly limits spread around the latent price."""
        plan = agents.plan
        if u2 < _AUCTION_MARKET_SHARE:
            self._submit(agents, NOISE_ACCOUNT, buy, size, None, OrderType.MARKET)
            return
        index = anchor + round((2.0 * u3 - 1.0) * plan.auction_ticks) + (0 if buy else 1)
        price = plan.ladder[min(max(index, 0), len(plan.ladder) - 1)]
        self._submit(agents, NOISE_ACCOUNT, buy, size, price)

    def auction(self, row: int, size: int, u1: float, u2: float, u3: float) -> None:
        """An order during the opening or closing intake, biased to one side per symbol."""
        agents = self.symbols[row]
        if agents.market.state not in _CALL_STATES:
            return
        plan, now = agents.plan, self.exchange.now_ns()
        bias = plan.open_buy if now < plan.t0 else plan.close_buy
        self._call_order(agents, self.anchor(plan, now), size, u1 < bias, u2, u3)

    def momentum(self, row: int, size: int, u1: float, u2: float, u3: float) -> None:
        """A momentum trader looks: chase the move since the previous look if it is large."""
        agents = self.symbols[row]
        market, plan = agents.market, agents.plan
        last, reference = market.last_price, agents.momentum_ref
        agents.momentum_ref = last
        if market.state is not SymbolState.CONTINUOUS or not last or not reference:
            return
        move = (last - reference) / reference
        if abs(move) < plan.momentum_threshold:
            return
        anchor = self.anchor(plan, self.exchange.now_ns())
        if self._drifted(agents, anchor):
            self.requote(agents)
            if market.state is not SymbolState.CONTINUOUS:
                return  # the requote traded into a VI: IOC orders would be refused
        buy = move > 0
        qty = _lots(size * min(3.0, abs(move) / plan.momentum_threshold), plan.lot)
        index = self._opposite(agents, buy, anchor) + (2 if buy else -2)
        price = plan.ladder[min(max(index, 0), len(plan.ladder) - 1)]
        self._submit(agents, MOMENTUM_ACCOUNT, buy, qty, price, tif=TimeInForce.IOC)

    # -- off-hours sessions ------------------------------------------------------------------

    def closing_price(self, row: int, size: int, u1: float, u2: float, u3: float) -> None:
        """A closing-price order (08:30-08:40 at the previous close, 15:40-16:00 at today's)."""
        agents = self.symbols[row]
        if agents.market.state is SymbolState.HALTED:
            return
        kind = OrderType.CLOSING_PRICE
        self._submit(agents, NOISE_ACCOUNT, u1 < 0.5, size, None, kind)

    def after_hours(self, row: int, size: int, u1: float, u2: float, u3: float) -> None:
        """A limit order for the 16:00-18:00 single-price rounds, near today's close."""
        agents = self.symbols[row]
        if agents.market.state not in _CALL_STATES:
            return
        plan = agents.plan
        close = agents.market.last_price or plan.closes[-1]
        index = _floor_index(plan.ladder, close * (1.0 + (u3 - 0.5) * _AFTER_HOURS_RANGE))
        self._submit(agents, NOISE_ACCOUNT, u1 < 0.5, size, plan.ladder[index])

    # -- talking to the exchange -------------------------------------------------------------

    def _submit(
        self,
        agents: SymbolAgents,
        account: str,
        buy: bool,
        qty: int,
        price: int | None,
        order_type: OrderType = OrderType.LIMIT,
        tif: TimeInForce = TimeInForce.DAY,
    ) -> str | None:
        """Send a new order; its exchange id, or None when refused (counted)."""
        self._ids += 1
        request = OrderRequest(
            client_order_id=str(self._ids),
            account=account,
            symbol=agents.plan.symbol,
            side=Side.BUY if buy else Side.SELL,
            qty=qty,
            order_type=order_type,
            price=price,
            tif=tif,
        )
        update = self.exchange.submit(request)
        self.stats.orders += 1
        return None if self.stats.refused(update) else update.venue_order_id

    def _cancel(self, order_id: str) -> None:
        self.stats.cancels += 1
        self.stats.refused(self.exchange.cancel(order_id))


def _floor_index(ladder: list[int], price: float) -> int:
    """Index of the highest ladder price at or below `price` KRW (0 below the ladder)."""
    return min(max(bisect_right(ladder, price) - 1, 0), len(ladder) - 1)


def _lots(shares: float, lot: int) -> int:
    """`shares` rounded down to whole lots, at least one lot."""
    return max(int(shares) // lot, 1) * lot
