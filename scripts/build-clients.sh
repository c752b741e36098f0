#!/usr/bin/env bash
# Builds the example clients (client/cpp, client/go, client/java, client/ts)
# from the committed stubs, each into OUT/<language>/seed2-client, a program
# that takes the server address:
#
#   scripts/build-clients.sh [OUT] [cpp|go|java|ts ...]   (default: build/clients, all four)
#   build/clients/go/seed2-client 127.0.0.1:50051
#
# Needs scripts/install-client-toolchains.sh (Debian's toolchains) and
# node_modules (npm ci): `make clients` does both. Nothing is downloaded:
# Go builds in GOPATH mode from Debian's sources, Java from Debian's jars.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

build_cpp() {
  make -s -C client/cpp -j2 BUILD="$1"
}

# GOPATH mode (GO111MODULE=off): the client tree is copied to
# $1/gopath/src/markcap, so the stubs import as markcap/markcapv1, and grpc-go
# and protobuf come from /usr/share/gocode.
build_go() {
  local gopath=$1/gopath
  rm -rf "$gopath"
  mkdir -p "$gopath/src"
  cp -r client/go "$gopath/src/markcap"
  GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOPROXY=off GOFLAGS= \
    go build -o "$1/seed2-client" markcap/cmd/seed2-client
}

# What grpc-java 1.41 with the Netty transport needs at run time, from
# /usr/share/java (Debian's unversioned names).
java_runtime_classpath() {
  local jars=(
    grpc-api grpc-context grpc-core grpc-netty grpc-protobuf grpc-protobuf-lite grpc-stub
    protobuf guava perfmark-api gson jctools-core
    netty-buffer netty-codec netty-codec-http netty-codec-http2 netty-codec-socks
    netty-common netty-handler netty-handler-proxy netty-resolver netty-transport
  )
  local classpath=() jar
  for jar in "${jars[@]}"; do classpath+=("/usr/share/java/$jar.jar"); done
  (IFS=:; echo "${classpath[*]}")
}

# javax.annotation.Generated (on the generated service class) is needed only
# to compile: JDK 11+ dropped it, geronimo-annotation provides it.
build_java() {
  local classpath
  classpath=$(java_runtime_classpath)
  rm -rf "$1/classes"
  find client/java/gen client/java/src -name '*.java' > "$1/sources.txt"
  javac -nowarn -encoding UTF-8 -d "$1/classes" \
    -cp "$classpath:/usr/share/java/geronimo-annotation-1.3-spec.jar" @"$1/sources.txt"
  write_launcher "$1/seed2-client" java -cp "$1/classes:$classpath" markcap.example.Seed2Client
}

# tsc compiles to CommonJS; node resolves @connectrpc and @bufbuild from the
# repository's node_modules through a link beside the output.
build_ts() {
  rm -rf "$1/js"
  node_modules/.bin/tsc -p client/ts --outDir "$1/js"
  ln -sfn "$repo/node_modules" "$1/js/node_modules"
  write_launcher "$1/seed2-client" node "$1/js/seed2-client.js"
}

# write_launcher PATH COMMAND...: a script that runs COMMAND with its arguments.
write_launcher() {
  local path=$1
  shift
  printf '#!/bin/sh\nexec %s "$@"\n' "$(printf '%q ' "$@")" > "$path"
  chmod +x "$path"
}

out=${1:-build/clients}
[ $# -gt 0 ] && shift
languages=("$@")
[ ${#languages[@]} -gt 0 ] || languages=(cpp go java ts)
mkdir -p "$out"
out=$(cd "$out" && pwd)
for language in "${languages[@]}"; do
  case $language in
    cpp | go | java | ts) ;;
    *) echo "unknown language '$language' (cpp, go, java, ts)" >&2; exit 2 ;;
  esac
  mkdir -p "$out/$language"
  start=$SECONDS
  "build_$language" "$out/$language"
  echo "built $out/$language/seed2-client in $((SECONDS - start))s"
done
