"""Structured logs: one JSON line per applied ApplyMark that capped, liquidated or
deleveraged, on logger "markcap.marks", for log shippers to index.

    {"ts": "2025-01-01T00:00:00.000000Z", "level": "WARNING", "logger": "markcap.marks",
     "event": "mark", "seq": 2, "instrument_id": 7, "requested_price": 150.0,
     "applied_price": 125.0, "capped": true, "liquidation_count": 1, ...}
"""
from __future__ import annotations

import logging

from markcap.engine import MarkOutcome

LOGGER_NAME = "markcap.marks"
LOG = logging.getLogger(LOGGER_NAME)
# Account lists are cut here, so one line stays one line when thousands are hit.
LISTED_ACCOUNTS = 20


def _finite(value: float | None) -> float | None:
    """JSON has no inf or nan; they are logged as null."""
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return value


def mark_fields(outcome: MarkOutcome) -> dict:
    liquidated = [liquidation.account_id for liquidation in outcome.liquidations]
    deleveraged = [fill.account_id for fill in outcome.adl_fills]
    return {
        "event": "mark", "seq": outcome.seq, "instrument_id": outcome.instrument_id,
        "cap_policy": outcome.cap_policy.name,
        "previous_price": outcome.previous_price, "requested_price": outcome.requested_price,
        "applied_price": outcome.applied_price, "capped": outcome.capped,
        "first_bankruptcy_price": _finite(outcome.first_bankruptcy_price),
        "liquidation_count": len(liquidated),
        "liquidated_account_ids": liquidated[:LISTED_ACCOUNTS],
        "adl_fill_count": len(deleveraged),
        "adl_contracts": sum(abs(fill.qty) for fill in outcome.adl_fills),
        "adl_account_ids": deleveraged[:LISTED_ACCOUNTS],
        "insurance_fund_equity_before": _finite(outcome.insurance_fund_equity_before),
        "insurance_fund_equity_after": _finite(outcome.insurance_fund_equity_after),
        "insurance_fund_deficit": _finite(outcome.insurance_fund_deficit),
        "negative_equity_account_count": len(outcome.negative_equity_accounts),
    }


def log_if_eventful(outcome: MarkOutcome) -> None:
    """Logs an applied mark that capped, liquidated or deleveraged; WARNING when it left
    the fund in deficit, INFO otherwise."""
    if not (outcome.capped or outcome.liquidations or outcome.adl_fills):
        return
    level = logging.WARNING if outcome.insurance_fund_deficit > 0 else logging.INFO
    LOG.log(level, "mark", extra={"fields": mark_fields(outcome)})
