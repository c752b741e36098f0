"""markcap's domain core: state, position accounting, bankruptcy prices, the cap,
liquidation and ADL. Plain Python + numpy + sortedcontainers; never imports grpc."""
from .engine import Engine
from .errors import (DuplicateTooOld, EngineError, InvalidInput, LimitExceeded,
                     PreconditionFailed, SequenceGap, UnknownId)
from .types import *  # noqa: F401,F403  (the value types are the engine's API)
