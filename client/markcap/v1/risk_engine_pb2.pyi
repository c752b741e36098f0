from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContractKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTRACT_KIND_UNSPECIFIED: _ClassVar[ContractKind]
    CONTRACT_KIND_LINEAR: _ClassVar[ContractKind]
    CONTRACT_KIND_INVERSE: _ClassVar[ContractKind]

class CapPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAP_POLICY_UNSPECIFIED: _ClassVar[CapPolicy]
    CAP_POLICY_NO_CAP: _ClassVar[CapPolicy]
    CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE: _ClassVar[CapPolicy]

class AdlRanking(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADL_RANKING_UNSPECIFIED: _ClassVar[AdlRanking]
    ADL_RANKING_PNL: _ClassVar[AdlRanking]
    ADL_RANKING_PNL_RATIO_TIMES_LEVERAGE: _ClassVar[AdlRanking]

class AdlAllocation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADL_ALLOCATION_UNSPECIFIED: _ClassVar[AdlAllocation]
    ADL_ALLOCATION_PRO_RATA: _ClassVar[AdlAllocation]
    ADL_ALLOCATION_QUEUE: _ClassVar[AdlAllocation]

class Side(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIDE_UNSPECIFIED: _ClassVar[Side]
    SIDE_LONG: _ClassVar[Side]
    SIDE_SHORT: _ClassVar[Side]

class LiquidationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LIQUIDATION_REASON_UNSPECIFIED: _ClassVar[LiquidationReason]
    LIQUIDATION_REASON_ALREADY_BANKRUPT: _ClassVar[LiquidationReason]
    LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE: _ClassVar[LiquidationReason]

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_INPUT: _ClassVar[ErrorReason]
    ERROR_REASON_MALFORMED_REQUEST: _ClassVar[ErrorReason]
    ERROR_REASON_UNKNOWN_ID: _ClassVar[ErrorReason]
    ERROR_REASON_SEQ_GAP: _ClassVar[ErrorReason]
    ERROR_REASON_DUPLICATE_TOO_OLD: _ClassVar[ErrorReason]
    ERROR_REASON_SEQ_CONTENT_DIFFERS: _ClassVar[ErrorReason]
    ERROR_REASON_PRECONDITION_FAILED: _ClassVar[ErrorReason]
    ERROR_REASON_LIMIT_EXCEEDED: _ClassVar[ErrorReason]
    ERROR_REASON_DISK_SPACE_LOW: _ClassVar[ErrorReason]
    ERROR_REASON_SERVER_STOPPING: _ClassVar[ErrorReason]
    ERROR_REASON_PERSISTENCE_FAILED: _ClassVar[ErrorReason]

class SweepStopReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SWEEP_STOP_REASON_UNSPECIFIED: _ClassVar[SweepStopReason]
    SWEEP_STOP_REASON_REACHED_REQUESTED_PRICE: _ClassVar[SweepStopReason]
    SWEEP_STOP_REASON_NO_PROGRESS: _ClassVar[SweepStopReason]
    SWEEP_STOP_REASON_MAX_STEPS: _ClassVar[SweepStopReason]
CONTRACT_KIND_UNSPECIFIED: ContractKind
CONTRACT_KIND_LINEAR: ContractKind
CONTRACT_KIND_INVERSE: ContractKind
CAP_POLICY_UNSPECIFIED: CapPolicy
CAP_POLICY_NO_CAP: CapPolicy
CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE: CapPolicy
ADL_RANKING_UNSPECIFIED: AdlRanking
ADL_RANKING_PNL: AdlRanking
ADL_RANKING_PNL_RATIO_TIMES_LEVERAGE: AdlRanking
ADL_ALLOCATION_UNSPECIFIED: AdlAllocation
ADL_ALLOCATION_PRO_RATA: AdlAllocation
ADL_ALLOCATION_QUEUE: AdlAllocation
SIDE_UNSPECIFIED: Side
SIDE_LONG: Side
SIDE_SHORT: Side
LIQUIDATION_REASON_UNSPECIFIED: LiquidationReason
LIQUIDATION_REASON_ALREADY_BANKRUPT: LiquidationReason
LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE: LiquidationReason
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_INVALID_INPUT: ErrorReason
ERROR_REASON_MALFORMED_REQUEST: ErrorReason
ERROR_REASON_UNKNOWN_ID: ErrorReason
ERROR_REASON_SEQ_GAP: ErrorReason
ERROR_REASON_DUPLICATE_TOO_OLD: ErrorReason
ERROR_REASON_SEQ_CONTENT_DIFFERS: ErrorReason
ERROR_REASON_PRECONDITION_FAILED: ErrorReason
ERROR_REASON_LIMIT_EXCEEDED: ErrorReason
ERROR_REASON_DISK_SPACE_LOW: ErrorReason
ERROR_REASON_SERVER_STOPPING: ErrorReason
ERROR_REASON_PERSISTENCE_FAILED: ErrorReason
SWEEP_STOP_REASON_UNSPECIFIED: SweepStopReason
SWEEP_STOP_REASON_REACHED_REQUESTED_PRICE: SweepStopReason
SWEEP_STOP_REASON_NO_PROGRESS: SweepStopReason
SWEEP_STOP_REASON_MAX_STEPS: SweepStopReason

class Currency(_message.Message):
    __slots__ = ("currency_id", "code", "price", "valuation", "decimals")
    CURRENCY_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    VALUATION_FIELD_NUMBER: _ClassVar[int]
    DECIMALS_FIELD_NUMBER: _ClassVar[int]
    currency_id: int
    code: str
    price: float
    valuation: bool
    decimals: int
    def __init__(self, currency_id: _Optional[int] = ..., code: _Optional[str] = ..., price: _Optional[float] = ..., valuation: _Optional[bool] = ..., decimals: _Optional[int] = ...) -> None: ...

class Instrument(_message.Message):
    __slots__ = ("instrument_id", "symbol", "kind", "settlement_currency_id", "multiplier", "mark_price", "cap_policy", "adl_ranking", "adl_allocation", "tick_size")
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_CURRENCY_ID_FIELD_NUMBER: _ClassVar[int]
    MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    MARK_PRICE_FIELD_NUMBER: _ClassVar[int]
    CAP_POLICY_FIELD_NUMBER: _ClassVar[int]
    ADL_RANKING_FIELD_NUMBER: _ClassVar[int]
    ADL_ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_FIELD_NUMBER: _ClassVar[int]
    instrument_id: int
    symbol: str
    kind: ContractKind
    settlement_currency_id: int
    multiplier: float
    mark_price: float
    cap_policy: CapPolicy
    adl_ranking: AdlRanking
    adl_allocation: AdlAllocation
    tick_size: float
    def __init__(self, instrument_id: _Optional[int] = ..., symbol: _Optional[str] = ..., kind: _Optional[_Union[ContractKind, str]] = ..., settlement_currency_id: _Optional[int] = ..., multiplier: _Optional[float] = ..., mark_price: _Optional[float] = ..., cap_policy: _Optional[_Union[CapPolicy, str]] = ..., adl_ranking: _Optional[_Union[AdlRanking, str]] = ..., adl_allocation: _Optional[_Union[AdlAllocation, str]] = ..., tick_size: _Optional[float] = ...) -> None: ...

class FillColumns(_message.Message):
    __slots__ = ("account_id", "instrument_id", "qty", "price")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    QTY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    account_id: _containers.RepeatedScalarFieldContainer[int]
    instrument_id: _containers.RepeatedScalarFieldContainer[int]
    qty: _containers.RepeatedScalarFieldContainer[int]
    price: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, account_id: _Optional[_Iterable[int]] = ..., instrument_id: _Optional[_Iterable[int]] = ..., qty: _Optional[_Iterable[int]] = ..., price: _Optional[_Iterable[float]] = ...) -> None: ...

class TransferColumns(_message.Message):
    __slots__ = ("account_id", "currency_id", "amount")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    account_id: _containers.RepeatedScalarFieldContainer[int]
    currency_id: _containers.RepeatedScalarFieldContainer[int]
    amount: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, account_id: _Optional[_Iterable[int]] = ..., currency_id: _Optional[_Iterable[int]] = ..., amount: _Optional[_Iterable[float]] = ...) -> None: ...

class StreamDeltasRequest(_message.Message):
    __slots__ = ("seq", "fills", "transfers")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    seq: int
    fills: FillColumns
    transfers: TransferColumns
    def __init__(self, seq: _Optional[int] = ..., fills: _Optional[_Union[FillColumns, _Mapping]] = ..., transfers: _Optional[_Union[TransferColumns, _Mapping]] = ...) -> None: ...

class StreamDeltasResponse(_message.Message):
    __slots__ = ("seq", "fill_count", "transfer_count", "duplicate")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    FILL_COUNT_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    seq: int
    fill_count: int
    transfer_count: int
    duplicate: bool
    def __init__(self, seq: _Optional[int] = ..., fill_count: _Optional[int] = ..., transfer_count: _Optional[int] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class ApplyMarkRequest(_message.Message):
    __slots__ = ("seq", "instrument_id", "price", "cap_policy", "dry_run", "sweep", "max_steps")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    CAP_POLICY_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    SWEEP_FIELD_NUMBER: _ClassVar[int]
    MAX_STEPS_FIELD_NUMBER: _ClassVar[int]
    seq: int
    instrument_id: int
    price: float
    cap_policy: CapPolicy
    dry_run: bool
    sweep: bool
    max_steps: int
    def __init__(self, seq: _Optional[int] = ..., instrument_id: _Optional[int] = ..., price: _Optional[float] = ..., cap_policy: _Optional[_Union[CapPolicy, str]] = ..., dry_run: _Optional[bool] = ..., sweep: _Optional[bool] = ..., max_steps: _Optional[int] = ...) -> None: ...

class MarkStep(_message.Message):
    __slots__ = ("applied_price", "capped", "first_bankruptcy_price", "liquidation_count", "adl_fill_count", "insurance_fund_equity_after")
    APPLIED_PRICE_FIELD_NUMBER: _ClassVar[int]
    CAPPED_FIELD_NUMBER: _ClassVar[int]
    FIRST_BANKRUPTCY_PRICE_FIELD_NUMBER: _ClassVar[int]
    LIQUIDATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    ADL_FILL_COUNT_FIELD_NUMBER: _ClassVar[int]
    INSURANCE_FUND_EQUITY_AFTER_FIELD_NUMBER: _ClassVar[int]
    applied_price: float
    capped: bool
    first_bankruptcy_price: float
    liquidation_count: int
    adl_fill_count: int
    insurance_fund_equity_after: float
    def __init__(self, applied_price: _Optional[float] = ..., capped: _Optional[bool] = ..., first_bankruptcy_price: _Optional[float] = ..., liquidation_count: _Optional[int] = ..., adl_fill_count: _Optional[int] = ..., insurance_fund_equity_after: _Optional[float] = ...) -> None: ...

class LiquidatedPosition(_message.Message):
    __slots__ = ("instrument_id", "qty", "price")
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    QTY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    instrument_id: int
    qty: int
    price: float
    def __init__(self, instrument_id: _Optional[int] = ..., qty: _Optional[int] = ..., price: _Optional[float] = ...) -> None: ...

class LiquidatedBalance(_message.Message):
    __slots__ = ("currency_id", "amount")
    CURRENCY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    currency_id: int
    amount: float
    def __init__(self, currency_id: _Optional[int] = ..., amount: _Optional[float] = ...) -> None: ...

class Liquidation(_message.Message):
    __slots__ = ("account_id", "equity_before", "positions", "balances", "reason", "price")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    EQUITY_BEFORE_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    equity_before: float
    positions: _containers.RepeatedCompositeFieldContainer[LiquidatedPosition]
    balances: _containers.RepeatedCompositeFieldContainer[LiquidatedBalance]
    reason: LiquidationReason
    price: float
    def __init__(self, account_id: _Optional[int] = ..., equity_before: _Optional[float] = ..., positions: _Optional[_Iterable[_Union[LiquidatedPosition, _Mapping]]] = ..., balances: _Optional[_Iterable[_Union[LiquidatedBalance, _Mapping]]] = ..., reason: _Optional[_Union[LiquidationReason, str]] = ..., price: _Optional[float] = ...) -> None: ...

class AdlFill(_message.Message):
    __slots__ = ("account_id", "instrument_id", "qty", "price", "rank", "score")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    QTY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    instrument_id: int
    qty: int
    price: float
    rank: int
    score: float
    def __init__(self, account_id: _Optional[int] = ..., instrument_id: _Optional[int] = ..., qty: _Optional[int] = ..., price: _Optional[float] = ..., rank: _Optional[int] = ..., score: _Optional[float] = ...) -> None: ...

class AccountEquity(_message.Message):
    __slots__ = ("account_id", "equity")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    equity: float
    def __init__(self, account_id: _Optional[int] = ..., equity: _Optional[float] = ...) -> None: ...

class ApplyMarkResponse(_message.Message):
    __slots__ = ("seq", "instrument_id", "previous_price", "requested_price", "applied_price", "capped", "first_bankruptcy_price", "liquidations", "adl_fills", "negative_equity_accounts", "insurance_fund_equity_before", "insurance_fund_equity_after", "insurance_fund_deficit", "cap_policy", "dry_run", "steps", "sweep_stop_reason")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PRICE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_PRICE_FIELD_NUMBER: _ClassVar[int]
    APPLIED_PRICE_FIELD_NUMBER: _ClassVar[int]
    CAPPED_FIELD_NUMBER: _ClassVar[int]
    FIRST_BANKRUPTCY_PRICE_FIELD_NUMBER: _ClassVar[int]
    LIQUIDATIONS_FIELD_NUMBER: _ClassVar[int]
    ADL_FILLS_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_EQUITY_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    INSURANCE_FUND_EQUITY_BEFORE_FIELD_NUMBER: _ClassVar[int]
    INSURANCE_FUND_EQUITY_AFTER_FIELD_NUMBER: _ClassVar[int]
    INSURANCE_FUND_DEFICIT_FIELD_NUMBER: _ClassVar[int]
    CAP_POLICY_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    SWEEP_STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    seq: int
    instrument_id: int
    previous_price: float
    requested_price: float
    applied_price: float
    capped: bool
    first_bankruptcy_price: float
    liquidations: _containers.RepeatedCompositeFieldContainer[Liquidation]
    adl_fills: _containers.RepeatedCompositeFieldContainer[AdlFill]
    negative_equity_accounts: _containers.RepeatedCompositeFieldContainer[AccountEquity]
    insurance_fund_equity_before: float
    insurance_fund_equity_after: float
    insurance_fund_deficit: float
    cap_policy: CapPolicy
    dry_run: bool
    steps: _containers.RepeatedCompositeFieldContainer[MarkStep]
    sweep_stop_reason: SweepStopReason
    def __init__(self, seq: _Optional[int] = ..., instrument_id: _Optional[int] = ..., previous_price: _Optional[float] = ..., requested_price: _Optional[float] = ..., applied_price: _Optional[float] = ..., capped: _Optional[bool] = ..., first_bankruptcy_price: _Optional[float] = ..., liquidations: _Optional[_Iterable[_Union[Liquidation, _Mapping]]] = ..., adl_fills: _Optional[_Iterable[_Union[AdlFill, _Mapping]]] = ..., negative_equity_accounts: _Optional[_Iterable[_Union[AccountEquity, _Mapping]]] = ..., insurance_fund_equity_before: _Optional[float] = ..., insurance_fund_equity_after: _Optional[float] = ..., insurance_fund_deficit: _Optional[float] = ..., cap_policy: _Optional[_Union[CapPolicy, str]] = ..., dry_run: _Optional[bool] = ..., steps: _Optional[_Iterable[_Union[MarkStep, _Mapping]]] = ..., sweep_stop_reason: _Optional[_Union[SweepStopReason, str]] = ...) -> None: ...

class MarkRequest(_message.Message):
    __slots__ = ("instrument_id", "price", "cap_policy", "sweep", "max_steps")
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    CAP_POLICY_FIELD_NUMBER: _ClassVar[int]
    SWEEP_FIELD_NUMBER: _ClassVar[int]
    MAX_STEPS_FIELD_NUMBER: _ClassVar[int]
    instrument_id: int
    price: float
    cap_policy: CapPolicy
    sweep: bool
    max_steps: int
    def __init__(self, instrument_id: _Optional[int] = ..., price: _Optional[float] = ..., cap_policy: _Optional[_Union[CapPolicy, str]] = ..., sweep: _Optional[bool] = ..., max_steps: _Optional[int] = ...) -> None: ...

class ApplyMarksRequest(_message.Message):
    __slots__ = ("seq", "marks", "dry_run")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    MARKS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    seq: int
    marks: _containers.RepeatedCompositeFieldContainer[MarkRequest]
    dry_run: bool
    def __init__(self, seq: _Optional[int] = ..., marks: _Optional[_Iterable[_Union[MarkRequest, _Mapping]]] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class ApplyMarksResponse(_message.Message):
    __slots__ = ("seq", "outcomes")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    seq: int
    outcomes: _containers.RepeatedCompositeFieldContainer[ApplyMarkResponse]
    def __init__(self, seq: _Optional[int] = ..., outcomes: _Optional[_Iterable[_Union[ApplyMarkResponse, _Mapping]]] = ...) -> None: ...

class UpsertCurrencyRequest(_message.Message):
    __slots__ = ("seq", "currency")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    seq: int
    currency: Currency
    def __init__(self, seq: _Optional[int] = ..., currency: _Optional[_Union[Currency, _Mapping]] = ...) -> None: ...

class UpsertCurrencyResponse(_message.Message):
    __slots__ = ("seq", "negative_equity_accounts")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_EQUITY_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    seq: int
    negative_equity_accounts: _containers.RepeatedCompositeFieldContainer[AccountEquity]
    def __init__(self, seq: _Optional[int] = ..., negative_equity_accounts: _Optional[_Iterable[_Union[AccountEquity, _Mapping]]] = ...) -> None: ...

class UpsertInstrumentRequest(_message.Message):
    __slots__ = ("seq", "instrument")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_FIELD_NUMBER: _ClassVar[int]
    seq: int
    instrument: Instrument
    def __init__(self, seq: _Optional[int] = ..., instrument: _Optional[_Union[Instrument, _Mapping]] = ...) -> None: ...

class UpsertInstrumentResponse(_message.Message):
    __slots__ = ("seq", "instrument")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_FIELD_NUMBER: _ClassVar[int]
    seq: int
    instrument: Instrument
    def __init__(self, seq: _Optional[int] = ..., instrument: _Optional[_Union[Instrument, _Mapping]] = ...) -> None: ...

class ListInstrumentsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListInstrumentsResponse(_message.Message):
    __slots__ = ("instruments",)
    INSTRUMENTS_FIELD_NUMBER: _ClassVar[int]
    instruments: _containers.RepeatedCompositeFieldContainer[Instrument]
    def __init__(self, instruments: _Optional[_Iterable[_Union[Instrument, _Mapping]]] = ...) -> None: ...

class ListCurrenciesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCurrenciesResponse(_message.Message):
    __slots__ = ("currencies",)
    CURRENCIES_FIELD_NUMBER: _ClassVar[int]
    currencies: _containers.RepeatedCompositeFieldContainer[Currency]
    def __init__(self, currencies: _Optional[_Iterable[_Union[Currency, _Mapping]]] = ...) -> None: ...

class Balance(_message.Message):
    __slots__ = ("currency_id", "amount")
    CURRENCY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    currency_id: int
    amount: float
    def __init__(self, currency_id: _Optional[int] = ..., amount: _Optional[float] = ...) -> None: ...

class Position(_message.Message):
    __slots__ = ("instrument_id", "qty", "entry_price", "upnl", "bankruptcy_price", "cost", "adl_rank", "adl_indicator")
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    QTY_FIELD_NUMBER: _ClassVar[int]
    ENTRY_PRICE_FIELD_NUMBER: _ClassVar[int]
    UPNL_FIELD_NUMBER: _ClassVar[int]
    BANKRUPTCY_PRICE_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    ADL_RANK_FIELD_NUMBER: _ClassVar[int]
    ADL_INDICATOR_FIELD_NUMBER: _ClassVar[int]
    instrument_id: int
    qty: int
    entry_price: float
    upnl: float
    bankruptcy_price: float
    cost: float
    adl_rank: int
    adl_indicator: int
    def __init__(self, instrument_id: _Optional[int] = ..., qty: _Optional[int] = ..., entry_price: _Optional[float] = ..., upnl: _Optional[float] = ..., bankruptcy_price: _Optional[float] = ..., cost: _Optional[float] = ..., adl_rank: _Optional[int] = ..., adl_indicator: _Optional[int] = ...) -> None: ...

class Account(_message.Message):
    __slots__ = ("account_id", "equity", "balances", "positions")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    equity: float
    balances: _containers.RepeatedCompositeFieldContainer[Balance]
    positions: _containers.RepeatedCompositeFieldContainer[Position]
    def __init__(self, account_id: _Optional[int] = ..., equity: _Optional[float] = ..., balances: _Optional[_Iterable[_Union[Balance, _Mapping]]] = ..., positions: _Optional[_Iterable[_Union[Position, _Mapping]]] = ...) -> None: ...

class GetAccountRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    def __init__(self, account_id: _Optional[int] = ...) -> None: ...

class GetAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class GetInsuranceFundRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetInsuranceFundResponse(_message.Message):
    __slots__ = ("account", "floor", "deficit")
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    FLOOR_FIELD_NUMBER: _ClassVar[int]
    DEFICIT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    floor: float
    deficit: float
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ..., floor: _Optional[float] = ..., deficit: _Optional[float] = ...) -> None: ...

class GetBankruptcyBandRequest(_message.Message):
    __slots__ = ("instrument_id",)
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    instrument_id: int
    def __init__(self, instrument_id: _Optional[int] = ...) -> None: ...

class GetBankruptcyBandResponse(_message.Message):
    __slots__ = ("mark_price", "lower_price", "lower_account_ids", "upper_price", "upper_account_ids")
    MARK_PRICE_FIELD_NUMBER: _ClassVar[int]
    LOWER_PRICE_FIELD_NUMBER: _ClassVar[int]
    LOWER_ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    UPPER_PRICE_FIELD_NUMBER: _ClassVar[int]
    UPPER_ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    mark_price: float
    lower_price: float
    lower_account_ids: _containers.RepeatedScalarFieldContainer[int]
    upper_price: float
    upper_account_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, mark_price: _Optional[float] = ..., lower_price: _Optional[float] = ..., lower_account_ids: _Optional[_Iterable[int]] = ..., upper_price: _Optional[float] = ..., upper_account_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class GetAdlQueueRequest(_message.Message):
    __slots__ = ("instrument_id", "side", "limit")
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    instrument_id: int
    side: Side
    limit: int
    def __init__(self, instrument_id: _Optional[int] = ..., side: _Optional[_Union[Side, str]] = ..., limit: _Optional[int] = ...) -> None: ...

class AdlQueueEntry(_message.Message):
    __slots__ = ("account_id", "qty", "score", "rank", "indicator")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    QTY_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    INDICATOR_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    qty: int
    score: float
    rank: int
    indicator: int
    def __init__(self, account_id: _Optional[int] = ..., qty: _Optional[int] = ..., score: _Optional[float] = ..., rank: _Optional[int] = ..., indicator: _Optional[int] = ...) -> None: ...

class GetAdlQueueResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AdlQueueEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[AdlQueueEntry, _Mapping]]] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("applied_seq", "account_count", "position_count", "instrument_count", "version", "currency_count", "insurance_fund_account_id", "persistence", "state_hash")
    APPLIED_SEQ_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_COUNT_FIELD_NUMBER: _ClassVar[int]
    POSITION_COUNT_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_COUNT_FIELD_NUMBER: _ClassVar[int]
    INSURANCE_FUND_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSISTENCE_FIELD_NUMBER: _ClassVar[int]
    STATE_HASH_FIELD_NUMBER: _ClassVar[int]
    applied_seq: int
    account_count: int
    position_count: int
    instrument_count: int
    version: str
    currency_count: int
    insurance_fund_account_id: int
    persistence: str
    state_hash: str
    def __init__(self, applied_seq: _Optional[int] = ..., account_count: _Optional[int] = ..., position_count: _Optional[int] = ..., instrument_count: _Optional[int] = ..., version: _Optional[str] = ..., currency_count: _Optional[int] = ..., insurance_fund_account_id: _Optional[int] = ..., persistence: _Optional[str] = ..., state_hash: _Optional[str] = ...) -> None: ...

class WatchEventsRequest(_message.Message):
    __slots__ = ("from_seq",)
    FROM_SEQ_FIELD_NUMBER: _ClassVar[int]
    from_seq: int
    def __init__(self, from_seq: _Optional[int] = ...) -> None: ...

class WatchEventsResponse(_message.Message):
    __slots__ = ("seq", "mark", "currency", "marks")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    MARK_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    MARKS_FIELD_NUMBER: _ClassVar[int]
    seq: int
    mark: ApplyMarkResponse
    currency: UpsertCurrencyResponse
    marks: ApplyMarksResponse
    def __init__(self, seq: _Optional[int] = ..., mark: _Optional[_Union[ApplyMarkResponse, _Mapping]] = ..., currency: _Optional[_Union[UpsertCurrencyResponse, _Mapping]] = ..., marks: _Optional[_Union[ApplyMarksResponse, _Mapping]] = ...) -> None: ...
