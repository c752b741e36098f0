"""`markcap`: the command line for people, built only on MarkcapClient (except `markcap
journal DIR`, journal_cli.py, which reads a data directory offline).

Errors print "error: CODE: message" (or "error: FILE:LINE: problem") on stderr
and exit 1; usage errors exit 2.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Callable

from google.protobuf import json_format

from markcap.v1 import risk_engine_pb2 as pb

from . import deltas_csv, journal_cli, ladder
from .client import MarkcapClient
from .deltas_csv import CsvError, IdLookup
from .errors import MarkcapError
from .enums import short_names
from .views import (Names, render_account, render_adl_queue, render_band, render_currencies,
                    render_event, render_fund, render_instruments, render_mark, render_status,
                    render_sweep, render_upserted_currency)

DEFAULT_TARGET = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 5.0


class CliError(Exception):
    """A problem the CLI itself found (unknown symbol, unreadable file)."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, or a usage error (2)
        return exit_request.code if isinstance(exit_request.code, int) else 2
    if getattr(args, "offline", None):  # reads files, needs no server
        return args.offline(args)
    try:
        with _client(args) as client:
            args.run(client, args)
        return 0
    except (MarkcapError, CsvError, CliError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _client(args) -> MarkcapClient:
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    try:
        return MarkcapClient(args.target, timeout=timeout, tls=args.tls, tls_ca=args.tls_ca,
                             tls_cert=args.tls_cert, tls_key=args.tls_key)
    except ValueError as error:
        raise CliError(str(error)) from None


def _add_connection_options(parser: argparse.ArgumentParser, on_command: bool = False) -> None:
    """--target, --timeout, --json and TLS. They go before the command or after it: on a
    command (`on_command`) their defaults are left out, so one given before still holds."""
    def default(value):
        return argparse.SUPPRESS if on_command else value
    parser.add_argument("--target", default=default(os.environ.get("MARKCAP_TARGET", DEFAULT_TARGET)),
                        help=f"HOST:PORT or unix:PATH (default: $MARKCAP_TARGET or "
                             f"{os.environ.get('MARKCAP_TARGET', DEFAULT_TARGET)})")
    parser.add_argument("--timeout", type=_positive_float, default=default(None),
                        help=f"deadline per call in seconds (default {DEFAULT_TIMEOUT}; "
                             "`load` and `watch` have none unless given)")
    parser.add_argument("--json", action="store_true", default=default(False),
                        help="print responses as JSON (proto field names)")
    parser.add_argument("--tls", action="store_true", default=default(False),
                        help="use TLS, verifying the server with the system's roots")
    parser.add_argument("--tls-ca", metavar="PEM", default=default(None),
                        help="use TLS, verifying the server with this CA (implies --tls)")
    parser.add_argument("--tls-cert", metavar="PEM", default=default(None),
                        help="client certificate, for mutual TLS (with --tls-key)")
    parser.add_argument("--tls-key", metavar="PEM", default=default(None), help="the client certificate's key")


def _command_options() -> argparse.ArgumentParser:
    """The connection options again, for a command's own parser (argparse `parents`)."""
    options = argparse.ArgumentParser(add_help=False)
    _add_connection_options(options, on_command=True)
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="markcap", description="Talk to a markcap risk engine.")
    _add_connection_options(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_mark(commands)
    _add_simple(commands, "account", "show an account", run_account,
                [("account_id", {"type": _whole_number, "metavar": "ID", "help": "the account's id"})])
    _add_simple(commands, "fund", "show the insurance fund", run_fund)
    _add_simple(commands, "status", "show the engine's status", run_status)
    _add_health(commands)
    _add_simple(commands, "instruments", "list instruments", run_instruments)
    _add_simple(commands, "currencies", "list currencies", run_currencies)
    _add_simple(commands, "band", "show an instrument's bankruptcy band", run_band,
                [("instrument", {"metavar": "INSTRUMENT", "help": "id or symbol"})])
    _add_adl_queue(commands)
    _add_ladder(commands)
    _add_upserts(commands)
    _add_load(commands)
    _add_watch(commands)
    journal_cli.add_command(commands, _whole_number)
    return parser


# ---- argument types ---------------------------------------------------------

UINT64_MAX = 2**64 - 1
UINT32_MAX = 2**32 - 1


def _whole_number(text: str) -> int:
    """A uint64 (account ids, seqs, counts)."""
    if not text.isdigit() or int(text) > UINT64_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number in [0, {UINT64_MAX}]")
    return int(text)


def _at_least_one(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number > 0")
    return value


# ---- subcommand definitions ---------------------------------------------------

def _add_simple(commands, name: str, help_text: str, run: Callable,
                arguments: list[tuple[str, dict]] = ()) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=help_text, description=help_text, parents=[_command_options()])
    for argument, options in arguments:
        command.add_argument(argument, **options)
    command.set_defaults(run=run)
    return command


def _add_mark(commands) -> None:
    command = _add_simple(commands, "mark", "move an instrument's mark (SPEC 3)", run_mark,
                          [("instrument", {"metavar": "INSTRUMENT", "help": "id or symbol"}),
                           ("price", {"type": _positive_float, "metavar": "PRICE",
                                      "help": "the requested mark, on the instrument's tick grid"})])
    command.add_argument("--dry-run", action="store_true",
                         help="show what would happen; change nothing")
    command.add_argument("--sweep", action="store_true",
                         help="repeat the capped step until the mark reaches PRICE (a crash in one "
                              "call; with --dry-run, a preview); prints a summary, --json the full list")
    command.add_argument("--max-steps", type=_whole_number, default=0,
                         help="most steps of a sweep (default 0: the server's limit)")
    policy = command.add_mutually_exclusive_group()
    policy.add_argument("--no-cap", dest="cap_policy", action="store_const", const="NO_CAP",
                        help="apply the price as given")
    policy.add_argument("--cap", dest="cap_policy", action="store_const",
                        const="CAP_TO_FIRST_BANKRUPTCY_PRICE",
                        help="cap at the first bankruptcy price")
    command.add_argument("--seq", type=_whole_number, default=0,
                         help="sequence number (default 0: assigned by the server)")


def _add_health(commands) -> None:
    command = _add_simple(commands, "health", "gRPC health check: exit 0 when SERVING, "
                          "1 otherwise (for container probes)", run_health)
    command.add_argument("--service", default="",
                         help='service to check (default "": the whole server)')


def _add_adl_queue(commands) -> None:
    command = _add_simple(commands, "adl-queue", "show the top of an ADL queue", run_adl_queue,
                          [("instrument", {"metavar": "INSTRUMENT", "help": "id or symbol"}),
                           ("side", {"type": str.lower, "choices": ["long", "short"],
                                     "help": "the side to rank: long or short holders"})])
    command.add_argument("--limit", type=_at_least_one, default=20,
                         help="entries to show (default %(default)s)")


def _add_ladder(commands) -> None:
    command = _add_simple(commands, "ladder", "preview a crash as a ladder: a dry-run sweep to PRICE, "
                          "liquidations and ADL contracts by price level, the fund along the way", run_ladder,
                          [("instrument", {"metavar": "INSTRUMENT", "help": "id or symbol"})])
    command.add_argument("--to", dest="price", type=_positive_float, required=True, metavar="PRICE",
                         help="the mark to sweep toward")
    command.add_argument("--levels", type=_at_least_one, default=20,
                         help="equal price levels between the mark and where the sweep stops "
                              "(default %(default)s)")
    command.add_argument("--png", metavar="FILE", help="also draw the ladder into this PNG file "
                         "(needs matplotlib: pip install 'markcap[plot]')")


def _add_upserts(commands) -> None:
    currency = _add_simple(commands, "upsert-currency", "create a currency or change its price",
                           run_upsert_currency,
                           [("currency_id", {"type": _whole_number, "metavar": "ID", "help": "the currency's id"})])
    currency.add_argument("--price", type=_positive_float, required=True,
                          help="its price in the valuation currency")
    currency.add_argument("--code", default="", help="its code, e.g. EUR (needed to create it)")
    currency.add_argument("--decimals", type=_whole_number, default=None,
                          help="digits of its minor unit, e.g. 2 for cents (needed to create it; "
                               "changeable only while nobody holds the currency)")
    _add_seq(currency)
    instrument = _add_simple(commands, "upsert-instrument", "create an instrument or change its terms "
                             "(an option left out keeps its value)", run_upsert_instrument,
                             [("instrument_id", {"type": _whole_number, "metavar": "ID",
                                                 "help": "the instrument's id"})])
    instrument.add_argument("--symbol", default="", help="e.g. ETH-PERP")
    instrument.add_argument("--kind", type=str.upper, choices=short_names(pb.ContractKind),
                            help="how its value follows the price")
    instrument.add_argument("--settles-in", metavar="CURRENCY", help="settlement currency: code or id")
    instrument.add_argument("--multiplier", type=_positive_float, help="contract size")
    instrument.add_argument("--tick-size", type=_positive_float, help="the price grid's step")
    instrument.add_argument("--mark", type=_positive_float, help="its mark price, on the grid")
    for option, enum_type, what in (("--cap-policy", pb.CapPolicy, "how marks are capped"),
                                    ("--adl-ranking", pb.AdlRanking, "how ADL ranks counterparties"),
                                    ("--adl-allocation", pb.AdlAllocation, "how ADL splits contracts")):
        instrument.add_argument(option, type=str.upper, choices=short_names(enum_type), help=what)
    _add_seq(instrument)


def _add_seq(command) -> None:
    command.add_argument("--seq", type=_whole_number, default=0,
                         help="sequence number (default 0: assigned by the server)")


def _add_load(commands) -> None:
    command = commands.add_parser(
        "load", parents=[_command_options()], help="stream fills and transfers from a CSV file",
        description="Stream fills and transfers from a CSV file through StreamDeltas.\n\n"
                    + deltas_csv.__doc__.split("\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("file", metavar="FILE", help="CSV file, or - for standard input")
    command.add_argument("--batch-size", type=_at_least_one, default=4096,
                         help="fills+transfers per batch, one seq each (default %(default)s)")
    command.add_argument("--first-seq", type=_whole_number, default=0,
                         help="seq of the first batch, the next ones following it "
                              "(default 0: every batch assigned by the server)")
    command.set_defaults(run=run_load)


def _add_watch(commands) -> None:
    command = _add_simple(commands, "watch", "follow mark and currency outcomes", run_watch)
    command.add_argument("--from-seq", type=_whole_number, default=0,
                         help="first seq to show (default 0: new events only)")
    command.add_argument("--count", type=_at_least_one, default=None,
                         help="stop after this many events")


# ---- subcommands ----------------------------------------------------------------

def _show(args, message, render: Callable[[], str]) -> None:
    if args.json:
        print(json_format.MessageToJson(message, preserving_proto_field_name=True,
                                        always_print_fields_with_no_presence=True))
    else:
        print(render())


def _names(client: MarkcapClient) -> Names:
    return Names.of(client.list_instruments(), client.list_currencies())


def _instrument_id(text: str, names: Names) -> int:
    """An instrument symbol, or failing that its id."""
    return _id_of(text, names.symbols, "instrument")


def _currency_id(text: str, names: Names) -> int:
    """A currency code, or failing that its id."""
    return _id_of(text, names.codes, "currency")


def _id_of(text: str, names_by_id: dict[int, str], kind: str) -> int:
    for known_id, name in names_by_id.items():
        if name == text:
            return known_id
    if text.isdigit() and int(text) <= UINT32_MAX:
        return int(text)
    raise CliError(f"unknown {kind} {text!r}; known: {', '.join(names_by_id.values())}")


def run_mark(client: MarkcapClient, args) -> None:
    names = _names(client)
    response = client.apply_mark(_instrument_id(args.instrument, names), args.price,
                                 seq=args.seq, cap_policy=args.cap_policy, dry_run=args.dry_run,
                                 sweep=args.sweep, max_steps=args.max_steps)
    render = render_sweep if args.sweep else render_mark
    _show(args, response, lambda: render(response, names))


def run_ladder(client: MarkcapClient, args) -> None:
    names = _names(client)
    response = client.apply_mark(_instrument_id(args.instrument, names), args.price, dry_run=True, sweep=True)
    levels = ladder.levels_of(response, args.levels)
    symbol = names.instrument(response.instrument_id)
    if args.png:
        try:
            ladder.draw_png(response, levels, symbol, args.png)
        except ImportError as error:
            raise CliError(f"--png needs matplotlib (pip install 'markcap[plot]'): {error}") from None
    _show(args, response, lambda: ladder.render_ladder(response, levels, symbol)
          + (f"\n\nladder drawn in {args.png}" if args.png else ""))


def run_upsert_currency(client: MarkcapClient, args) -> None:
    response = client.upsert_currency(args.currency_id, price=args.price, code=args.code,
                                      decimals=args.decimals, seq=args.seq)
    _show(args, response, lambda: render_upserted_currency(response, client.list_currencies()))


def run_upsert_instrument(client: MarkcapClient, args) -> None:
    names = _names(client)
    settles_in = None if args.settles_in is None else _currency_id(args.settles_in, names)
    response = client.upsert_instrument(
        args.instrument_id, symbol=args.symbol, kind=args.kind, settlement_currency_id=settles_in,
        multiplier=args.multiplier, tick_size=args.tick_size, mark_price=args.mark,
        cap_policy=args.cap_policy, adl_ranking=args.adl_ranking, adl_allocation=args.adl_allocation,
        seq=args.seq)
    _show(args, response, lambda: f"seq {response.seq}\n\n" + render_instruments(
        pb.ListInstrumentsResponse(instruments=[response.instrument]), names))


def run_account(client: MarkcapClient, args) -> None:
    response = client.get_account(args.account_id)
    _show(args, response, lambda: render_account(response.account, _names(client)))


def run_fund(client: MarkcapClient, args) -> None:
    response = client.get_insurance_fund()
    _show(args, response, lambda: render_fund(response, _names(client)))


def run_status(client: MarkcapClient, args) -> None:
    response = client.get_status()
    _show(args, response, lambda: render_status(response))


def run_health(client: MarkcapClient, args) -> None:
    response = client.check_health(args.service)
    status = type(response).ServingStatus.Name(response.status)
    _show(args, response, lambda: status)
    if status != "SERVING":
        raise CliError(f"health of {args.service or 'the server'} is {status}")


def run_instruments(client: MarkcapClient, args) -> None:
    response = client.list_instruments()
    _show(args, response,
          lambda: render_instruments(response, Names.of(response, client.list_currencies())))


def run_currencies(client: MarkcapClient, args) -> None:
    response = client.list_currencies()
    _show(args, response, lambda: render_currencies(response))


def run_band(client: MarkcapClient, args) -> None:
    names = _names(client)
    instrument_id = _instrument_id(args.instrument, names)
    response = client.get_bankruptcy_band(instrument_id)
    _show(args, response, lambda: render_band(response, names.instrument(instrument_id)))


def run_adl_queue(client: MarkcapClient, args) -> None:
    names = _names(client)
    instrument_id = _instrument_id(args.instrument, names)
    response = client.get_adl_queue(instrument_id, args.side, args.limit)
    _show(args, response,
          lambda: render_adl_queue(response, names.instrument(instrument_id), args.side))


def run_load(client: MarkcapClient, args) -> None:
    names = _names(client)
    rows = deltas_csv.read_deltas(
        _read_lines(args.file), args.file,
        IdLookup("instrument", {symbol: i for i, symbol in names.symbols.items()}),
        IdLookup("currency", {code: c for c, code in names.codes.items()}))
    unbalanced = deltas_csv.unbalanced_instruments(rows)
    if unbalanced:
        nets = ", ".join(f"{names.instrument(i)} {qty:+d}" for i, qty in unbalanced.items())
        print(f"warning: {args.file}: the fills do not net to zero ({nets} contracts); every contract "
              f"bought is sold by someone, so part of the book may be missing; loading anyway",
              file=sys.stderr)
    batches = deltas_csv.pack_batches(rows, args.batch_size, args.first_seq)
    progress = LoadProgress(len(batches), sys.stderr if sys.stderr.isatty() and not args.json else None)
    acknowledgements = [progress.acknowledged(a) for a in client.stream_deltas(batches, timeout=args.timeout)] \
        if batches else []
    progress.done()
    if len(acknowledgements) != len(batches):
        raise CliError(f"server acknowledged {len(acknowledgements)} of {len(batches)} batches")
    summary = {"fills": sum(a.fill_count for a in acknowledgements),
               "transfers": sum(a.transfer_count for a in acknowledgements),
               "batches": len(acknowledgements),
               "duplicates": sum(a.duplicate for a in acknowledgements),
               "last_seq": acknowledgements[-1].seq if acknowledgements else None}
    if unbalanced:
        summary["unbalanced_instruments"] = {str(i): qty for i, qty in unbalanced.items()}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"loaded {_count(summary['fills'], 'fill')} and "
              f"{_count(summary['transfers'], 'transfer')} in "
              f"{_count(summary['batches'], 'batch')} "
              f"({_count(summary['duplicates'], 'duplicate')}); "
              f"last seq {summary['last_seq'] if acknowledgements else 'none'}")


class LoadProgress:
    """Acknowledged batches out of all, on one line of `stream` (None: silent), at most ten
    times a second: the server's acknowledgements are the progress."""

    def __init__(self, batches: int, stream, clock: Callable[[], float] = time.monotonic):
        self.batches, self.stream, self.clock = batches, stream, clock
        self.seen, self.fills, self._shown_at = 0, 0, None

    def acknowledged(self, acknowledgement):
        self.seen += 1
        self.fills += acknowledgement.fill_count
        now = self.clock()
        if self.stream is not None and (self._shown_at is None or now - self._shown_at >= 0.1
                                        or self.seen == self.batches):
            self._shown_at = now
            self.stream.write(f"\rloading: {self.seen:,}/{self.batches:,} batches acknowledged "
                              f"({self.fills:,} fills)")
            self.stream.flush()
        return acknowledgement

    def done(self) -> None:
        if self.stream is not None and self._shown_at is not None:
            self.stream.write("\n")
            self.stream.flush()


def _count(number: int, noun: str) -> str:
    if number == 1:
        return f"1 {noun}"
    return f"{number} {noun}es" if noun.endswith("ch") else f"{number} {noun}s"



def run_watch(client: MarkcapClient, args) -> None:
    names = None if args.json else _names(client)
    for shown, event in enumerate(client.watch_events(args.from_seq, timeout=args.timeout), 1):
        if args.json:
            print(json_format.MessageToJson(event, preserving_proto_field_name=True, indent=None))
        else:
            print(render_event(event, names))
        sys.stdout.flush()
        if args.count is not None and shown >= args.count:
            return


def _read_lines(path: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    try:
        with open(path, encoding="utf-8-sig") as file:
            return file.read().splitlines()
    except OSError as error:
        raise CliError(f"{path}: {error.strerror}") from None
