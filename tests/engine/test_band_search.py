"""The band (SPEC 3.6: everyone bankrupt before the next grid price) after a search that
reached only part of it: on an inverse instrument far below its mark a tick is worth more
priority than at the mark, so the search for the first price does not reach the whole band
and a second search must take the rest."""
from markcap.engine import ContractKind

from .helpers import BTC, INVERSE_ID, exchange, send

# Inverse, multiplier 100, mark 50,000, tick 0.5, in BTC. A long of 1 entered at 50,000 with
# B BTC is bankrupt at p = 1 / (1/50,000 + B/100).
FIRST, SECOND, SHORT = 11, 12, 13


def test_both_longs_bankrupt_before_the_next_grid_price_go_in_one_step():
    engine = exchange()
    send(engine, transfers=[(FIRST, BTC, 0.0179984), (SECOND, BTC, 0.0179996), (SHORT, BTC, 10.0)])
    send(engine, [(FIRST, INVERSE_ID, 1, 50_000.0), (SECOND, INVERSE_ID, 1, 50_000.0),
                  (SHORT, INVERSE_ID, -2, 50_000.0)])
    assert engine.state.instruments.by_id[INVERSE_ID].kind == ContractKind.INVERSE
    outcome = engine.apply_mark(0, INVERSE_ID, 4_000.0, dry_run=True)
    # b of FIRST is 5,000.4 (the first on the way down), of SECOND 5,000.1: the cap rounds
    # toward the mark, to 5,000.5, and both are bankrupt before 5,000.0. Their priorities
    # (1/b) are 1.2e-8 apart, more than a tick at the mark (2e-10) and the float slack.
    assert outcome.capped and outcome.applied_price == 5_000.5
    assert [liquidation.account_id for liquidation in outcome.liquidations] == [FIRST, SECOND]
