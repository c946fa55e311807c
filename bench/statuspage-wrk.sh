#!/usr/bin/env bash
# The citizens' status page under a rush (issue 6): wrk against
# GET /public/status of the real tower, while the tower is busy with what
# it does during an outage — probing, declaring outages, opening incidents
# and restoring them, taking people's reports.
#
#   bench/statuspage-wrk.sh            # from the repository's root
#
# What runs:
#   1. the tower (`yeonsok serve`, built from this tree) on a fresh SQLite
#      file, which loads the plan's sample data on first start (212
#      systems, 5 public services);
#   2. bench/loadgen: one HTTP target per system on loopback;
#   3. through the API, with a script token: every sample system gets an
#      endpoint at its target, so the tower probes 212 checks; the checks
#      of the public services' systems are probed every 5 s;
#   4. beside the load, every FLIP seconds the targets of half of those
#      systems stop answering (connection refused) or answer again, so
#      outages are declared, incidents opened or joined, and clocks
#      stopped, and a person's report of another system is posted;
#   5. once an outage shows on the page: wrk -t$THREADS -c$CONNS -d$DURATION
#      --latency http://127.0.0.1:PORT/public/status (plain HTML: wrk asks
#      for no gzip).
#
# Settings from the environment: DURATION=30s CONNS=64 THREADS=2 FLIP=20.
# Needs wrk (Debian's package), curl and jq.
set -euo pipefail

DURATION=${DURATION:-30s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
FLIP=${FLIP:-20}
for tool in wrk curl jq; do
	command -v "$tool" >/dev/null || { echo "statuspage-wrk: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building the tower and the load generator into $work"
go build -o "$work/yeonsok" ./cmd/yeonsok
go build -o "$work/loadgen" ./bench/loadgen

# free_port: a port nobody listens on.
free_port() {
	local port=$1
	while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
	echo "$port"
}

"$work/loadgen" -n 212 -slow 0 -hang 0 -addr 127.0.0.1:0 >"$work/loadgen.out" 2>"$work/loadgen.err" &
pids+=($!)
for _ in $(seq 50); do grep -q 'http://' "$work/loadgen.out" && break; sleep 0.1; done
targets=$(sed -n 's/.* on \(http:[^ ]*\).*/\1/p' "$work/loadgen.out" | head -1)
[ -n "$targets" ] || { echo "loadgen did not start: $(cat "$work/loadgen.err")" >&2; exit 1; }

port=$(free_port 18480)
tower=http://127.0.0.1:$port
export YEONSOK_DATABASE_URL=$work/yeonsok.db YEONSOK_ADDR=127.0.0.1:$port YEONSOK_LOG_LEVEL=warn
"$work/yeonsok" serve >"$work/tower.out" 2>"$work/tower.err" &
tower_pid=$!
pids+=($tower_pid)
for _ in $(seq 100); do curl -fs "$tower/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$tower/healthz" >/dev/null || { echo "the tower did not start: $(cat "$work/tower.err")" >&2; exit 1; }

token=$("$work/yeonsok" token create --name statuspage-bench --role script | tail -1)
api() { curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }

# The public services' systems first: their targets are 0..k-1.
public=$(api "$tower/api/v1/services" | jq -r '[.items[] | select(.audience == "public") | .system_ids[]] | unique | .[]')
others=$(api "$tower/api/v1/systems" | jq -r '.items[].id' | grep -vxF -f <(echo "$public") || true)
k=$(echo "$public" | wc -l)
echo "giving 212 systems an endpoint on $targets (the $k systems of public services first)"
i=0
for id in $public $others; do
	api "$tower/api/v1/systems/$id" | jq --arg t "$targets/t/$i" '.endpoints = [{"target": $t}]' |
		api -X PUT --data-binary @- "$tower/api/v1/systems/$id" >/dev/null
	i=$((i + 1))
done
# The Watcher takes up the new checks when the inventory moves; then the
# public services' checks are probed every 5 s.
sleep 3
api "$tower/api/v1/checks" | jq -c --argjson ids "[$(echo $public | tr ' ' ',')]" \
	'.items[] | select(.system_id as $s | $ids | index($s)) | .interval = 5000000000 | .timeout = 2000000000' |
	while read -r check; do
		api -X PUT --data-binary "$check" "$tower/api/v1/checks/$(echo "$check" | jq .id)" >/dev/null
	done

# The outage beside the load: half of the public services' systems go
# down and come back every FLIP seconds; a person reports another system.
half=$(((k + 1) / 2))
(
	n=0
	while true; do
		curl -fsS -X POST "$targets/control/stop?from=0&to=$half&mode=refuse" >/dev/null
		other=$(echo "$others" | sed -n "$((n % 200 + 1))p")
		api -X POST --data-binary "{\"system_id\": $other, \"reason\": \"bench: reported by a person\"}" "$tower/api/v1/incidents" >/dev/null || true
		sleep "$FLIP"
		curl -fsS -X POST "$targets/control/start?from=0&to=$half" >/dev/null
		sleep "$FLIP"
		n=$((n + 1))
	done
) &
pids+=($!)

echo "waiting for the outage to show on the public page"
for _ in $(seq 90); do
	if [ "$(curl -fs "$tower/public/status.json" | jq '.incidents | length')" -gt 0 ]; then break; fi
	sleep 1
done
echo "page before the load: $(curl -fs "$tower/public/status.json" | jq -c '{counts, incidents: (.incidents | length)}')"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cmd="wrk -t$THREADS -c$CONNS -d$DURATION --latency $tower/public/status"
echo "running: $cmd   ($(date -u '+%Y-%m-%d %H:%M UTC'))"
cpu_before=$(awk '{print $14 + $15}' "/proc/$tower_pid/stat")
$cmd | tee "$work/wrk.out"
cpu_after=$(awk '{print $14 + $15}' "/proc/$tower_pid/stat")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "page after the load: $(curl -fs "$tower/public/status.json" | jq -c '{counts, incidents: (.incidents | length)}')"
echo "incidents opened meanwhile (open, all agencies): $(api "$tower/api/v1/incidents" | jq '.items | length')"
echo "tower CPU during wrk: $(((cpu_after - cpu_before) / $(getconf CLK_TCK))) s"
echo "tower errors logged: $(grep -c 'level=ERROR' "$work/tower.err" || true)"

rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
echo
echo "RESULT requests/s: $rps   p99: $p99   (target: >= 5000 requests/s, p99 <= 50 ms)"
