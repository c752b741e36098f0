#!/usr/bin/env bash
# Regenerates the Python gRPC stubs in client/markcap/v1 from protos/.
# The one command for generated code; never edit its output by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
out=client
rm -f "$out"/markcap/v1/*_pb2*.py "$out"/markcap/v1/*_pb2*.pyi
"$python" -m grpc_tools.protoc -I protos \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
  protos/markcap/v1/*.proto
