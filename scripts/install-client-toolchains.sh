#!/usr/bin/env bash
# Installs, from Debian's registry, what generating, building and testing the
# C++, Go and Java clients needs (the TypeScript client's tools come from
# package.json through npm). Idempotent: when every package is already
# installed it only checks, in well under a second.
#
# Everything is Debian 12 (bookworm) packaging, so it works offline from the
# Go module proxy and Maven Central, which are out of reach here:
#   C++   protoc, grpc_cpp_plugin, gRPC++/protobuf headers and libraries
#   Go    go 1.19, grpc-go and google.golang.org/protobuf sources under
#         /usr/share/gocode (built in GOPATH mode), protoc-gen-go(-grpc);
#         github.com/golang/protobuf 1.5 (grpc-go's codec calls it), not 1.3,
#         which predates the generated APIv2 messages (it would replace 1.3)
#   Java  JDK 17, protoc-gen-grpc-java, grpc-java and protobuf-java jars
#         under /usr/share/java with the runtime jars grpc-java names but
#         Debian does not pull in (netty, guava, perfmark, gson), and
#         javax.annotation (for the generated @Generated) from geronimo
set -euo pipefail

packages=(
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev
  g++ make pkg-config
  golang-go golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev
  golang-google-grpc-dev
  protoc-gen-go protoc-gen-go-grpc
  openjdk-17-jdk-headless protobuf-compiler-grpc-java-plugin
  libgrpc-java libprotobuf-java libgeronimo-annotation-1.3-spec-java
  libnetty-java libguava-java libperfmark-java libgoogle-gson-java
)

missing_packages() {
  local package status
  for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || echo "$package"
  done
}

mapfile -t missing < <(missing_packages)
if [ ${#missing[@]} -eq 0 ]; then
  echo "client toolchains: all ${#packages[@]} Debian packages installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || {
    echo "client toolchains: missing ${missing[*]}; run this script as root or install sudo" >&2
    exit 1
  }
  sudo=(sudo)
fi
echo "client toolchains: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
echo "client toolchains: installed ${#missing[@]} packages"
