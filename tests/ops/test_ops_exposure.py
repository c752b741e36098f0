"""Exposure (issue 6 item 4): loopback by default; unix sockets 0600; TLS and
mutual TLS on TCP; plaintext on a non-loopback address refused unless --insecure.

No test here binds a non-loopback address: the refusal is checked in-process,
and in a process only with 192.0.2.1 (TEST-NET-1, never a local address), so a
broken check would fail to bind rather than expose anything."""
from __future__ import annotations

import os
import ssl
import stat
import subprocess
import urllib.request
from concurrent import futures
from pathlib import Path

import grpc
import pytest

from markcap.client import MarkcapClient, MarkcapError, RetryPolicy
from markcap.client.cli import main as cli_main
from markcap.service import main as server_main
from markcap.service.security import (Exposure, ExposureError, TlsFiles, bind, check_address,
                                      is_loopback_host, tls_files)
from ops_servers import private_socket_dir, server_command

UNROUTABLE = "192.0.2.1:0"   # TEST-NET-1: documentation only, never assigned to this host
NO_RETRY = RetryPolicy(attempts=1)
SOME_TLS = TlsFiles(Path("cert.pem"), Path("key.pem"))


@pytest.mark.parametrize("address", ["127.0.0.1:50051", "127.3.2.1:0", "[::1]:0",
                                     "localhost:50051", "unix:/tmp/x.sock"])
def test_loopback_and_unix_addresses_are_allowed_in_plaintext(address):
    check_address(address, Exposure())


@pytest.mark.parametrize("address", ["0.0.0.0:50051", "[::]:50051", "10.1.2.3:0",
                                     "192.0.2.1:0", "markcap.example.com:50051",
                                     "[::ffff:10.0.0.1]:1"])
def test_plaintext_on_a_non_loopback_address_is_refused(address):
    with pytest.raises(ExposureError, match="--insecure") as refused:
        check_address(address, Exposure())
    assert address in str(refused.value)


@pytest.mark.parametrize("exposure", [Exposure(insecure=True), Exposure(tls=SOME_TLS)],
                         ids=["insecure", "tls"])
def test_a_non_loopback_address_is_allowed_with_tls_or_insecure(exposure):
    check_address("0.0.0.0:50051", exposure)


def test_the_default_listen_address_is_loopback():
    assert is_loopback_host(server_main.DEFAULT_LISTEN.rpartition(":")[0])
    args = server_main.parse_args([])
    assert args.listen is None and not args.insecure and args.metrics_listen is None


@pytest.mark.parametrize("flag", ["--listen", "--metrics-listen"])
def test_the_server_refuses_plaintext_on_a_non_loopback_address_before_binding(flag):
    result = subprocess.run(server_command() + [flag, UNROUTABLE, "--in-memory"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "refusing to serve" in result.stderr and "--insecure" in result.stderr
    assert UNROUTABLE in result.stderr
    assert "listening on" not in result.stdout


@pytest.mark.parametrize("flags, problem", [
    (["--tls-cert", "{cert}"], "--tls-cert and --tls-key go together"),
    (["--tls-client-ca", "{ca}"], "--tls-client-ca needs --tls-cert and --tls-key"),
    (["--tls-cert", "{cert}", "--tls-key", "/nonexistent/key.pem"], "/nonexistent/key.pem"),
])
def test_incomplete_tls_settings_stop_the_server(certificates, flags, problem):
    paths = {"cert": str(certificates.server.cert), "ca": str(certificates.client_ca)}
    result = subprocess.run(server_command() + [f.format(**paths) for f in flags]
                            + ["--listen", "127.0.0.1:0", "--in-memory"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert problem in result.stderr


def test_tls_files_need_cert_and_key_together(certificates):
    assert tls_files(None, None, None) is None
    with pytest.raises(ExposureError):
        tls_files(None, certificates.server.key, None)


def test_a_unix_socket_is_created_0600_and_the_umask_is_restored():
    directory = private_socket_dir()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    try:
        umask_before = os.umask(0o022)
        os.umask(umask_before)
        address = bind(server, f"unix:{directory}/markcap.sock", Exposure())
        assert stat.S_IMODE(os.stat(f"{directory}/markcap.sock").st_mode) == 0o600
        assert address == f"unix:{directory}/markcap.sock"
        assert os.umask(umask_before) == umask_before
    finally:
        server.stop(None)
        for name in os.listdir(directory):
            os.unlink(os.path.join(directory, name))
        os.rmdir(directory)


def test_the_server_s_unix_socket_is_0600_and_serves(ops_servers):
    path = ops_servers.socket_path()
    running = ops_servers.start("--listen", f"unix:{path}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    with MarkcapClient(running.address) as client:
        assert client.check_health().status == 1  # SERVING


def _tls_server(ops_servers, certificates, *extra: str):
    return ops_servers.start("--listen", "127.0.0.1:0", "--tls-cert",
                             str(certificates.server.cert), "--tls-key",
                             str(certificates.server.key), *extra)


def test_tls_serves_clients_that_trust_its_ca_and_nobody_in_plaintext(ops_servers,
                                                                     certificates):
    running = _tls_server(ops_servers, certificates)
    with MarkcapClient(running.address, tls_ca=certificates.server_ca) as client:
        assert client.get_status().instrument_count == 3
    with MarkcapClient(running.address, timeout=3, retry=NO_RETRY) as plaintext:
        with pytest.raises(MarkcapError) as failed:
            plaintext.get_status()
        assert failed.value.code == grpc.StatusCode.UNAVAILABLE
    with MarkcapClient(running.address, timeout=3, retry=NO_RETRY,
                       tls_ca=certificates.rogue_ca) as distrustful:
        with pytest.raises(MarkcapError) as failed:
            distrustful.get_status()
        assert failed.value.code == grpc.StatusCode.UNAVAILABLE


def test_mutual_tls_needs_a_client_certificate_from_the_client_ca(ops_servers, certificates):
    running = _tls_server(ops_servers, certificates, "--tls-client-ca",
                          str(certificates.client_ca))
    trusted = {"tls_ca": certificates.server_ca}
    with MarkcapClient(running.address, tls_cert=certificates.client.cert,
                       tls_key=certificates.client.key, **trusted) as client:
        assert client.get_status().instrument_count == 3
    for who, extra in [("no certificate", {}),
                       ("a certificate from another CA",
                        {"tls_cert": certificates.rogue_client.cert,
                         "tls_key": certificates.rogue_client.key})]:
        with MarkcapClient(running.address, timeout=3, retry=NO_RETRY, **trusted,
                           **extra) as refused:
            with pytest.raises(MarkcapError) as failed:
                refused.get_status()
            assert failed.value.code == grpc.StatusCode.UNAVAILABLE, who


def test_the_cli_speaks_mutual_tls(ops_servers, certificates, capsys):
    running = _tls_server(ops_servers, certificates, "--tls-client-ca",
                          str(certificates.client_ca))
    tls = ["--tls-ca", str(certificates.server_ca), "--tls-cert", str(certificates.client.cert),
           "--tls-key", str(certificates.client.key)]
    assert cli_main(["--target", running.address, *tls, "health"]) == 0
    assert capsys.readouterr().out.strip() == "SERVING"
    assert cli_main(["--target", running.address, *tls, "--json", "status"]) == 0
    assert '"instrument_count": 3' in capsys.readouterr().out
    assert cli_main(["--target", running.address, "--timeout", "3",
                     "--tls-ca", str(certificates.server_ca), "status"]) == 1
    assert "UNAVAILABLE" in capsys.readouterr().err


def test_metrics_are_served_over_https_with_the_server_certificate(ops_servers, certificates):
    running = ops_servers.start(
        "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
        "--tls-cert", str(certificates.server.cert), "--tls-key", str(certificates.server.key),
        metrics=True)
    assert running.metrics_url.startswith("https://127.0.0.1:")
    context = ssl.create_default_context(cafile=str(certificates.server_ca))
    with urllib.request.urlopen(running.metrics_url, context=context, timeout=10) as response:
        assert b"markcap_applied_seq" in response.read()
    untrusting = ssl.create_default_context(cafile=str(certificates.rogue_ca))
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(running.metrics_url, context=untrusting, timeout=10)
