#!/usr/bin/env bash
# Memory at scale: one Tern with a capped heap holds the full relay port range of one relay IP
# (16,384 allocations by default), each relaying an echoed message every few seconds through a channel,
# and the script reports the live heap after a full GC, RSS and file descriptors while they all
# run, against the same figures for an idle server.
#
# Usage: load-test/hold-allocations.sh [--allocations N] [--heap SIZE] [--hold TIME]
#   --allocations N  a multiple of 4096 up to 16384 (tern-load holds at most 4096 per process,
#                    so N/4096 load processes start 8 s apart); default 16384
#   --heap SIZE      Tern's -Xmx; default 256m (issue 7: 16k allocations in <= 256 MiB of heap)
#   --hold TIME      how long each load process relays; default 60s
#   --rate N         echoed messages/s per load process (4096 allocations); default 1024
# Loopback only; Tern and every load process are stopped by PID however the script ends.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Tern on a JDK 22+ when there is one, so it runs on its own datagram path (scripts/jdk.sh); the
# load generator on the java on PATH, as in the earlier measurements.
gen_java=java
source "$root/scripts/jdk.sh"
tern_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
allocations=16384
heap=256m
hold=60s
rate=1024
port=34795
while [[ $# -gt 0 ]]; do
  case "$1" in
    --allocations) allocations="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --hold) hold="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "hold-allocations: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$allocations" =~ ^[0-9]+$ ]] || (( allocations < 4096 || allocations > 16384 || allocations % 4096 != 0 )); then
  echo "hold-allocations: --allocations must be 4096, 8192, 12288 or 16384" >&2; exit 2
fi
processes=$(( allocations / 4096 ))
# The relay range: the allocations plus some room for ports other programs hold, below Linux's
# ephemeral range so the load processes' own sockets never take one.
min_port=15000
max_port=$(( min_port + allocations + 1383 ))
if (( $(ulimit -n) < allocations + 1000 )); then
  echo "hold-allocations: raise the open-files limit (ulimit -n) to at least $(( allocations + 1000 ))" >&2; exit 1
fi

"$root/tern-load" --version >/dev/null
tern_jar="$(ls "$root"/turn-server/target/turn-server-*-all.jar | head -n 1)"
load_jar="$root/load-test/target/benchmarks.jar"
work="$(mktemp -d /tmp/hold-allocations.XXXXXX)"
tern_pid=""
load_pids=()
cleanup() {
  for pid in "${load_pids[@]}" $tern_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$tern_java" "-Xmx$heap" -Xlog:gc:file="$work/gc.log" -jar "$tern_jar" serve --listening-ip 127.0.0.1 \
  --listening-port "$port" --relay-ip 127.0.0.1 --min-port "$min_port" --max-port "$max_port" \
  --allow-loopback-peers --realm bench --user load:load --no-tls --no-http --threads 2 >"$work/tern.log" 2>&1 &
tern_pid=$!
load() { "$gen_java" --enable-native-access=ALL-UNNAMED -cp "$load_jar" io.tern.load.LoadMain "$@"; }
for _ in $(seq 50); do
  load binding --server "127.0.0.1:$port" --count 1 --timeout 300ms -q >/dev/null 2>&1 && break
  sleep 0.2
done

live_heap_kib() { # the heap in use right after a full GC, in KiB
  jcmd "$tern_pid" GC.run >/dev/null
  jcmd "$tern_pid" GC.heap_info | awk '/garbage-first heap|def new generation|PSYoungGen/ {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i + 1) + 0; exit}}'
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$tern_pid/status"; }
fds() { ls "/proc/$tern_pid/fd" | wc -l; }

idle_heap=$(live_heap_kib); idle_rss=$(rss_kib); idle_fds=$(fds)
echo "idle: live heap $idle_heap KiB, RSS $idle_rss KiB, $idle_fds fds" >&2

for i in $(seq "$processes"); do
  load relay --server "127.0.0.1:$port" --user load --password load -n 4096 --rate "$rate" \
    --step-duration "$hold" --duration 10m --warmup 0s --source-ips 1000 --timeout 10s -q --json \
    >"$work/load$i.json" 2>"$work/load$i.err" &
  load_pids+=("$!")
  sleep 8
done
# Every process past its set-up: one relay socket per allocation is open (or 60 s went by).
for _ in $(seq 120); do (( $(fds) >= idle_fds + allocations )) && break; sleep 0.5; done
held_heap=$(live_heap_kib); held_rss=$(rss_kib); held_fds=$(fds)
echo "holding: live heap $held_heap KiB, RSS $held_rss KiB, $held_fds fds" >&2
status=0
for pid in "${load_pids[@]}"; do wait "$pid" || status=1; done
# Datagrams the kernel dropped on Tern's listening sockets for a full receive buffer (/proc/net/udp
# "drops"): loss the load processes see that Tern never read.
listener_drops=$(python3 -c '
import sys
port = int(sys.argv[1])
print(sum(int(f[-1]) for f in (l.split() for l in open("/proc/net/udp").readlines()[1:])
          if int(f[1].split(":")[1], 16) == port))' "$port")

python3 - "$work" "$processes" "$allocations" "$heap" "$idle_heap" "$idle_rss" "$idle_fds" \
  "$held_heap" "$held_rss" "$held_fds" "$listener_drops" <<'PY'
import json, sys
work, processes, allocations, heap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
idle_heap, idle_rss, idle_fds, held_heap, held_rss, held_fds, listener_drops = map(int, sys.argv[5:12])
sent = received = offered = 0
rows = []
for i in range(1, processes + 1):
    try:
        run = json.load(open(f"{work}/load{i}.json"))
    except ValueError:
        print(f"load process {i} failed: " + open(f"{work}/load{i}.err").read().strip())
        continue
    step = run["steps"][0]
    rows.append((i, run["summary"]["allocations"], step["msgs_per_s"], step["loss_percent"], step.get("client_bound")))
per_allocation = (held_heap - idle_heap) * 1024 / allocations
print(f"{allocations} allocations, Tern -Xmx{heap}")
print(f"  live heap after full GC: idle {idle_heap / 1024:.1f} MiB, holding {held_heap / 1024:.1f} MiB "
      f"({per_allocation:.0f} B per allocation)")
print(f"  RSS: idle {idle_rss / 1024:.0f} MiB, holding {held_rss / 1024:.0f} MiB; "
      f"file descriptors: idle {idle_fds}, holding {held_fds}")
print(f"  datagrams the kernel dropped on Tern's listening sockets (receive buffer full): {listener_drops}")
for i, n, rate, loss, bound in rows:
    print(f"  load process {i}: {n} allocations, {rate:.0f} echoed msgs/s, loss {loss:.2f} %"
          + (" (client-bound: it could not offer the rate)" if bound else ""))
PY
echo "logs and JSON: $work" >&2
exit $status
