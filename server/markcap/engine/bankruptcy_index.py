"""Per-instrument bankruptcy-price index: which holders of x go bankrupt first (SPEC 3.3-3.4).

A holder's bankruptcy price in x does not depend on x's own mark, so it can be
kept as a key that x's marks never touch. It does move with the account's own
fills and transfers (re-keyed after each batch) and with the marks of the
account's other instruments y. For those, keys are stored at a reference
price vector R[x, t] per book and tier, and each query widens its search by a
bound on how far other marks have moved them since; the accounts inside that
window are then recomputed exactly with the same formula as a full scan, so
answers are exact.

Keys live in "z-space", linear in E' (the account's equity without x):
LINEAR z = b = (K*s - E')/(q*m*s); INVERSE z = 1/b = (K + E'/s)/(q*m).
E' is linear in each other instrument's feature f_y (p_y for LINEAR y, 1/p_y
for INVERSE y): dE'/df_y = s_y*q_y*m_y (negated for INVERSE). So with
w_iy = |s_y*q_iy*m_y| and g_iy = w_iy/(|q_ix|*m_x*s_x), for a row i of tier t:
    |z_i(now) - z_i(R)| <= sum_y g_iy*|f_y - R_y|
                        <= min(sum_y G[x,t,y]*|f_y - R_y|, U[x,t] * max_y |f_y - R_y|/|R_y|) = B[x,t],
where R = R[x, t], G[x,t,y] >= g_iy and U[x,t] >= sum_y g_iy*|R_y| are running
maxima over the tier's rows (rebuilt when the tier is reset). Rows are tiered
by the dimensionless ratio of their other positions' value to their position
in x (sum_y w_iy*|f_y| / (|q_ix|*m_x*s_x*|f_x|), TIER_LIMITS, geometric), so
single-position accounts (ratio 0, exact keys) and mildly cross-margined ones
are not searched with the wide window the heavily cross-exposed need. The fund
is always evaluated exactly. When a tier's searches keep returning many more
rows than CANDIDATE_BUDGET, its reference is moved to the current marks and
its rows re-keyed (ski rental: only once the extra work has cost about as much
as that re-key).

Per book one GroupedBlockMin holds each row's priority for the move that
harms it (shorts: rise, longs: fall), ordered harmed-first (rise LINEAR z,
rise INVERSE -z, fall LINEAR -z, fall INVERSE z), in group 2*tier + side.
Currency price changes re-key everything (they move s and the value of
balances). Invariants: every keyed row of book x in tier t has z computed with
each other instrument y at R[x, t, y]; G[x, t] and U[x, t] bound every such row.
"""
from __future__ import annotations

import numpy as np

from .blockmin import NO_GROUP, GroupedBlockMin
from .changes import RowEvent
from .runs import run_bounds
from .valuation import AccountPositions
from .types import ContractKind, Instrument

CANDIDATE_BUDGET = 256      # candidates a query may take before the excess counts towards a reset
RESET_SHARE = 1.0           # a tier is re-keyed once its excess candidates reach this share of its rows
# exposure-ratio upper bounds of tiers 0..len-1 (tier 0: nothing else held, exact keys); the last tier above
TIER_LIMITS = np.array([0.0, 1 / 16, 1 / 4, 1.0, 4.0, 16.0, 64.0, 256.0])
BOUND_MARGIN = 1e-9         # relative slack for float rounding between key and exact paths
BULK_ROW_EVENTS = 32        # a book with this many row events catches up in one batched write
REKEY_CHUNK = 65536         # accounts re-keyed at once (bounds the exposure matrix's memory)
RISE, FALL = 0, 1           # a row's side: shorts are harmed by a rise, longs by a fall


def feature(instrument: Instrument, price: float) -> float:
    """The variable E' is linear in: p for LINEAR, 1/p for INVERSE."""
    return price if instrument.kind == ContractKind.LINEAR else 1.0 / price


def harmed_first_sign(kind: ContractKind, direction: int) -> int:
    """s with priority = s*z ascending = nearest bankruptcy first, for a move in `direction`."""
    linear = kind == ContractKind.LINEAR
    return 1 if (direction > 0) == linear else -1


class BookKeys:
    """Priorities aligned with one PositionBook's rows, grouped by tier and harmed side.

    A row's group is 2*tier + side (RISE for shorts, FALL for longs), NO_GROUP
    for the fund (evaluated exactly on every query); its value is its priority
    for the move that harms it. Tiers (TIER_LIMITS) sort rows by how much their
    other positions are worth against their position here, so highly
    cross-exposed rows do not widen the search window of the others; each tier
    has its own reference vector, bounds and reset.
    """

    def __init__(self, instrument_id: int, bit: int, tiers: int):
        self.instrument_id = instrument_id
        self.bit = bit
        self.priority = GroupedBlockMin(2 * tiers)
        self.excess = np.zeros(tiers, dtype=np.int64)  # candidates beyond the budget since each tier's reset

    def resize(self, count: int) -> None:
        self.priority.resize(count)

    def move(self, from_row: int, to_row: int) -> None:
        self.priority.move(from_row, to_row)

    def replay(self, events: list[RowEvent]) -> None:
        """The same as applying `events` one by one (resize and move), in one batched write: the
        events are followed on a map of final row -> row it came from (-1: appended), touching
        only the rows they name."""
        priority = self.priority
        before = count = priority.count
        came_from: dict[int, int] = {}
        for event in events:
            if event.moved_from is None:
                for row in range(event.row, event.row + event.count):
                    came_from[row] = -1
                count = event.row + event.count
            else:
                if event.moved_from >= 0:
                    came_from[event.row] = came_from.get(event.moved_from,
                                                         event.moved_from if event.moved_from < before else -1)
                count = event.moved_from if event.moved_from >= 0 else event.row
        rows = np.array(sorted(row for row in came_from if row < count), dtype=np.int64)
        sources = np.array([came_from[row] for row in rows.tolist()], dtype=np.int64)
        held = sources >= 0
        values = np.where(held, priority.values[np.where(held, sources, 0)], np.inf)
        groups = np.where(held, priority.group[np.where(held, sources, 0)], NO_GROUP)
        priority.resize(max(count, before))
        if len(rows):
            priority.set(rows, values, groups)
        priority.resize(count)


class BankruptcyIndex:
    """Keys, bounds and candidate search over every book of an ExchangeState.

    Each tier t of each book x keeps its own reference vector R[x, t] (a feature
    value per instrument); its keys are computed with every other instrument y
    at R[x, t, y]. Resetting R[x, t] to the current marks re-keys that tier's rows.
    It reads the state and never writes it; the owner (risk.py) feeds it the
    state's changes through `catch_up`.
    """

    def __init__(self, state):
        self.state = state
        self.tier_limits = np.asarray(TIER_LIMITS, dtype=np.float64)
        self.tiers = len(self.tier_limits) + 1
        self.keys: dict[int, BookKeys] = {}
        self.reference = np.zeros((0, self.tiers, 0))    # R[bit of x, tier, bit of y], features
        self.sensitivity = np.zeros((0, self.tiers, 0))  # G[bit of x, tier, bit of y]
        self.drift = np.zeros((0, self.tiers))           # U[bit of x, tier]
        self._features_cache, self._features_at = np.zeros(0), (-1, 0)
        self._by_bit: list[BookKeys] = []

    # ---- structure ------------------------------------------------------------

    def catch_up_structure(self, row_events: list[RowEvent], unheld_terms: list[int]) -> None:
        """Keys for books the state added, kept aligned with their rows (the events in order)."""
        state = self.state
        while len(self._by_bit) < len(state.instrument_of_bit):
            instrument_id = state.instrument_of_bit[len(self._by_bit)]
            self._attach(state.instruments.by_id[instrument_id])
        by_bit: dict[int, list[RowEvent]] = {}
        for event in row_events:  # books are independent; each book's events stay in order
            by_bit.setdefault(event.bit, []).append(event)
        for bit, events in by_bit.items():
            keys = self._by_bit[bit]
            if len(events) >= BULK_ROW_EVENTS:
                keys.replay(events)
                continue
            for event in events:
                if event.moved_from is None:
                    keys.resize(event.row + event.count)
                else:
                    if event.moved_from >= 0:  # the book's last row now lives at `row`
                        keys.move(event.moved_from, event.row)
                    keys.resize(event.moved_from if event.moved_from >= 0 else event.row)
        for instrument_id in unheld_terms:
            if not len(state.books[instrument_id]):
                self._unheld_terms_changed(state.instruments.by_id[instrument_id])

    def _attach(self, instrument: Instrument) -> None:
        """Starts keeping keys for a new instrument's book (books are numbered 0, 1, ...)."""
        bit = len(self.keys)
        assert self.state.instrument_of_bit[bit] == instrument.instrument_id
        keys = BookKeys(instrument.instrument_id, bit, self.tiers)
        self.keys[instrument.instrument_id] = keys
        reference = np.zeros((bit + 1, self.tiers, bit + 1))
        reference[:bit, :, :bit] = self.reference
        reference[:, :, bit] = feature(instrument, instrument.mark_price)  # nobody holds it yet
        reference[bit, :, :] = self._features()[: bit + 1]  # books added after this one come next
        self.reference = reference
        sensitivity = np.zeros((bit + 1, self.tiers, bit + 1))
        sensitivity[:bit, :, :bit] = self.sensitivity
        self.sensitivity = sensitivity
        self.drift = np.vstack([self.drift, np.zeros((1, self.tiers))])
        self._by_bit.append(keys)

    def _unheld_terms_changed(self, instrument: Instrument) -> None:
        """An unheld instrument's mark or kind changed: no key depends on it, so take its new feature."""
        self.reference[:, :, self.keys[instrument.instrument_id].bit] = feature(instrument, instrument.mark_price)

    def _features(self) -> np.ndarray:
        """f of every instrument at its current mark, by bit (cached until an instrument changes;
        callers must not modify it)."""
        table, books = self.state.instruments, self.state.instrument_of_bit
        if self._features_at == (table.version - 1, len(books)) and table.last_put in self.keys:
            # one put since (a mark moving): patch that feature, not all of them
            instrument = table.by_id[table.last_put]
            features = self._features_cache.copy()  # a caller may still hold the old array
            features[self.keys[instrument.instrument_id].bit] = feature(instrument, instrument.mark_price)
            self._features_cache, self._features_at = features, (table.version, len(books))
        elif self._features_at != (table.version, len(books)):
            instruments = table.by_id
            self._features_cache = np.array([feature(instruments[i], instruments[i].mark_price)
                                             for i in books])
            self._features_at = (table.version, len(books))
        return self._features_cache

    # ---- keys -----------------------------------------------------------------

    def rekey(self, slots: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Recomputes every key of these accounts (distinct, ascending; all accounts when None).
        Returns (the slots that still exist, whether each may have equity < 0 at the current
        marks), from the float equity the keys are computed from anyway."""
        state = self.state
        if slots is None:
            slots = np.arange(state.accounts.count, dtype=np.int64)
        slots = slots[slots < state.accounts.count]  # an account a rolled-back input created is gone
        maybe_negative = np.zeros(len(slots), dtype=bool)
        for start in range(0, len(slots), REKEY_CHUNK):
            local = AccountPositions(state, slots[start: start + REKEY_CHUNK])
            self._key_positions(local)
            maybe_negative[start: start + REKEY_CHUNK] = local.maybe_negative(local.equity_at_marks())
        return slots, maybe_negative

    def _key_positions(self, local: AccountPositions, only_bit: int | None = None) -> None:
        """Keys of the positions of `local`'s accounts (only those in book `only_bit` if given).

        A position a's tier comes from its exposure ratio at the current marks;
        its key uses E'_a, the account's equity without a, at R[bit_a, tier_a]:
        balances plus, for each other position b of the same account, s_b*upnl_b
        at the feature R[bit_a, tier_a, bit_b]. Pairs (a, b) are enumerated per account.
        """
        positions = _Positions(self, local)
        if positions.count == 0:
            return
        first, second = positions.pairs()
        features = self._features()
        tier = self._tiers(positions, first, second, features)
        if only_bit is not None:  # pairs of the other books' positions are not needed
            wanted = positions.bit[first] == only_bit
            first, second = first[wanted], second[wanted]
        reference = self.reference[positions.bit[first], tier[first], positions.bit[second]]
        price = np.where(positions.linear[second], reference, 1.0 / reference)
        other = positions.sigma[second] * np.where(
            positions.linear[second],
            positions.qty[second] * positions.multiplier[second] * price - positions.cost[second],
            positions.cost[second] - positions.qty[second] * positions.multiplier[second] / price)
        equity_without = local.balance_value[positions.account] + np.bincount(
            first, weights=other, minlength=positions.count)
        denominator = positions.qty * positions.multiplier * positions.sigma
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(positions.linear, (positions.cost * positions.sigma - equity_without) / denominator,
                         (positions.cost * positions.sigma + equity_without) / denominator)
        fund = local.slots[positions.account] == self.state.fund_slot
        # bounds: G[x, t, y] >= g_iy and U[x, t] >= sum_y g_iy*|R[x, t, y]| over the tier's rows (fund excepted)
        counted = ~fund[first]
        sensitivity = positions.exposure[second] / np.abs(denominator[first])
        np.maximum.at(self.sensitivity, (positions.bit[first][counted], tier[first][counted],
                                         positions.bit[second][counted]), sensitivity[counted])
        drift = np.bincount(first[counted], weights=sensitivity[counted] * np.abs(reference[counted]),
                            minlength=positions.count)
        np.maximum.at(self.drift, (positions.bit, tier), drift)
        shorts = positions.qty < 0
        # harmed_first_sign for each row's own side: +1 for LINEAR shorts and INVERSE longs
        priority = np.where(shorts == positions.linear, z, -z)
        group = np.where(fund, NO_GROUP, 2 * tier + np.where(shorts, RISE, FALL))
        # The fund's rows stay in NO_GROUP from their append on (it is evaluated exactly on
        # every query), so only the others are written: after a takeover the fund holds a
        # position in most books, and a write per book is most of a re-key's cost.
        keyed = np.flatnonzero(~fund)
        by_book = keyed[np.argsort(positions.bit[keyed], kind="stable")]
        bits = positions.bit[by_book]
        for start, end in zip(*(bound.tolist() for bound in run_bounds(bits))):
            bit = int(bits[start])
            if only_bit is not None and bit != only_bit:
                continue
            mine = by_book[start:end]
            self._by_bit[bit].priority.set(positions.row[mine], priority[mine], group[mine])

    def _tiers(self, positions: "_Positions", first: np.ndarray, second: np.ndarray,
               features: np.ndarray) -> np.ndarray:
        """Tier of each position: its account's other value over its own (TIER_LIMITS), at the current marks."""
        value = positions.exposure * np.abs(features)[positions.bit]
        others = np.bincount(first, weights=value[second], minlength=positions.count)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(value > 0, others / value, np.inf)
        return np.searchsorted(self.tier_limits, np.maximum(ratio, 0.0), side="left")

    # ---- queries --------------------------------------------------------------

    def bounds(self, instrument_id: int, features: np.ndarray | None = None) -> np.ndarray:
        """B[x, t] for every tier t: how far any of its keys can have moved since computed.

        Two bounds hold for a row i of tier t, and the smaller is taken:
        sum_y g_iy*|f_y - R_y| <= sum_y G[x, t, y]*|f_y - R_y|, and
        sum_y g_iy*|R_y| * |f_y - R_y|/|R_y| <= U[x, t] * max_y |f_y - R_y|/|R_y|.
        The second stays small when many instruments moved a little.
        A tier no row of which holds a moved instrument has a zero bound whatever
        the move. A bound that is not finite (NaN included) comes back as +inf:
        `candidates` then scans that tier whole, so no value can hide a row.
        """
        bit = self.keys[instrument_id].bit
        features = self._features() if features is None else features
        reference = self.reference[bit]                    # (tiers, bits)
        sensitivity = self.sensitivity[bit]
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            moved = np.abs(features - reference)
            moved[:, bit] = 0.0                            # x's own mark moves none of its keys
            by_sensitivity = np.where(sensitivity > 0, sensitivity * moved, 0.0).sum(axis=1)
            relative = np.where(sensitivity > 0, moved / np.abs(reference), 0.0).max(axis=1)
            by_drift = np.where(self.drift[bit] > 0, self.drift[bit] * relative, 0.0)
            bound = np.minimum(by_sensitivity, by_drift)
        return np.where(np.isfinite(bound), bound, np.inf)

    def candidates(self, instrument_id: int, direction: int, priority_at: float | None = None,
                   may_reset: bool = True, beyond: float = 0.0) -> tuple[np.ndarray, float]:
        """Book rows that may hold the nearest bankruptcy in `direction` (or be at or past `priority_at`).

        Per tier t with bound B_t, the true nearest priority is at most
        T = min_t(smallest_t + B_t); every row whose exact priority is <= max(T + beyond,
        priority_at) has a stale one <= that + B_t, so those rows are taken,
        and the fund if it is harmed. Returns the rows (ascending) and that priority: a later
        question about rows up to it (with nothing changed) needs no search.
        `may_reset` False (queries) never re-keys a tier: the answer is the same, only the
        search wider.
        """
        keys = self.keys[instrument_id]
        groups = slice(RISE if direction > 0 else FALL, None, 2)  # this side's group of every tier
        while True:
            bounds = self.bounds(instrument_id)
            nearest = (keys.priority.minima(groups) + bounds).min() + beyond  # +inf: no tier bounds it
            if priority_at is not None:
                nearest = max(nearest, priority_at)
            unbounded = np.isinf(bounds) & (keys.priority.minima(groups) < np.inf)
            if not np.isfinite(nearest) and not unbounded.any():
                rows = np.zeros(0, dtype=np.int64)
                break
            thresholds = nearest + bounds  # +inf for an unbounded tier: every row of it (fail closed)
            with np.errstate(invalid="ignore"):
                margin = BOUND_MARGIN * (1.0 + np.abs(thresholds))
            rows = keys.priority.rows_at_most(np.where(np.isfinite(thresholds), thresholds + margin, np.inf),
                                              groups)
            if not may_reset or not self._reset_wide_tiers(keys, rows, bounds):
                break
        covered = float(nearest)
        book = self.state.books[instrument_id]
        fund_row = book.row(self.state.fund_slot)
        if fund_row is not None and book.qty[fund_row] * direction < 0:
            rows = np.append(rows, fund_row)
        return np.unique(rows), covered

    def _reset_wide_tiers(self, keys: BookKeys, rows: np.ndarray, bounds: np.ndarray) -> bool:
        """Ski rental: once a tier's candidates beyond the budget have cost about as much as
        re-keying the tier (RESET_SHARE of its rows), move its reference to the current marks
        and re-key it. Only a tier with a window (bound > 0) can gain. Says whether any was reset."""
        if len(rows) <= CANDIDATE_BUDGET:
            return False
        per_tier = np.bincount(keys.priority.group[rows] // 2, minlength=self.tiers)
        keys.excess += per_tier
        sizes = keys.priority.sizes.reshape(-1, 2).sum(axis=1)
        due = np.flatnonzero((keys.excess >= RESET_SHARE * sizes) & (per_tier > 0) & (bounds > 0))
        for tier in due.tolist():
            self.reset_tier(keys.instrument_id, tier)
        return len(due) > 0

    def reset_tier(self, instrument_id: int, tier: int) -> None:
        """R[x, t] := the current features, re-keying the tier's rows (they may change tier)."""
        keys = self.keys[instrument_id]
        bit = keys.bit
        keys.excess[tier] = 0
        self.reference[bit, tier] = self._features()
        self.sensitivity[bit, tier] = 0.0  # rebuilt from the tier's rows, below
        self.drift[bit, tier] = 0.0
        rows = keys.priority.rows_in([2 * tier + RISE, 2 * tier + FALL])
        if len(rows):
            slots = self.state.books[instrument_id].slots[rows]
            self._key_positions(AccountPositions(self.state, slots), only_bit=bit)

    def rebuild(self) -> tuple[np.ndarray, np.ndarray]:
        """Re-keys everything from the primary state, every reference at the current marks;
        returns (every slot, whether it may be negative) as `rekey` does."""
        self.reference = np.broadcast_to(self._features(), self.reference.shape).copy()
        self.sensitivity[:] = 0.0
        self.drift[:] = 0.0
        for instrument_id, keys in self.keys.items():
            keys.excess[:] = 0
            keys.resize(len(self.state.books[instrument_id]))
        return self.rekey(None)


class _Positions:
    """The positions of an AccountPositions' accounts as flat arrays, grouped by account."""

    def __init__(self, index: BankruptcyIndex, local: AccountPositions):
        state = index.state
        parts = []
        for instrument_id, (where, rows) in local.rows.items():
            instrument = state.instruments.by_id[instrument_id]
            book = state.books[instrument_id]
            parts.append((where, rows, book.qty[rows].astype(np.float64), book.cost[rows],
                          index.keys[instrument_id].bit, instrument.multiplier, state.sigma(instrument),
                          instrument.kind == ContractKind.LINEAR))
        if not parts:
            self.count = 0
            return
        account = np.concatenate([p[0] for p in parts])
        order = np.argsort(account, kind="stable")
        sizes = [len(p[0]) for p in parts]

        def column(values):
            return np.concatenate(values)[order]

        self.account = account[order]
        self.row = column([p[1] for p in parts])
        self.qty = column([p[2] for p in parts])
        self.cost = column([p[3] for p in parts])

        def constant(k, dtype):  # one value per book, repeated over its positions
            return np.repeat(np.array([p[k] for p in parts], dtype=dtype), sizes)[order]

        self.bit = constant(4, np.int64)
        self.multiplier = constant(5, np.float64)
        self.sigma = constant(6, np.float64)
        self.linear = constant(7, bool)
        self.exposure = np.abs(self.sigma * self.qty * self.multiplier)
        self.count = len(self.account)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (a, b) of two different positions of the same account, as index arrays."""
        starts, ends = run_bounds(self.account)
        counts = ends - starts
        group = np.repeat(np.arange(len(starts)), counts)           # group of each position
        per_position = counts[group]                               # size of its account's group
        first = np.repeat(np.arange(self.count), per_position)
        offset = np.arange(len(first)) - np.repeat(np.cumsum(per_position) - per_position, per_position)
        second = starts[group[first]] + offset
        different = first != second
        return first[different], second[different]
