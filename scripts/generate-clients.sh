#!/usr/bin/env bash
# Regenerates the C++, Go, Java and TypeScript stubs under client/ from
# protos/, with the local plugins client/buf.gen.yaml lists. The one command
# for that generated code; never edit its output by hand. Needs
# scripts/install-client-toolchains.sh (protoc and the Debian plugins) and
# node_modules (buf, protoc-gen-es): `make generate-clients` does both.
#
# It generates into a temp dir and replaces a stub dir only when its content
# changed, so a check on an up-to-date tree never removes files that a
# concurrent build or test is reading.
set -euo pipefail
cd "$(dirname "$0")/.."
buf=${BUF:-node_modules/.bin/buf}
generated=(client/cpp/gen client/go/markcapv1 client/java/gen client/ts/gen)

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
"$buf" generate --template client/buf.gen.yaml -o "$staging"
for dir in "${generated[@]}"; do
  if ! diff -rq "$staging/$dir" "$dir" >/dev/null 2>&1; then
    rm -rf "$dir"
    mkdir -p "$(dirname "$dir")"
    cp -r "$staging/$dir" "$dir"
    echo "regenerated $dir"
  fi
done
