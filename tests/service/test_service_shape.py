"""Issue 13, item 1: the service's view of an engine is one Protocol (engine_api.py) that the
Engine and MeteredEngine both have, method for method; the servicer knows input kinds, not
the store's record enum."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import markcap.service.servicer
from markcap.engine import Engine
from markcap.service.engine_api import EngineApi
from markcap.service.metered_engine import MeteredEngine

PROTOCOL_MEMBERS = sorted(name for name in vars(EngineApi) if not name.startswith("_"))


def test_the_protocol_names_the_inputs_and_queries_the_service_calls():
    assert {"applied_seq", "apply_deltas", "apply_mark", "apply_marks", "upsert_currency",
            "upsert_instrument", "status", "insurance_fund"} <= set(PROTOCOL_MEMBERS)


def test_the_engine_and_the_metered_engine_have_every_member_of_the_protocol_as_it_is_declared():
    for name in PROTOCOL_MEMBERS:
        declared = vars(EngineApi)[name]
        for implementation in (Engine, MeteredEngine):
            member = inspect.getattr_static(implementation, name)
            if isinstance(declared, property):
                assert isinstance(member, property), (implementation, name)
                continue
            wanted = inspect.signature(declared).parameters
            got = inspect.signature(member).parameters
            assert [(p.name, p.default) for p in got.values()] == \
                [(p.name, p.default) for p in wanted.values()], (implementation, name)


def test_the_metered_engine_is_no_more_than_the_protocol():
    public = {name for name in vars(MeteredEngine) if not name.startswith("_")}
    assert public == set(PROTOCOL_MEMBERS)
    assert "__getattr__" not in vars(MeteredEngine)


def test_the_servicer_imports_nothing_from_the_store():
    tree = ast.parse(Path(markcap.service.servicer.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert not {name for name in imported if name and name.startswith("markcap.store")}
