"""Proto enum numbers <-> engine enums, matched by name (CONTRACT_KIND_LINEAR <-> LINEAR).

`*_UNSPECIFIED` (0) becomes None, which the engine reads as "default / keep";
a number the proto does not define is bad input.
"""
from __future__ import annotations

import enum
from typing import TypeVar

from markcap.engine import (AdlAllocation, AdlRanking, CapPolicy, ContractKind, InvalidInput,
                            LiquidationReason, Side, SweepStopReason)
from markcap.v1 import risk_engine_pb2 as pb

EngineEnum = TypeVar("EngineEnum", bound=enum.IntEnum)


class EnumPair:
    """One proto enum and its engine twin, e.g. pb.ContractKind and ContractKind."""

    def __init__(self, proto_enum, engine_enum: type[EngineEnum], prefix: str):
        self.proto_name = proto_enum.DESCRIPTOR.name
        self._to_engine = {}
        self._to_proto = {}
        for name, number in proto_enum.items():
            if number == 0:
                continue
            # A KeyError here means proto and engine disagree: fail at import, not per call.
            member = engine_enum[name.removeprefix(prefix)]
            self._to_engine[number] = member
            self._to_proto[member] = number
        missing = set(engine_enum) - set(self._to_proto)
        if missing:
            raise TypeError(f"{self.proto_name} lacks engine values {sorted(missing)}")

    def optional(self, number: int, field: str):
        """The engine value, or None for *_UNSPECIFIED ("default")."""
        if number == 0:
            return None
        return self.required(number, field)

    def required(self, number: int, field: str):
        """The engine value; *_UNSPECIFIED or an undefined number is bad input."""
        if number == 0:
            raise InvalidInput(f"{field} is required ({self.proto_name} UNSPECIFIED given)",
                               field=field, value=number)
        member = self._to_engine.get(number)
        if member is None:
            raise InvalidInput(f"{field} {number} is not a defined {self.proto_name} value",
                               field=field, value=number)
        return member

    def to_proto(self, member: enum.IntEnum) -> int:
        return self._to_proto[member]


CONTRACT_KIND = EnumPair(pb.ContractKind, ContractKind, "CONTRACT_KIND_")
CAP_POLICY = EnumPair(pb.CapPolicy, CapPolicy, "CAP_POLICY_")
ADL_RANKING = EnumPair(pb.AdlRanking, AdlRanking, "ADL_RANKING_")
ADL_ALLOCATION = EnumPair(pb.AdlAllocation, AdlAllocation, "ADL_ALLOCATION_")
SIDE = EnumPair(pb.Side, Side, "SIDE_")
LIQUIDATION_REASON = EnumPair(pb.LiquidationReason, LiquidationReason, "LIQUIDATION_REASON_")
SWEEP_STOP_REASON = EnumPair(pb.SweepStopReason, SweepStopReason, "SWEEP_STOP_REASON_")
