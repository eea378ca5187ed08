#!/usr/bin/env bash
# Where a server's CPU goes under a fixed relay load: starts Tern or coturn on loopback (the
# compare-coturn.sh settings), warms it with one run, then runs tern-load relay at a fixed rate and
# prints each thread's user and system CPU from /proc/PID/task/*/stat, as ticks and as µs per
# echoed message (each echoed message is two datagrams into the server and two out).
#
# Usage: load-test/cpu-per-thread.sh tern|coturn [--rate MSGS] [--time SECONDS] [-- TERN_SERVE_ARGS...]
#   --rate MSGS    echoed messages/s over 16 allocations of 160 B; default 10000
#   --time SECONDS length of the measured run; default 8
# Environment: TERN_JAVA_OPTS, JVM options for Tern after -Xmx512m (e.g. -Xlog:gc:file=gc.log).
# Loopback only; the server is stopped by PID however the script ends.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Tern on a JDK 22+ when there is one, so it runs on its own datagram path (scripts/jdk.sh); the
# load generator on the java on PATH, as in the earlier measurements.
gen_java=java
source "$root/scripts/jdk.sh"
tern_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
server="${1:-}"
[[ "$server" == tern || "$server" == coturn ]] || { sed -n '2,10p' "$0"; exit 2; }
shift
rate=10000
seconds=8
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) rate="$2"; shift 2 ;;
    --time) seconds="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "cpu-per-thread: unknown option $1" >&2; exit 2 ;;
  esac
done
port=34799
"$root/tern-load" --version >/dev/null
load_jar="$root/load-test/target/benchmarks.jar"
work="$(mktemp -d /tmp/cpu-per-thread.XXXXXX)"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "$server" == coturn ]]; then
  /usr/bin/turnserver -n --no-cli --no-tls --no-dtls --listening-ip 127.0.0.1 --listening-port "$port" \
    --relay-ip 127.0.0.1 --min-port 20000 --max-port 24999 --allow-loopback-peers \
    --lt-cred-mech --realm bench --user load:load --pidfile "$work/coturn.pid" \
    --log-file "$work/coturn.log" --simple-log --no-stdout-log >"$work/server.out" 2>&1 &
else
  tern_jar="$(ls "$root"/turn-server/target/turn-server-*-all.jar | head -n 1)"
  "$tern_java" -Xmx512m ${TERN_JAVA_OPTS:-} -jar "$tern_jar" serve --listening-ip 127.0.0.1 --listening-port "$port" \
    --relay-ip 127.0.0.1 --min-port 25000 --max-port 29999 --allow-loopback-peers \
    --realm bench --user load:load --no-tls --no-http --threads 2 "${extra[@]}" >"$work/server.out" 2>&1 &
fi
pid=$!
load() { "$gen_java" --enable-native-access=ALL-UNNAMED -cp "$load_jar" io.tern.load.LoadMain "$@"; }
for _ in $(seq 50); do
  load binding --server "127.0.0.1:$port" --count 1 --timeout 300ms -q >/dev/null 2>&1 && break
  sleep 0.2
done
relay() { # seconds json
  load relay --server "127.0.0.1:$port" --user load --password load --allocations 16 --payload 160 \
    --rate "$rate" --step-duration "${1}s" --duration "$(( ${1} > 60 ? ${1} : 60 ))s" --warmup 0s -q --json >"$2"
}
snapshot() { # thread name (spaces as _) and id, user ticks, system ticks
  for t in /proc/"$pid"/task/*; do
    # Fields 14 and 15 of stat, counted after the ")" that ends the name: names may hold spaces.
    echo "$(tr ' ' _ <"$t/comm")#${t##*/} $(sed 's/.*) //' "$t/stat" | awk '{print $12, $13}')"
  done | sort
}
relay 8 "$work/warm.json"
snapshot >"$work/before"
relay "$seconds" "$work/run.json"
snapshot >"$work/after"
python3 - "$work" "$server" "$rate" "$(getconf CLK_TCK)" <<'PY'
import collections, json, re, sys
work, server, rate, hz = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def read(name):
    out = {}
    for line in open(f"{work}/{name}"):
        tid, user, system = line.split()
        out[tid] = (int(user), int(system))
    return out
before, after = read("before"), read("after")
run = json.load(open(f"{work}/run.json"))
echoed = run["summary"]["echoed_by_peer"]
step = run["steps"][0]
groups = collections.defaultdict(lambda: [0, 0])
for tid, (u, s) in after.items():
    u0, s0 = before.get(tid, (0, 0))  # a thread started during the run counts from zero
    name = re.sub(r"#\d+$", "", tid)
    name = re.sub(r"[-_#]?\d+$", "", name)  # one row per kind of thread
    groups[name][0] += u - u0
    groups[name][1] += s - s0
print(f"{server}: {echoed} echoed messages at {rate}/s offered, loss {step['loss_percent']:.2f} %, "
      f"p99 {step['rtt_p99_ms']:.2f} ms")
print(f"{'threads':28} {'user':>7} {'sys':>7}  µs per echoed message (user + sys)")
for name, (u, s) in sorted(groups.items(), key=lambda kv: -sum(kv[1])):
    if u + s == 0:
        continue
    us = lambda ticks: ticks / hz / echoed * 1e6
    print(f"{name:28} {u:7d} {s:7d}  {us(u + s):7.2f} ({us(u):.2f} + {us(s):.2f})")
PY
