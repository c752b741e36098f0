"""deploy/ (issue 6 item 3), checked offline: yamllint on every YAML file,
kubernetes-validate on the Kubernetes manifest, hadolint on the Dockerfile, the
compose file's references, and that the commands each of them runs are ones
markcap-server and the CLI accept, on addresses the exposure rules allow."""
from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from dockerfile_parse import DockerfileParser

from markcap.client.cli import build_parser as cli_parser
from markcap.service import main as server_main
from markcap.service.config import load_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "docker-compose.yml"
KUBERNETES = DEPLOY / "kubernetes" / "markcap-sidecar.yaml"
YAML_FILES = sorted(DEPLOY.rglob("*.yml")) + sorted(DEPLOY.rglob("*.yaml"))
KUBERNETES_VERSION = "1.31.0"   # native sidecars (initContainers restartPolicy) are GA in 1.33,
                                # on by default since 1.29
SOCKET = "unix:/run/markcap/markcap.sock"


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _accepted_server_args(argv: list[str]):
    """Parses as markcap-server would, and passes its exposure check (nothing is bound)."""
    args = server_main.parse_args(argv)
    server_main._checked_exposure(args)
    return args


def test_yamllint_passes_on_every_deploy_yaml_file():
    assert len(YAML_FILES) >= 5
    result = subprocess.run([_bin("yamllint"), "--strict", "-c", str(DEPLOY / "yamllint.yaml"),
                             *map(str, YAML_FILES)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_passes_on_the_dockerfile():
    result = subprocess.run([_bin("hadolint"), str(DOCKERFILE)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# ---- Dockerfile ------------------------------------------------------------------

def _dockerfile() -> DockerfileParser:
    # From a file object: given no path, DockerfileParser would write ./Dockerfile.
    return DockerfileParser(fileobj=io.BytesIO(DOCKERFILE.read_bytes()))


def _final_stage(parser: DockerfileParser) -> list[dict]:
    last_from = max(i for i, step in enumerate(parser.structure) if step["instruction"] == "FROM")
    return parser.structure[last_from:]


def test_the_image_runs_as_a_non_root_user_and_checks_grpc_health():
    final = {step["instruction"]: step["value"] for step in _final_stage(_dockerfile())}
    user = final["USER"].split(":")[0]
    assert user not in ("root", "0") and user.isdigit()
    healthcheck = json.loads(final["HEALTHCHECK"].split("CMD", 1)[1])
    assert healthcheck[0] == "markcap" and healthcheck[-1] == "health"
    cli_parser().parse_args(healthcheck[1:])  # a command line the CLI accepts
    assert f"MARKCAP_TARGET={SOCKET}" in final["ENV"].replace('"', "")


def test_the_image_s_default_command_is_accepted_and_serves_on_the_socket():
    final = {step["instruction"]: step["value"] for step in _final_stage(_dockerfile())}
    assert json.loads(final["ENTRYPOINT"]) == ["markcap-server"]
    args = _accepted_server_args(json.loads(final["CMD"]))
    assert args.listen == [SOCKET]


def test_every_copied_path_exists_and_is_let_through_the_dockerignore():
    # The dockerignore excludes everything ("**"), then lets paths through ("!path").
    let_through = [line[1:].rstrip("/") for line in
                   (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
                   if line.startswith("!")]
    for step in _dockerfile().structure:
        if step["instruction"] == "COPY" and "--from" not in step["value"]:
            for source in shlex.split(step["value"])[:-1]:
                assert (ROOT / source).exists(), source
                assert any(path == source or path.startswith(f"{source}/")
                           for path in let_through), f"{source} is excluded by the dockerignore"


# ---- compose -----------------------------------------------------------------------

def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_references_files_that_exist():
    compose = _compose()
    markcap = compose["services"]["markcap"]
    assert (COMPOSE.parent / markcap["build"]["context"] / markcap["build"]["dockerfile"]) \
        .resolve() == DOCKERFILE
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), f"{name}: {source}"
            else:
                assert source in compose["volumes"], f"{name}: undeclared volume {source}"


def test_compose_runs_markcap_on_the_shared_socket_and_the_feeder_waits_for_health():
    services = _compose()["services"]
    args = _accepted_server_args(services["markcap"]["command"])
    assert args.listen == [SOCKET]
    feeder = services["feeder"]
    assert feeder["image"] == services["markcap"]["image"]
    assert feeder["depends_on"]["markcap"]["condition"] == "service_healthy"
    assert feeder["entrypoint"][-1] == "/opt/markcap/demo_feeder.py"
    assert SOCKET in feeder["command"]
    socket_volume = {v.split(":")[0] for v in services["markcap"]["volumes"]
                     if v.endswith(":/run/markcap")}
    assert socket_volume and socket_volume <= {v.split(":")[0] for v in feeder["volumes"]}
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_prometheus_scrapes_the_metrics_address_markcap_serves():
    services = _compose()["services"]
    args = _accepted_server_args(services["markcap"]["command"])
    port = args.metrics_listen.rpartition(":")[2]
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = scrape["scrape_configs"][0]["static_configs"][0]["targets"]
    assert targets == [f"markcap:{port}"]


# ---- Kubernetes --------------------------------------------------------------------

def _manifests() -> dict[str, dict]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all(KUBERNETES.read_text())}


def test_kubernetes_manifests_validate_against_the_api_schema():
    documents = list(yaml.safe_load_all(KUBERNETES.read_text()))
    assert {doc["kind"] for doc in documents} == {"ConfigMap", "PersistentVolumeClaim",
                                                  "Deployment"}
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_kubernetes_validation_would_catch_a_misspelt_field():
    deployment = _manifests()["Deployment"]
    deployment["spec"]["template"]["spec"]["initContainers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def _pod() -> dict:
    return _manifests()["Deployment"]["spec"]["template"]["spec"]


def _sidecar() -> dict:
    (sidecar,) = [c for c in _pod()["initContainers"] if c["name"] == "markcap"]
    return sidecar


def test_markcap_is_a_sidecar_sharing_its_socket_with_the_matching_engine():
    pod, sidecar = _pod(), _sidecar()
    assert sidecar["restartPolicy"] == "Always"  # a native sidecar
    args = _accepted_server_args(sidecar["args"])
    assert args.listen == [SOCKET]
    socket_dir = "/run/markcap"
    (engine,) = pod["containers"]
    mounts = {c["name"]: {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
              for c in (sidecar, engine)}
    assert mounts["markcap"][socket_dir] == mounts["matching-engine"][socket_dir]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["markcap"][socket_dir]]
    assert {"name": "MARKCAP_TARGET", "value": SOCKET} in engine["env"]
    # One uid for both: the socket is 0600.
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001


def test_the_data_dir_is_on_the_persistent_volume_claim():
    args = _accepted_server_args(_sidecar()["args"])
    mounts = {m["mountPath"]: m["name"] for m in _sidecar()["volumeMounts"]}
    volume = {v["name"]: v for v in _pod()["volumes"]}[mounts[str(args.data_dir)]]
    assert volume["persistentVolumeClaim"]["claimName"] == \
        _manifests()["PersistentVolumeClaim"]["metadata"]["name"]
    deployment = _manifests()["Deployment"]["spec"]
    assert deployment["replicas"] == 1 and deployment["strategy"]["type"] == "Recreate"


def test_probes_run_the_grpc_health_check_over_the_socket():
    sidecar = _sidecar()
    env = {e["name"]: e["value"] for e in sidecar["env"]}
    assert env["MARKCAP_TARGET"] == SOCKET
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        command = sidecar[probe]["exec"]["command"]
        assert command[0] == "markcap" and command[-1] == "health", probe
        cli_parser().parse_args(command[1:])


def test_resource_requests_are_set():
    for container in _pod()["initContainers"] + _pod()["containers"]:
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), container["name"]


def test_the_configmap_is_a_config_markcap_accepts(tmp_path):
    config_file = tmp_path / "markcap.toml"
    config_file.write_text(_manifests()["ConfigMap"]["data"]["markcap.toml"])
    config = load_config(config_file)
    assert [i.symbol for i in config.instruments] == ["BTC-PERP"]
    args = _accepted_server_args(_sidecar()["args"])
    mounts = {m["mountPath"]: m["name"] for m in _sidecar()["volumeMounts"]}
    assert mounts[str(args.config.parent)] == "markcap-config"
    assert args.config.name in _manifests()["ConfigMap"]["data"]
    assert tomllib.loads(config_file.read_text())["insurance_fund_account_id"] == 0


# ---- the demo feeder ----------------------------------------------------------------

def test_the_demo_feeder_streams_and_marks_a_synthetic_exchange(ops_servers):
    socket = f"unix:{ops_servers.socket_path()}"
    running = ops_servers.start("--listen", socket, "--metrics-listen", "127.0.0.1:0",
                                metrics=True)
    result = subprocess.run([sys.executable, str(DEPLOY / "demo_feeder.py"), "--target", socket,
                             "--accounts", "50", "--duration", "3", "--mark-interval", "0.5"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    from test_ops_metrics import scrape, value
    samples = scrape(running.metrics_url)
    assert value(samples, "markcap_fills_applied_total") > 0
    assert value(samples, "markcap_transfers_applied_total") == 50 * 2  # USD and BTC each
    assert value(samples, "markcap_inputs_applied_total", kind="mark") >= 3
    assert "tick 1:" in result.stdout


def test_the_probe_command_exits_0_only_when_serving(ops_servers, capsys):
    from markcap.client.cli import main as cli_main
    socket = f"unix:{ops_servers.socket_path()}"
    ops_servers.start("--listen", socket)
    probe = ["--target", socket, "--timeout", "2", "health"]
    assert cli_main(probe) == 0
    assert capsys.readouterr().out.strip() == "SERVING"
    assert cli_main(probe + ["--service", "markcap.v1.RiskEngineService"]) == 0
    assert cli_main(probe + ["--service", "no.such.Service"]) == 1
    assert "NOT_FOUND" in capsys.readouterr().err
    nobody = f"unix:{ops_servers.socket_path()}"  # a fresh dir: no server behind it
    assert cli_main(["--target", nobody, "--timeout", "1", "health"]) == 1
    assert "UNAVAILABLE" in capsys.readouterr().err
