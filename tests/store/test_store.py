"""The data directory as a whole: one server at a time; the fsync policy's spelling."""
from __future__ import annotations

import pytest

from markcap.store import DataDirInUse, FsyncPolicy, open_store


def test_a_second_open_of_a_data_dir_is_refused_until_the_first_closes(tmp_path):
    first = open_store(tmp_path / "data")
    with pytest.raises(DataDirInUse, match="in use by another markcap-server"):
        open_store(tmp_path / "data")
    first.close()
    open_store(tmp_path / "data").close()


def test_a_new_data_dir_has_a_journal_and_a_snapshot_directory(tmp_path):
    store = open_store(tmp_path / "data")
    assert (tmp_path / "data" / "journal").is_dir() and (tmp_path / "data" / "snapshots").is_dir()
    assert store.location == str((tmp_path / "data").resolve())
    store.close()


@pytest.mark.parametrize("text, policy", [
    ("every-input", FsyncPolicy("every-input")),
    ("grouped", FsyncPolicy("grouped")),
    ("interval:25", FsyncPolicy("interval", 25)),
])
def test_fsync_policies_parse_and_print_back(text, policy):
    assert FsyncPolicy.parse(text) == policy and str(policy) == text


@pytest.mark.parametrize("text", ["", "always", "interval", "interval:", "interval:0",
                                  "interval:-5", "interval:1.5", "every-input:3"])
def test_a_bad_fsync_policy_names_what_is_accepted(text):
    with pytest.raises(ValueError, match="expected every-input, grouped or interval:MS"):
        FsyncPolicy.parse(text)


def test_only_interval_acknowledges_before_fsync():
    assert FsyncPolicy.parse("every-input").syncs_before_ack
    assert FsyncPolicy.parse("grouped").syncs_before_ack
    assert not FsyncPolicy.parse("interval:5").syncs_before_ack
