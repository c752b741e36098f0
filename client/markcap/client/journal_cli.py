"""`markcap journal DIR`: a data directory read offline, for operators.

    markcap journal DIR            segments, their records (seq, kind, size, CRC) and snapshots
    markcap journal DIR --seq N    the input journaled at seq N (request, response) as JSON
    markcap journal DIR --verify   check every record and snapshot; exit 1 naming each problem

It reads through markcap.store.inspection, which opens files read-only and
never repairs, locks or removes anything, so it is safe on the data dir of a
running server or on a copy. It needs no server (unlike the other commands).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from google.protobuf import json_format

from markcap.service.input_kinds import of_record
from markcap.store import inspection


def add_command(commands, whole_number) -> None:
    command = commands.add_parser(
        "journal", help="inspect a data directory offline (segments, records, one input, verify)",
        description=__doc__.split("\n\n", 2)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("data_dir", type=Path, metavar="DIR",
                         help="the server's --data-dir (holding journal/ and snapshots/)")
    what = command.add_mutually_exclusive_group()
    what.add_argument("--seq", type=whole_number, metavar="N",
                      help="print the input journaled at seq N as JSON")
    what.add_argument("--verify", action="store_true",
                      help="check every record's CRC and seq and every snapshot; exit 1 on a "
                           "problem, naming the file and offset")
    command.set_defaults(offline=run_journal)


def run_journal(args) -> int:
    if not inspection.is_data_dir(args.data_dir):
        what = "not a markcap data dir (no journal/ or snapshots/ in it)" \
            if args.data_dir.is_dir() else "no such directory"
        print(f"error: {args.data_dir}: {what}", file=sys.stderr)
        return 1
    if args.seq is not None:
        return _print_input(args.data_dir, args.seq)
    if args.verify:
        return _verify(args.data_dir)
    _list(args.data_dir, args.json)
    return 0


def _list(data_dir: Path, as_json: bool) -> None:
    for report in inspection.segments(data_dir):
        held = report.seqs
        if as_json:
            print(json.dumps({"segment": str(report.path), "first_seq": report.first_seq,
                              "size": report.size, "used": report.end,
                              "records": [{"seq": f.seq, "kind": f.kind, "offset": f.offset,
                                           "size": f.size, "crc_ok": f.crc_ok,
                                           "problem": f.problem} for f in report.frames],
                              "problems": report.problems}))
            continue
        span = f"seq {held[0]} to {held[1]}" if held else "no records"
        print(f"segment {report.path.name}: {span}, {len(report.frames)} record(s), "
              f"{report.end} of {report.size} bytes used")
        print(f"  {'seq':>10}  {'kind':<10}  {'offset':>10}  {'size':>8}  crc")
        for frame in report.frames:
            crc = "ok" if frame.crc_ok else "BAD"
            note = f"  {frame.problem}" if frame.problem else ""
            seq = "?" if frame.seq is None else frame.seq
            print(f"  {seq:>10}  {frame.kind:<10}  {frame.offset:>10}  {frame.size:>8}  {crc}{note}")
    for snapshot in inspection.snapshot_reports(data_dir):
        if as_json:
            print(json.dumps({"snapshot": str(snapshot.path), "seq": snapshot.seq,
                              "size": snapshot.size, "problem": snapshot.problem}))
        else:
            state = snapshot.problem or "ok"
            print(f"snapshot {snapshot.path.name}: seq {snapshot.seq}, {snapshot.size} bytes, {state}")


def _print_input(data_dir: Path, seq: int) -> int:
    record = inspection.find_record(data_dir, seq)
    if record is None:
        print(f"error: {data_dir}: no intact journal record of seq {seq}", file=sys.stderr)
        return 1
    kind = of_record(record.kind)
    shown = {"seq": record.seq, "kind": record.kind.name,
             "request": _as_json(kind.request.FromString(record.request))}
    if record.response:
        shown["response"] = _as_json(kind.response.FromString(record.response))
    print(json.dumps(shown, indent=2))
    return 0


def _as_json(message) -> dict:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _verify(data_dir: Path) -> int:
    problems = inspection.verify(data_dir)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    reports = inspection.segments(data_dir)
    spans = [report.seqs for report in reports if report.seqs]
    held = f"seq {spans[0][0]} to {spans[-1][1]}" if spans else "no records"
    snapshots = inspection.snapshot_reports(data_dir)
    print(f"ok: {len(reports)} segment(s), {held}, {len(snapshots)} snapshot(s)")
    return 0
