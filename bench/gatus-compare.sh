#!/usr/bin/env bash
# Yeonsok's monitoring and Gatus side by side, in the same run on the same
# workload (issue 5): N HTTP endpoints every INTERVAL seconds, a share slow
# (1 s) and a share hanging until the 10 s timeout, each side against its
# own load generator so each can be counted apart. Yeonsok's side is the
# whole pipeline as the tower runs it (bench/watch): the Watcher with the
# real probes, state machines, interruptions and hourly rollups written to
# an SQLite file of N systems.
#
#   GATUS_BIN=/path/to/gatus bench/gatus-compare.sh
#
# Gatus is not part of this repository and is not built by it: build it
# yourself (git clone https://github.com/TwiN/gatus && go build) and point
# GATUS_BIN at the binary. Run from the repository's root. Settings, from
# the environment:
#
#   N=1000 INTERVAL=10 (s) DURATION=180 (s measured) SLOW=0.10 HANG=0.05
#   GATUS_STORAGE=memory|sqlite   GATUS_LOG_LEVEL=INFO (Gatus's default)
#   GATUS_CONCURRENCY=N: as many checks at once as endpoints, so Gatus is not
#   held back by its default of 3, which cannot keep up with hanging
#   endpoints (and `concurrency: 0`, documented as unlimited, is read as 3)
#   WARMUP (s): Gatus starts its endpoints 222 ms apart, so by default the
#   measurement begins once all have started (N × 0.222 s + INTERVAL + 5 s).
#
# Both sides are measured over the same window after the warm-up: CPU from
# /proc/PID/stat (utime + stime), checks as the requests their load
# generator received, and the schedule from outside, as the share of gaps
# between two requests to one target that lie within INTERVAL ± 1 s.
set -euo pipefail

: "${GATUS_BIN:?set GATUS_BIN to a Gatus binary (it is not in this repository)}"
N=${N:-1000}
INTERVAL=${INTERVAL:-10}
DURATION=${DURATION:-180}
SLOW=${SLOW:-0.10}
HANG=${HANG:-0.05}
GATUS_STORAGE=${GATUS_STORAGE:-memory}
GATUS_CONCURRENCY=${GATUS_CONCURRENCY:-$N}
WARMUP=${WARMUP:-$(awk -v n="$N" -v i="$INTERVAL" 'BEGIN { printf "%d", n * 0.222 + i + 5 }')}

work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building the load generator and the Watcher benchmark into $work"
go build -o "$work/loadgen" ./bench/loadgen
go build -o "$work/watch" ./bench/watch

# start_loadgen NAME: starts a load generator in the background.
start_loadgen() {
	"$work/loadgen" -n "$N" -slow "$SLOW" -hang "$HANG" -addr 127.0.0.1:0 >"$work/$1.out" 2>"$work/$1.err" &
	pids+=($!)
}
# base_url NAME: the load generator's base URL, once it listens.
base_url() {
	for _ in $(seq 50); do
		if grep -q 'http://' "$work/$1.out"; then
			sed -n 's/.* on \(http:[^ ]*\).*/\1/p' "$work/$1.out" | head -1
			return
		fi
		sleep 0.1
	done
	echo "load generator $1 did not start: $(cat "$work/$1.err")" >&2
	exit 1
}
start_loadgen lg-gatus
start_loadgen lg-engine
gatus_targets=$(base_url lg-gatus)
engine_targets=$(base_url lg-engine)

# A free port for Gatus's web server (and /metrics).
port=28080
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

storage="type: memory"
if [ "$GATUS_STORAGE" = sqlite ]; then
	storage=$'type: sqlite\n  path: '"$work/gatus.db"
fi
{
	echo "metrics: true"
	echo "concurrency: $GATUS_CONCURRENCY"
	echo "storage:"
	echo "  $storage"
	echo "web:"
	echo "  address: 127.0.0.1"
	echo "  port: $port"
	echo "endpoints:"
	for ((i = 0; i < N; i++)); do
		echo "  - name: t$i"
		echo "    url: $gatus_targets/t/$i"
		echo "    interval: ${INTERVAL}s"
		echo "    conditions: [\"[STATUS] == 200\"]"
	done
} >"$work/gatus.yaml"

echo "running Gatus ($GATUS_STORAGE storage, concurrency $GATUS_CONCURRENCY) and Yeonsok's Watcher (SQLite): $N endpoints every ${INTERVAL}s, ${SLOW} slow, ${HANG} hanging; warm-up ${WARMUP}s, measured ${DURATION}s"
GATUS_CONFIG_PATH="$work/gatus.yaml" GATUS_LOG_LEVEL=${GATUS_LOG_LEVEL:-INFO} "$GATUS_BIN" >"$work/gatus.log" 2>&1 &
gatus=$!
pids+=("$gatus")
"$work/watch" -n "$N" -interval "${INTERVAL}s" -slow "$SLOW" -hang "$HANG" -target "$engine_targets" \
	-db "$work/yeonsok.db" -stop 0 -duration "$((WARMUP + DURATION + 10))s" >"$work/engine.out" 2>&1 &
engine=$!
pids+=("$engine")

# cpu_ticks PID: user + system time in clock ticks (fields 14 and 15).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# field JSON NAME: a number from the load generator's stats.
field() { sed -n "s/.*\"$2\":\([0-9.e+-]*\).*/\1/p" <<<"$1"; }
gatus_results() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^gatus_results_total/ { n += $NF } END { printf "%d", n }'; }

sleep "$WARMUP"
for pid in "$gatus" "$engine"; do
	kill -0 "$pid" 2>/dev/null || { echo "a side stopped early; Gatus log:"; tail "$work/gatus.log"; exit 1; }
done
g0=$(cpu_ticks "$gatus") e0=$(cpu_ticks "$engine") gr0=$(gatus_results)
curl -s -X POST "$gatus_targets/control/reset" >/dev/null
curl -s -X POST "$engine_targets/control/reset" >/dev/null
sleep "$DURATION"
g1=$(cpu_ticks "$gatus") e1=$(cpu_ticks "$engine") gr1=$(gatus_results)
gs=$(curl -s "$gatus_targets/control/stats?interval=${INTERVAL}s")
es=$(curl -s "$engine_targets/control/stats?interval=${INTERVAL}s")
grss=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$gatus/status")
erss=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$engine/status")

tck=$(getconf CLK_TCK)
expected=$((N * DURATION / INTERVAL))
report() { # NAME TICKS STATS RSS
	local req on p50 p99
	req=$(field "$3" requests) on=$(field "$3" on_schedule)
	p50=$(sed -n 's/.*"gap_p50":"\([^"]*\)".*/\1/p' <<<"$3") p99=$(sed -n 's/.*"gap_p99":"\([^"]*\)".*/\1/p' <<<"$3")
	awk -v name="$1" -v t="$2" -v tck="$tck" -v req="$req" -v due="$expected" -v on="$on" -v dur="$DURATION" \
		-v p50="$p50" -v p99="$p99" -v rss="$4" 'BEGIN {
		cpu = t / tck
		printf "%-8s %7d checks (%5.1f%% of %d due)  CPU %6.2f s = %5.1f%% of a core  %.3f ms/check  on schedule %6.2f%%  gap p50 %s p99 %s  peak RSS %d MB  %s\n",
			name, req, 100 * req / due, due, cpu, 100 * cpu / dur, 1000 * cpu / (req > 0 ? req : 1), 100 * on, p50, p99, rss,
			(on >= 0.99 && req >= 0.98 * due) ? "kept its schedule" : "fell behind"
	}'
}
echo
report gatus "$((g1 - g0))" "$gs" "$grss"
report yeonsok "$((e1 - e0))" "$es" "$erss"
echo "(Gatus's own count of results in the window: $((gr1 - gr0)))"
