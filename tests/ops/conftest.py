"""Fixtures of tests/ops: servers that report their metrics URL, and certificates."""
from __future__ import annotations

import pytest

from ops_certificates import make_certificates
from ops_servers import OpsServers


@pytest.fixture
def ops_servers(tmp_path):
    """ops_servers.start("--listen", "127.0.0.1:0", ..., metrics=True) -> OpsServer."""
    servers = OpsServers(tmp_path)
    yield servers
    servers.close()


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    """PEM files made for this run: see ops_certificates.Certificates."""
    return make_certificates(tmp_path_factory.mktemp("certificates"))
