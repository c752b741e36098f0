"""`markcap journal DIR` on data dirs a real markcap-server wrote (and the store
classes, for several segments): listing, one input as JSON, --verify, a corrupted
byte and a gap found with their segment and offset, and the data dir never touched."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import json_format

from markcap.client.cli import main
from markcap.store import JournalRecord, RecordKind
from markcap.store.journal import FileJournal
from markcap.store.records import FRAME
from markcap.v1 import risk_engine_pb2 as pb

from durability.producer import Producer
from durability.workload import workload

SEED, COUNT = 45, 24


def tree(data_dir: Path) -> dict[str, tuple[int, int, str]]:
    """Every file of the data dir: (size, mtime_ns, sha256): what must not change."""
    found = {}
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(data_dir))] = (
                stat.st_size, stat.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return found


@pytest.fixture
def journal_cli(capsys):
    def run(*argv: str):
        code = main(["journal", *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


@pytest.fixture(scope="module")
def written(tmp_path_factory, start_module_in_process_server):
    """(data dir, inputs, reference): COUNT inputs through a real server (in-process),
    stopped as on SIGTERM (the last snapshot written)."""
    data_dir = tmp_path_factory.mktemp("journal-cli") / "data"
    inputs, reference = workload(SEED, COUNT)
    server = start_module_in_process_server(extra_args=("--data-dir", str(data_dir)))
    assert Producer(server.stub(), inputs, reference).send_from(1)
    server.stop()  # raises if the stop failed or overran the grace
    return data_dir, inputs, reference


@pytest.fixture
def copy_of(tmp_path):
    def copy(data_dir: Path) -> Path:
        target = tmp_path / "copy"
        subprocess.run(["cp", "-a", str(data_dir), str(target)], check=True)
        return target
    return copy


def records_of(out: str) -> list[list[str]]:
    """The listing's record rows: [seq, kind, offset, size, crc, problem...]."""
    rows = []
    for line in out.splitlines():
        fields = line.split()
        if line.startswith("  ") and fields and fields[0] != "seq":
            rows.append(fields)
    return rows


def test_the_listing_shows_every_record_with_its_seq_kind_size_and_crc(written, journal_cli):
    data_dir, inputs, _ = written
    before = tree(data_dir)
    code, out, err = journal_cli(str(data_dir))
    assert (code, err) == (0, "")
    assert out.startswith(f"segment 00000000000000000001.journal: seq 1 to {COUNT}, {COUNT} record(s)")
    rows = records_of(out)
    assert [int(row[0]) for row in rows] == list(range(1, COUNT + 1))
    assert [row[1] for row in rows] == [item.kind.name for item in inputs]
    assert {row[4] for row in rows} == {"ok"}
    offsets = [int(row[2]) for row in rows]
    sizes = [int(row[3]) for row in rows]
    assert all(a + size == b for a, size, b in zip(offsets, sizes, offsets[1:]))
    assert "snapshot 00000000000000000000.snapshot: seq 0" in out
    assert f"snapshot {COUNT:020d}.snapshot: seq {COUNT}" in out  # the last one, at SIGTERM
    assert tree(data_dir) == before


def test_one_input_prints_as_json_with_its_journaled_response(written, journal_cli):
    data_dir, inputs, reference = written
    mark = next(item for item in inputs if item.kind is RecordKind.MARK)
    code, out, err = journal_cli(str(data_dir), "--seq", str(mark.seq))
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert (shown["seq"], shown["kind"]) == (mark.seq, "MARK")
    assert shown["request"] == json_format.MessageToDict(mark.request,
                                                         preserving_proto_field_name=True)
    expected = pb.ApplyMarkResponse.FromString(reference.responses[mark.seq])
    assert shown["response"] == json_format.MessageToDict(expected, preserving_proto_field_name=True)
    batch = next(item for item in inputs if item.kind is RecordKind.DELTAS)
    shown = json.loads(journal_cli(str(data_dir), "--seq", str(batch.seq))[1])
    assert "response" not in shown and shown["request"]["seq"] == str(batch.seq)
    code, out, err = journal_cli(str(data_dir), "--seq", str(COUNT + 1))
    assert (code, out) == (1, "")
    assert f"no intact journal record of seq {COUNT + 1}" in err


def test_verify_passes_a_sound_data_dir(written, journal_cli):
    data_dir, _, _ = written
    before = tree(data_dir)
    code, out, err = journal_cli(str(data_dir), "--verify")
    assert (code, err) == (0, "")
    assert out == f"ok: 1 segment(s), seq 1 to {COUNT}, 2 snapshot(s)\n"
    assert tree(data_dir) == before


def test_a_corrupted_byte_is_found_named_by_segment_and_offset_and_left_in_place(
        written, journal_cli, copy_of):
    data_dir = copy_of(written[0])
    segment = data_dir / "journal" / "00000000000000000001.journal"
    rows = records_of(journal_cli(str(data_dir))[1])
    offset = int(rows[9][2])  # seq 10's record, in the middle of the segment
    damaged = bytearray(segment.read_bytes())
    damaged[offset + FRAME.size + 12] ^= 0x40  # a byte of its body (past seq and kind)
    segment.write_bytes(bytes(damaged))
    before = tree(data_dir)

    code, out, err = journal_cli(str(data_dir), "--verify")
    assert (code, out) == (1, "")
    assert err == f"error: {segment}: offset {offset}: CRC32 mismatch (seq 10)\n"

    code, out, _ = journal_cli(str(data_dir))
    assert code == 0
    crcs = {int(row[0]): row[4] for row in records_of(out)}
    assert crcs[10] == "BAD" and {crc for seq, crc in crcs.items() if seq != 10} == {"ok"}
    assert len(crcs) == COUNT  # the walk goes on past the damaged record
    assert journal_cli(str(data_dir), "--seq", "10")[0] == 1
    assert journal_cli(str(data_dir), "--seq", "11")[0] == 0
    assert tree(data_dir) == before  # nothing repaired, cut or removed


def test_a_torn_tail_and_a_temp_file_are_reported_not_repaired(written, journal_cli, copy_of):
    data_dir = copy_of(written[0])
    segment = data_dir / "journal" / "00000000000000000001.journal"
    size = segment.stat().st_size
    os.truncate(segment, size - 5)
    leftover = data_dir / "snapshots" / f".{COUNT + 1:020d}.snapshot.tmp"
    leftover.write_bytes(b"half a snapshot")
    before = tree(data_dir)
    code, _, err = journal_cli(str(data_dir), "--verify")
    assert code == 1
    assert f"error: {segment}: offset " in err and "cut short" in err
    assert f"error: {leftover}: leftover temp file" in err
    assert tree(data_dir) == before


def test_a_missing_segment_is_a_gap_named_by_the_segment_after_it(tmp_path, journal_cli):
    data_dir = tmp_path / "data"
    journal = FileJournal(data_dir / "journal", segment_bytes=200)
    journal.continue_at(1)
    for seq in range(1, 31):
        journal.append(JournalRecord(seq, RecordKind.MARK, b"request %d" % seq, b"response"))
    journal.close()
    (data_dir / "snapshots").mkdir()
    segments = sorted((data_dir / "journal").glob("*.journal"))
    assert len(segments) >= 3
    code, _, err = journal_cli(str(data_dir), "--verify")
    assert err == f"error: {data_dir / 'snapshots'}: no intact snapshot to replay the journal onto\n"
    segments[1].unlink()
    code, _, err = journal_cli(str(data_dir), "--verify")
    assert code == 1
    first_after = int(segments[2].name.removesuffix(".journal"))
    assert (f"error: {segments[2]}: offset 0: starts at seq {first_after} but "
            f"{segments[0].name} ends before seq ") in err and "a gap" in err


def test_the_installed_command_verifies_without_a_server(written):
    data_dir, _, _ = written
    script = Path(sys.executable).with_name("markcap")
    done = subprocess.run([str(script), "journal", str(data_dir), "--verify"],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("ok: 1 segment(s)")
    missing = subprocess.run([str(script), "journal", str(data_dir / "nope")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "no such directory" in missing.stderr
    journal_dir = subprocess.run([str(script), "journal", str(data_dir / "journal"), "--verify"],
                                 capture_output=True, text=True, timeout=60)
    assert journal_dir.returncode == 1 and "not a markcap data dir" in journal_dir.stderr


def test_a_corrupted_seq_is_one_bad_record_and_the_seqs_after_it_still_check(
        written, journal_cli, copy_of):
    data_dir = copy_of(written[0])
    segment = data_dir / "journal" / "00000000000000000001.journal"
    offset = int(records_of(journal_cli(str(data_dir))[1])[4][2])  # seq 5
    damaged = bytearray(segment.read_bytes())
    damaged[offset + FRAME.size + 3] ^= 0x01  # a byte of its seq: the seq reads as another
    segment.write_bytes(bytes(damaged))
    code, _, err = journal_cli(str(data_dir), "--verify")
    assert code == 1
    assert err.splitlines() == [f"error: {segment}: offset {offset}: CRC32 mismatch "
                                f"(seq {5 + (1 << 24)})"]


def test_a_corrupted_length_ends_the_walk_of_its_segment_there(written, journal_cli, copy_of):
    data_dir = copy_of(written[0])
    segment = data_dir / "journal" / "00000000000000000001.journal"
    offset = int(records_of(journal_cli(str(data_dir))[1])[19][2])  # seq 20
    damaged = bytearray(segment.read_bytes())
    damaged[offset + 3] = 0xff  # the body length: 4 GiB
    segment.write_bytes(bytes(damaged))
    code, _, err = journal_cli(str(data_dir), "--verify")
    assert code == 1
    assert err.startswith(f"error: {segment}: offset {offset}: implausible record length ")
    listed = records_of(journal_cli(str(data_dir))[1])
    assert [row[0] for row in listed] == [str(seq) for seq in range(1, 20)] + ["?"]


def test_the_json_listing_has_one_object_per_segment_and_snapshot(written, capsys):
    data_dir, inputs, _ = written
    assert main(["--json", "journal", str(data_dir)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    segment, *snapshots = lines
    assert [(r["seq"], r["kind"], r["crc_ok"]) for r in segment["records"]] == [
        (item.seq, item.kind.name, True) for item in inputs]
    assert segment["problems"] == [] and segment["used"] == segment["size"]
    assert [s["seq"] for s in snapshots] == [0, COUNT]


def test_a_running_servers_data_dir_is_read_without_disturbing_it(start_server, tmp_path,
                                                                   journal_cli):
    data_dir = tmp_path / "data"
    inputs, reference = workload(SEED, COUNT)
    server = start_server(extra_args=("--data-dir", str(data_dir)))
    producer = Producer(server.stub(), inputs[:10], reference)
    assert producer.send_from(1)
    code, out, err = journal_cli(str(data_dir), "--verify")  # zeros preallocated ahead: fine
    assert (code, err) == (0, "") and out.startswith("ok: 1 segment(s), seq 1 to 10")
    assert Producer(server.stub(), inputs, reference).send_from(11)
    assert server.stop() == 0
    assert journal_cli(str(data_dir), "--verify")[1].startswith(f"ok: 1 segment(s), seq 1 to {COUNT}")
