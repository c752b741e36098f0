"""markcap-server on a data dir: (b) a damaged journal tail is reported and cut off,
(c) snapshots of this format load and others are refused, and what a restart keeps:
duplicate answers, WatchEvents history, the state hash."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
from importlib import resources

import pytest

from markcap.engine.snapshot import FORMAT_VERSION
from markcap.service.inputs import serialize
from markcap.store import JournalRecord, RecordKind
from markcap.store.journal import scan_segment
from markcap.store.records import encode
from markcap.store.snapshots import SnapshotDirectory
from markcap.v1 import risk_engine_pb2 as pb

from .producer import Producer
from .workload import workload

SEED, COUNT, FIRST_PART = 44, 60, 30
RPC_SECONDS = 10
EXIT_SECONDS = 20
DEFAULT_EXCHANGE = (resources.files("markcap.service") / "default_exchange.toml").read_text()
SMALL_RETENTION = "retained_outcomes = 2\n" + DEFAULT_EXCHANGE  # duplicates beyond it: journal


def status(server) -> pb.GetStatusResponse:
    return server.stub().GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)


def on_data_dir(start_server, data_dir, *args, **kwargs):
    return start_server(extra_args=("--data-dir", str(data_dir), *args), **kwargs)


def killed_after_first_part(start_server, data_dir):
    inputs, reference = workload(SEED, COUNT)
    server = on_data_dir(start_server, data_dir)
    assert Producer(server.stub(), inputs[:FIRST_PART], reference).send_from(1)
    server.stop(signal.SIGKILL)
    return inputs, reference


def newest_segment(data_dir):
    return sorted((data_dir / "journal").glob("*.journal"))[-1]


def last_record_size(inputs, reference, seq: int) -> int:
    """Bytes of seq's journal record (the response is kept for all but delta batches)."""
    item = inputs[seq - 1]
    response = b"" if item.kind is RecordKind.DELTAS else reference.responses[seq]
    return len(encode(JournalRecord(seq, item.kind, serialize(item.request), response)))


@pytest.mark.parametrize("damage", ["cut", "flip", "garbage"])
def test_a_damaged_journal_tail_is_reported_and_the_server_starts_from_the_last_good_record(
        start_server, tmp_path, damage):
    data_dir = tmp_path / "data"
    inputs, reference = killed_after_first_part(start_server, data_dir)
    segment = newest_segment(data_dir)
    data = bytearray(segment.read_bytes())
    end = scan_segment(segment, int(segment.stem)).end  # zeros follow: a killed server's
    if damage == "cut":
        del data[end - 5:]
    elif damage == "flip":
        data[end - last_record_size(inputs, reference, FIRST_PART) // 2] ^= 0x20
    else:
        data[end:end + 11] = os.urandom(11)
    segment.write_bytes(bytes(data))
    server = on_data_dir(start_server, data_dir)
    good = FIRST_PART if damage == "garbage" else FIRST_PART - 1
    restored = status(server)
    assert (restored.applied_seq, restored.state_hash) == (good, reference.hash_at[good])
    log = server.stderr_text()
    assert f"journal segment {segment}: damaged tail" in log
    assert f"the journal ends at seq {good}, the last intact record" in log
    assert Producer(server.stub(), inputs, reference).send_from(good + 1)
    assert status(server).state_hash == reference.hash_at[COUNT]


def test_a_snapshot_of_this_format_loads_and_one_of_another_is_refused(
        start_server, tmp_path, markcap_server_command):
    data_dir = tmp_path / "data"
    inputs, reference = workload(SEED, COUNT)
    server = on_data_dir(start_server, data_dir)
    assert Producer(server.stub(), inputs, reference).send_from(1)
    assert server.stop() == 0  # SIGTERM takes the last snapshot
    server = on_data_dir(start_server, data_dir)
    assert status(server).state_hash == reference.hash_at[COUNT]
    assert f"snapshot at seq {COUNT}, then 0 journaled input(s) replayed" in server.stderr_text()
    assert server.stop() == 0
    snapshots = SnapshotDirectory(data_dir / "snapshots")
    newest = snapshots.load_newest(FORMAT_VERSION)
    snapshots.save(dataclasses.replace(newest, format_version=FORMAT_VERSION + 1))
    result = subprocess.run(markcap_server_command + ["--data-dir", str(data_dir), "--listen",
                                                      "127.0.0.1:0"],
                            capture_output=True, text=True, timeout=EXIT_SECONDS)
    assert result.returncode == 2
    path = data_dir / "snapshots" / f"{COUNT:020d}.snapshot"
    assert (f"markcap-server: snapshot {path} has format version {FORMAT_VERSION + 1}, but this "
            f"markcap reads format version {FORMAT_VERSION} only") in result.stderr
    assert "listening on" not in result.stdout


def test_after_a_restart_duplicates_get_their_first_answers_and_watch_starts_in_the_journal(
        start_server, tmp_path):
    data_dir = tmp_path / "data"
    inputs, reference = workload(SEED, COUNT)
    server = on_data_dir(start_server, data_dir, config_text=SMALL_RETENTION)
    assert Producer(server.stub(), inputs[:FIRST_PART], reference).send_from(1)
    server.stop(signal.SIGKILL)
    server = on_data_dir(start_server, data_dir, config_text=SMALL_RETENTION)
    stub = server.stub()
    first_mark = next(item for item in inputs if item.kind is RecordKind.MARK)
    again = stub.ApplyMark(first_mark.request, timeout=RPC_SECONDS)  # older than retained (2)
    assert serialize(again) == reference.responses[first_mark.seq]
    events = stub.WatchEvents(pb.WatchEventsRequest(from_seq=1), timeout=60)
    assert Producer(stub, inputs, reference).send_from(FIRST_PART + 1)
    seen = [serialize(next(events)) for _ in reference.events]
    events.cancel()
    assert seen == reference.events


def test_a_data_dir_serves_one_server_at_a_time(start_server, tmp_path, markcap_server_command):
    on_data_dir(start_server, tmp_path / "data")
    result = subprocess.run(markcap_server_command + ["--data-dir", str(tmp_path / "data"),
                                                      "--listen", "127.0.0.1:0"],
                            capture_output=True, text=True, timeout=EXIT_SECONDS)
    assert result.returncode == 2
    assert f"data dir {tmp_path / 'data'} is in use by another markcap-server" in result.stderr


def test_a_data_dir_keeps_its_insurance_fund(start_server, tmp_path, markcap_server_command):
    on_data_dir(start_server, tmp_path / "data").stop()
    config = tmp_path / "fund5.toml"
    assert "insurance_fund_account_id = 0" in DEFAULT_EXCHANGE
    config.write_text(DEFAULT_EXCHANGE.replace("insurance_fund_account_id = 0",
                                               "insurance_fund_account_id = 5"))
    result = subprocess.run(markcap_server_command + ["--data-dir", str(tmp_path / "data"),
                                                      "--config", str(config), "--listen",
                                                      "127.0.0.1:0"],
                            capture_output=True, text=True, timeout=EXIT_SECONDS)
    assert result.returncode == 2
    assert "the config has insurance fund account 5 with floor 0.0" in result.stderr


@pytest.mark.parametrize("args, message", [
    (("--fsync", "sometimes"), "expected every-input, grouped or interval:MS"),
    (("--in-memory", "--data-dir", "x"), "not allowed with argument"),
    (("--snapshot-every-inputs", "-1"), "is not a number >= 0"),
    (("--snapshot-every-seconds", "nan"), "is not a number >= 0"),
])
def test_bad_persistence_options_exit_2(markcap_server_command, tmp_path, args, message):
    result = subprocess.run(markcap_server_command + list(args), capture_output=True, text=True,
                            timeout=EXIT_SECONDS, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "markcap-data").exists()
