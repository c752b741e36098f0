"""Typed Python client of markcap's RiskEngineService, and the `markcap` CLI built on it."""
from .client import MarkcapClient
from .deltas import DeltaBatch, Fills, Transfers, split_batches
from .errors import MarkcapError
from .retry import RetryPolicy

__all__ = ["MarkcapClient", "MarkcapError", "DeltaBatch", "Fills", "Transfers", "RetryPolicy",
           "split_batches"]
