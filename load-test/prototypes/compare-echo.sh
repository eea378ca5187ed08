#!/usr/bin/env bash
# CPU and heap allocation per datagram of a UDP echo done Tern's way today (Netty epoll, JDK 17)
# and through the FFM API with recvmmsg/sendmmsg on native arrays (JDK 22+), under the same load:
# UdpFlood.java at RATE datagrams/s over SOCKETS sockets for SECONDS. Loopback only; each server
# stops by itself after SECONDS + 4, and is killed by PID if it has not.
#
# Usage: load-test/prototypes/compare-echo.sh [RATE] [SECONDS] [SOCKETS] [PAYLOAD] [ROUNDS]
#        (defaults 20000 10 16 160 3); JAVA25 names a JDK 22+ java (default: Temurin 25 here).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rate="${1:-20000}"; seconds="${2:-10}"; sockets="${3:-16}"; payload="${4:-160}"; rounds="${5:-3}"
java25="${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
[[ -x "$java25" ]] || { echo "compare-echo: no JDK 22+ at $java25; set JAVA25" >&2; exit 1; }
"$root/tern-load" --version >/dev/null   # builds benchmarks.jar (Netty) when stale
jar="$root/load-test/target/benchmarks.jar"
port=34781
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true' EXIT
run() { # name, then the server command
  local name="$1"; shift
  "$@" "$port" "$((seconds + 4))" >"/tmp/compare-echo-$name.out" 2>&1 &
  pid=$!
  sleep 2.5  # the source launcher compiles first
  java "$here/UdpFlood.java" "$port" "$rate" "$seconds" "$sockets" "$payload"
  wait "$pid" || true
  pid=""
  grep -E "^(ffm|netty):" "/tmp/compare-echo-$name.out" || cat "/tmp/compare-echo-$name.out"
}
for r in $(seq "$rounds"); do
  echo "round $r: $rate datagrams/s, $sockets sockets, $payload B"
  run netty java -Xmx256m -cp "$jar" "$here/NettyUdpEcho.java"
  run ffm "$java25" -Xmx256m --enable-native-access=ALL-UNNAMED "$here/FfmUdpEcho.java"
done
