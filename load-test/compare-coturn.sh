#!/usr/bin/env bash
# Side by side on loopback: Debian's coturn turnserver and Tern with equivalent settings, the same
# tern-load scenario against each, alternating which goes first, for several rounds; then medians
# and ratios of: relayed messages/s at <= 0.1 % loss, p99 round trip at the first (common) rate,
# server CPU seconds per million relayed (echoed) messages from /proc/PID/stat, and RSS.
#
# Usage: load-test/compare-coturn.sh [--rounds N] [--rates LIST] [--step TIME] [--allocations N]
#                                    [--payload BYTES] [--threads N] [--server-threads N]
#                                    [--scenario relay|binding|allocate|call] [--max-rooms N]
#                                    [--flood WINDOW]  (relay: closed loop instead of --rates)
#                                    [--warm-runs N]  (uncounted runs per server first; default 1)
#                                    [--hold N]  (N allocations, up to 8192, held open on each server
#                                                 by background clients while the rounds run)
#                                    [--pin SERVER_CPUS:GENERATOR_CPUS]  (taskset lists, e.g. 1:0: each
#                                                 server on its own CPUs, the generator on others)
# TERN_JAVA_OPTS is passed to Tern's JVM (e.g. -Dtern.udpOffload=false).
# Both servers are stopped by PID when the script ends, however it ends.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Tern on a JDK 22+ when there is one, so it runs on its own datagram path (scripts/jdk.sh); the
# load generator on the java on PATH, as in the earlier measurements.
gen_java=java
source "$root/scripts/jdk.sh"
tern_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
rounds=3
rates="5000,10000,20000,40000"
step=3s
allocations=16
payload=160
threads=2
server_threads=2
scenario=relay
max_rooms=12
flood=""
warm_runs=1
hold=0
pin=""
coturn_port=34791
tern_port=34792

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --step) step="$2"; shift 2 ;;
    --allocations) allocations="$2"; shift 2 ;;
    --payload) payload="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --server-threads) server_threads="$2"; shift 2 ;;
    --scenario) scenario="$2"; shift 2 ;;
    --max-rooms) max_rooms="$2"; shift 2 ;;
    --flood) flood="$2"; shift 2 ;;
    --warm-runs) warm_runs="$2"; shift 2 ;;
    --hold) hold="$2"; shift 2 ;;
    --pin) pin="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "compare-coturn: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$rounds" =~ ^[0-9]+$ ]] || (( rounds < 1 || rounds > 10 )); then
  echo "compare-coturn: --rounds must be 1-10" >&2; exit 2
fi
if ! [[ "$warm_runs" =~ ^[0-9]+$ ]] || (( warm_runs > 10 )); then
  echo "compare-coturn: --warm-runs must be 0-10" >&2; exit 2
fi
if ! [[ "$hold" =~ ^[0-9]+$ ]] || (( hold > 8192 )); then
  echo "compare-coturn: --hold must be 0-8192" >&2; exit 2
fi
if (( hold > 0 && $(ulimit -n) < hold + 1000 )); then
  echo "compare-coturn: --hold $hold needs an open-files limit (ulimit -n) of at least $(( hold + 1000 ))" >&2; exit 1
fi
server_pin=()
gen_pin=()
if [[ -n "$pin" ]]; then
  [[ "$pin" =~ ^[0-9,-]+:[0-9,-]+$ ]] || { echo "compare-coturn: --pin SERVER_CPUS:GENERATOR_CPUS, e.g. 1:0" >&2; exit 2; }
  command -v taskset >/dev/null || { echo "compare-coturn: --pin needs taskset (util-linux)" >&2; exit 1; }
  server_pin=(taskset -c "${pin%%:*}")
  gen_pin=(taskset -c "${pin##*:}")
fi
case "$scenario" in relay|binding|allocate|call) ;; *) echo "compare-coturn: --scenario relay|binding|allocate|call" >&2; exit 2 ;; esac

turnserver=/usr/bin/turnserver
[[ -x "$turnserver" ]] || { echo "compare-coturn: $turnserver is missing; apt-get install coturn" >&2; exit 1; }

# Build the jars when missing or stale (the launchers know how).
"$root/tern-load" --version >/dev/null
tern_jar="$(ls "$root"/turn-server/target/turn-server-*-all.jar | head -n 1)"
load_jar="$root/load-test/target/benchmarks.jar"

work="$(mktemp -d /tmp/compare-coturn.XXXXXX)"
coturn_pid=""
tern_pid=""
hold_pids=()
cleanup() {
  for pid in "${hold_pids[@]}" $coturn_pid $tern_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Equivalent settings: loopback listener and relay, long-term user load:load, loopback peers
# allowed (the echo peer lives there), relay ports outside Linux's ephemeral range, no TLS/DTLS,
# no CLI or HTTP side servers. coturn picks its thread count itself (one relay thread per CPU).
"${server_pin[@]}" "$turnserver" -n --no-cli --no-tls --no-dtls --listening-ip 127.0.0.1 --listening-port "$coturn_port" \
  --relay-ip 127.0.0.1 --min-port 10000 --max-port 19999 --allow-loopback-peers \
  --lt-cred-mech --realm bench --user load:load --pidfile "$work/coturn.pid" \
  --log-file "$work/coturn.log" --simple-log --no-stdout-log >"$work/coturn.out" 2>&1 &
coturn_pid=$!
"${server_pin[@]}" "$tern_java" -Xmx512m ${TERN_JAVA_OPTS:-} -jar "$tern_jar" serve --listening-ip 127.0.0.1 --listening-port "$tern_port" \
  --relay-ip 127.0.0.1 --min-port 20000 --max-port 29999 --allow-loopback-peers \
  --realm bench --user load:load --no-tls --no-http --threads "$server_threads" >"$work/tern.log" 2>&1 &
tern_pid=$!

load() { "${gen_pin[@]}" "$gen_java" --enable-native-access=ALL-UNNAMED -cp "$load_jar" io.tern.load.LoadMain "$@"; }

for name in coturn tern; do
  port_var="${name}_port"
  for _ in $(seq 50); do
    if load binding --server "127.0.0.1:${!port_var}" --count 1 --timeout 300ms -q >/dev/null 2>&1; then
      continue 2
    fi
    sleep 0.2
  done
  echo "compare-coturn: $name did not answer on 127.0.0.1:${!port_var}; see $work" >&2
  exit 1
done

# --hold: background clients keep N allocations open on each server for up to 10 minutes (at most
# 4096 per tern-load process, a channel each, 64 echoed messages/s per process in all), so the
# rounds measure a server that is carrying calls, not an empty one. Started before the warm runs,
# one client at a time; ready once the server has a relay socket per allocation.
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
if (( hold > 0 )); then
  declare -A base_fds=([coturn]="$(fds "$coturn_pid")" [tern]="$(fds "$tern_pid")")
  for name in coturn tern; do
    port_var="${name}_port"
    pid_var="${name}_pid"
    left="$hold"
    while (( left > 0 )); do
      n=$(( left > 4096 ? 4096 : left ))
      # java itself in the background (not the load function's subshell), so that its PID is the
      # one the cleanup stops.
      "${gen_pin[@]}" "$gen_java" --enable-native-access=ALL-UNNAMED -cp "$load_jar" io.tern.load.LoadMain relay \
        --server "127.0.0.1:${!port_var}" --user load --password load --allocations "$n" \
        --payload 160 --rate 64 --data-path client --step-duration 10m --duration 10m --warmup 0s -q \
        >"$work/hold-$name-$left.log" 2>&1 &
      hold_pids+=($!)
      left=$(( left - n ))
      want=$(( ${base_fds[$name]} + hold - left ))
      for _ in $(seq 240); do
        (( $(fds "${!pid_var}") >= want )) && break
        sleep 0.5
      done
    done
    echo "compare-coturn: $name holds allocations: $(fds "${!pid_var}") open files, $want wanted" >&2
    (( $(fds "${!pid_var}") >= want )) || { echo "compare-coturn: $name did not reach $hold allocations; see $work" >&2; exit 1; }
  done
fi

if [[ -n "$flood" ]]; then offered=(--flood --window "$flood"); else offered=(--rate "$rates"); fi
ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

run_one() { # name port pid round
  local name="$1" port="$2" pid="$3" round="$4" before after
  before="$(cpu_ticks "$pid")"
  case "$scenario" in
    relay) load relay --server "127.0.0.1:$port" --user load --password load --allocations "$allocations" \
             --payload "$payload" "${offered[@]}" \
             --step-duration "$step" --duration 10m --warmup 2s \
             --threads "$threads" --json -q >"$work/$name-$round.json" ;;
    binding) load binding --server "127.0.0.1:$port" --duration "$step" --warmup 2s --threads "$threads" \
             --json -q >"$work/$name-$round.json" ;;
    # Clients from 4,000 loopback addresses (about 1 allocation per address and second at
    # 5,000/s): Tern answers at most 10 unauthenticated requests per source IP and second on each
    # event loop, as a guard against reflection, and churn from real clients comes from many.
    allocate) load allocate --server "127.0.0.1:$port" --user load --password load --duration "$step" \
             --warmup 2s --threads "$threads" --source-ips 4000 --json -q >"$work/$name-$round.json" ;;
    call) load call --server "127.0.0.1:$port" --user load --password load --max-rooms "$max_rooms" \
             --step-duration "$step" --duration 10m --threads "$threads" --json -q >"$work/$name-$round.json" ;;
  esac
  after="$(cpu_ticks "$pid")"
  echo "{\"cpu_seconds\": $(awk -v a="$after" -v b="$before" -v t="$ticks" 'BEGIN {print (a - b) / t}'),
         \"rss_kib\": $(rss_kib "$pid")}" >"$work/$name-$round.proc.json"
  echo "round $round $name done" >&2
}

# A first run against each server, not counted: Tern's JIT compiles its hot paths (coturn is C and
# needs none, but gets the same run for fairness), so the rounds measure steady state.
# Allocation churn keeps HotSpot's C2 compiler busy for tens of seconds (Netty's bootstrap,
# channel set-up, logging), so that scenario wants more than one: --warm-runs.
for w in $(seq "$warm_runs"); do
  run_one coturn "$coturn_port" "$coturn_pid" "warm$w"
  run_one tern "$tern_port" "$tern_pid" "warm$w"
done

echo "compare-coturn: $scenario, $rounds rounds, rates $rates, $step per step, $allocations allocations," \
     "$payload B payload, client threads $threads, Tern threads $server_threads, $hold allocations held," \
     "${pin:+pinned server:generator CPUs $pin,}" \
     "results in $work" >&2
for round in $(seq "$rounds"); do
  if (( round % 2 == 1 )); then order="coturn tern"; else order="tern coturn"; fi
  for name in $order; do
    if [[ "$name" == coturn ]]; then run_one coturn "$coturn_port" "$coturn_pid" "$round"
    else run_one tern "$tern_port" "$tern_pid" "$round"; fi
  done
done

python3 - "$work" "$rounds" "$scenario" <<'PY'
import json, statistics, sys
work, rounds, scenario = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def figures(name, r):
    run = json.load(open(f"{work}/{name}-{r}.json"))
    proc = json.load(open(f"{work}/{name}-{r}.proc.json"))
    steps = run["steps"]
    main = {"relay": "rtt", "binding": "latency", "allocate": "allocate", "call": "delay"}[scenario]
    ok = [s for s in steps if s["loss_percent"] <= 0.1]
    best = max((s["msgs_per_s"] for s in ok), default=0.0)
    if scenario == "call":
        best = run["summary"]["calls_carried"]
    # Work the server did in the whole run (warm-up included, as its CPU time is).
    work_done = run["summary"].get("echoed_by_peer", run["received"]) if scenario == "relay" else run["received"]
    return {
        "best": best,
        "p99_first": steps[0][f"{main}_p99_ms"],
        "p99_best": next((s[f"{main}_p99_ms"] for s in ok if s["msgs_per_s"] == best), None),
        "cpu_per_million": proc["cpu_seconds"] / work_done * 1e6 if work_done else float("nan"),
        "rss_mib": proc["rss_kib"] / 1024,
        "loss_last": steps[-1]["loss_percent"],
        "client_bound": sum(1 for s in steps if s.get("client_bound")),
        "steps": len(steps),
    }
rows = {n: [figures(n, r) for r in range(1, rounds + 1)] for n in ("coturn", "tern")}
def med(n, k):
    vals = [x[k] for x in rows[n] if x[k] is not None]
    return statistics.median(vals) if vals else float("nan")
unit = {"relay": "relayed msgs/s at <= 0.1% loss", "binding": "Binding requests/s", "allocate": "allocations/s",
        "call": "calls carried (loss < 0.5%, jitter <= 30 ms)"}[scenario]
lines = [
    (unit, "best", "higher"),
    ("p99 ms at the first step", "p99_first", "lower"),
    ("p99 ms at the best step", "p99_best", "lower"),
    ("server CPU s per million " + {"relay": "echoed msgs", "call": "packets"}.get(scenario, "answers"),
     "cpu_per_million", "lower"),
    ("server RSS MiB after the run", "rss_mib", "lower"),
]
print(f"{'median of ' + str(rounds) + ' rounds':44} {'coturn':>12} {'tern':>12} {'tern/coturn':>12}  better")
for label, key, better in lines:
    if scenario == "call" and key == "p99_best":
        continue  # a call ramp's best is a room count, not a step of msgs/s
    c, t = med("coturn", key), med("tern", key)
    ratio = t / c if c else float("nan")
    print(f"{label:44} {c:12.2f} {t:12.2f} {ratio:12.2f}  {better}")
for n in ("coturn", "tern"):
    per = ", ".join(f"{x['best']:.0f}" for x in rows[n])
    bound = ", ".join(f"{x['client_bound']}/{x['steps']}" for x in rows[n])
    print(f"{n} per round ({unit}): {per}; client-bound steps per round: {bound}")
print("A client-bound step is one where tern-load sent < 95% of the offered rate: tern-load, not the server, was short of CPU.")
PY
