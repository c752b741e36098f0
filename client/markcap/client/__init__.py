"""Typed Python client of markcap's RiskEngineService, and the `markcap` CLI built on it."""
from .client import MarkcapClient
from .deltas import DeltaBatch, Fills, Transfers, split_batches
from .errors import (DiskSpaceLowError, DuplicateTooOldError, InvalidInputError, LimitExceededError,
                     MalformedRequestError, MarkcapError, PersistenceFailedError, PreconditionFailedError,
                     SeqContentDiffersError, SeqGapError, ServerStoppingError, UnknownIdError)
from .retry import RetryPolicy

__all__ = ["MarkcapClient", "MarkcapError", "DeltaBatch", "Fills", "Transfers", "RetryPolicy",
           "split_batches", "InvalidInputError", "MalformedRequestError", "UnknownIdError", "SeqGapError",
           "DuplicateTooOldError", "SeqContentDiffersError", "PreconditionFailedError", "LimitExceededError",
           "DiskSpaceLowError", "ServerStoppingError", "PersistenceFailedError"]
