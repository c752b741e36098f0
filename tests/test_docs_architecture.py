"""docs/architecture.md stays true: every path it names exists, every module of the engine and
the service is named, and each traced call names every file it really enters (traced here,
in-process, with a profile hook on seed example 2)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import markcap.engine
from markcap.engine import Engine
from markcap.service.config import load_default
from markcap.service.events import EventLog
from markcap.service.inputs import DurableInputs
from markcap.service.metered_engine import MeteredEngine
from markcap.service.metrics import Metrics
from markcap.service.servicer import RiskEngineServicer
from markcap.service.writer import SerializedEngine
from markcap.store import FsyncPolicy
from markcap.store.memory import MemoryJournal
from markcap.v1 import risk_engine_pb2 as pb

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "architecture.md"
SERVER = Path(markcap.engine.__file__).resolve().parents[2]  # .../server, wherever installed
CHECKED_PACKAGES = ("server/markcap/engine", "server/markcap/service")
PATH = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+/?")
BTC_PERP = 7
# Seed example 2 (examples/seed2.csv): account 1 bankrupt at 125, the fund at its floor there.
FILLS = ((2, 6, 80), (5, -6, 80), (3, 4, 90), (5, -4, 90), (1, -10, 100), (5, 10, 100),
         (0, -2, 100), (5, 2, 100), (4, 7, 100), (5, -7, 100))
TRANSFERS = ((1, 250), (0, 50), (5, 10160), (2, 100), (3, 100), (4, 1000))
# In-process the journal is the in-memory one; the doc traces the file journal.
STAND_INS = {"server/markcap/store/memory.py"}


def _prose(text: str) -> str:
    """The text without fenced code blocks (a diagram's names are not backticked spans)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def _named_paths(text: str) -> set[str]:
    """Every backticked span of the prose that is a path (a/b, no spaces)."""
    return {span for span in re.findall(r"`([^`\n]+)`", _prose(text)) if PATH.fullmatch(span)}


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text,
                      flags=re.MULTILINE | re.DOTALL)
    assert match, f"docs/architecture.md has no section '## {heading}'"
    return match.group(1)


def test_every_path_the_doc_names_exists():
    named = _named_paths(DOC.read_text())
    assert len(named) >= 40, sorted(named)  # the parser found the doc's paths
    missing = sorted(path for path in named if not (REPO / path).exists())
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_every_engine_and_service_module_is_named():
    named = _named_paths(DOC.read_text())
    modules = sorted(str(path.relative_to(REPO)) for package in CHECKED_PACKAGES
                     for path in (REPO / package).glob("*.py"))
    assert len(modules) > 40
    unnamed = [module for module in modules if module not in named]
    assert not unnamed, f"docs/architecture.md does not name: {unnamed} (added or renamed?)"


def test_the_doc_s_links_stay_in_the_repository():
    for target in re.findall(r"\]\(([^)#\s]+)", DOC.read_text()):
        assert "://" not in target, target
        resolved = (DOC.parent / target).resolve()
        assert resolved.is_relative_to(REPO) and resolved.exists(), target


def test_the_readme_links_the_doc():
    assert "](docs/architecture.md)" in (REPO / "README.md").read_text()


class _FilesEntered:
    """The repository paths of the server files whose code runs inside the block (this thread)."""

    def __init__(self):
        self.files: set[str] = set()

    def _profile(self, frame, event, arg):
        if event == "call":
            name = Path(frame.f_code.co_filename)
            if name.is_relative_to(SERVER):
                self.files.add("server/" + str(name.relative_to(SERVER)))

    def __enter__(self):
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc_info):
        sys.setprofile(None)


@pytest.fixture
def servicer():
    """The servicer in front of the engine as main.py wires it, minus gRPC and the data dir."""
    engine = Engine(load_default())
    writer = SerializedEngine(MeteredEngine(engine, Metrics()))
    journal = MemoryJournal()
    journal.continue_at(1)  # a new data dir's (recovery.py)
    inputs = DurableInputs(writer, journal, FsyncPolicy(), EventLog(100))
    return RiskEngineServicer(writer, None, "test", lambda: "in-memory", inputs)


def _seed_two_batch() -> pb.StreamDeltasRequest:
    request = pb.StreamDeltasRequest(seq=1)
    for account, qty, price in FILLS:
        request.fills.account_id.append(account)
        request.fills.instrument_id.append(BTC_PERP)
        request.fills.qty.append(qty)
        request.fills.price.append(price)
    for account, amount in TRANSFERS:
        request.transfers.account_id.append(account)
        request.transfers.currency_id.append(1)
        request.transfers.amount.append(amount)
    return request


def _unnamed(entered: set[str], heading: str) -> list[str]:
    named = _named_paths(_section(DOC.read_text(), heading))
    return sorted(entered - named - STAND_INS)


def test_the_traced_calls_name_every_file_they_enter(servicer):
    with _FilesEntered() as deltas:
        responses = list(servicer.StreamDeltas(iter([_seed_two_batch()]), None))
    assert [(r.seq, r.fill_count, r.transfer_count) for r in responses] == [(1, 10, 6)]
    with _FilesEntered() as mark:
        response = servicer.ApplyMark(pb.ApplyMarkRequest(seq=2, instrument_id=BTC_PERP,
                                                          price=150), None)
    # the doc's example: capped at 125, account 1 taken over, two ADL fills
    assert (response.applied_price, [item.account_id for item in response.liquidations],
            len(response.adl_fills)) == (125.0, [1], 2)
    assert "server/markcap/engine/adl.py" in mark.files  # the trace saw the engine's depth
    assert not _unnamed(deltas.files, "One StreamDeltas batch, in order"), deltas.files
    assert not _unnamed(mark.files, "One ApplyMark, in order"), mark.files
