#!/usr/bin/env bash
# Soak: a local system of real processes under mixed traffic for a long time, with its nodes
# restarted one after another, reporting errors, RSS and open files over time. Not part of CI.
#
#   bench/soak.sh                       1 hour, a restart every 5 minutes, a sample every 30 s
#   bench/soak.sh --duration 30m --restart-every 4m
#
# Options:   --duration T        how long the traffic runs (default 1h; T is 90s, 30m, 1h or seconds)
#            --restart-every T   time between restarts (default 5m); none starts within 90 s of the end
#            --sample-every T    time between sample lines (default 30s)
#            --signal S          alternate (default), TERM or KILL: how nodes are stopped; alternate
#                                gives restart k SIGTERM or SIGKILL so that each node gets both in
#                                turn (TERM, KILL, TERM, ... in the first round, KILL, TERM, ... in the next)
#            --grace T           a failure up to this long after a restart window still counts as
#                                expected (default 5s)
#            --out NAME          the result file, bench/results/NAME (default <date>-soak.txt)
#
# The system (127.0.0.1, its own ports, cluster name and development certificates, so it runs
# beside run-local.sh): two tunnel-service and two proxy-service replicas in one cluster, two
# connectors at the default location with two sessions each (connector-1 to tunnel-1, connector-2
# to tunnel-2: a connector holds sessions to one tunnel-service only) and a service channel each,
# and the bench backend. Traffic (the bench jar's `soak` command): downloads and small requests
# through the HTTP proxy, SOCKS5 echo streams, and echo streams through each connector's service
# channel to a cluster service (the backend's echo port). Restarts, round robin: tunnel-1,
# proxy-1, connector-1, tunnel-2, proxy-2, connector-2. A failure is expected when it overlaps the
# window of a restarted node on its path (signal to "whole again": every node ready and all four
# sessions registered on both proxies, plus the grace). Exit code 1 on an unexpected failure,
# open files growing without bound, a node not idle at the end, or a node that did not come back.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
seconds_of() { # 90 | 90s | 30m | 1h
  case "$1" in
    *h) echo $((${1%h} * 3600)) ;;
    *m) echo $((${1%m} * 60)) ;;
    *s) echo $((${1%s})) ;;
    *[0-9]) echo $(($1)) ;;
    *) echo "FAILED: not a duration: $1 (90s, 30m, 1h)" >&2; exit 2 ;;
  esac
}
duration=3600 restart_every=300 sample_every=30 signal_mode=alternate grace=5 out=""
while [ $# -gt 0 ]; do
  case "$1" in -h|--help) usage ;; esac
  [ $# -ge 2 ] || { echo "FAILED: $1 needs a value" >&2; usage 2; }
  case "$1" in
    --duration) duration=$(seconds_of "$2") ;;
    --restart-every) restart_every=$(seconds_of "$2") ;;
    --sample-every) sample_every=$(seconds_of "$2") ;;
    --grace) grace=$(seconds_of "$2") ;;
    --signal) signal_mode=$2 ;;
    --out) out=$2 ;;
    *) echo "FAILED: unknown option $1" >&2; usage 2 ;;
  esac
  shift 2
done
case "$signal_mode" in alternate|TERM|KILL) ;; *) echo "FAILED: --signal must be alternate, TERM or KILL" >&2; exit 2 ;; esac
[ "$restart_every" -gt 0 ] && [ "$sample_every" -gt 0 ] && [ "$duration" -gt 0 ] || { echo "FAILED: durations must be positive" >&2; exit 2; }

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p bench/results
results="bench/results/$(basename "${out:-$stamp-soak.txt}")"
work=$(mktemp -d /tmp/cp-soak.XXXXXX)
mkdir -p "$work/logs"
exec > >(tee "$results") 2>&1
source bench/lib.sh

soak_pid=""
declare -A pid
cleanup() {
  trap - INT TERM EXIT
  local all=() name
  [ -z "$soak_pid" ] || all+=("$soak_pid")
  for name in "${!pid[@]}"; do all+=("${pid[$name]}"); done
  [ ${#all[@]} -eq 0 ] || stop_pids "${all[@]}"
  rm -rf "$work/apps" "$work/bench"
  echo "logs and scratch files: $work"
}
trap cleanup INT TERM EXIT

# ---- prerequisites ---------------------------------------------------------------------------
command -v curl >/dev/null || fail "curl is needed"
for module in tunnel-service proxy-service connector; do
  [ -f "$module/target/quarkus-app/quarkus-run.jar" ] || fail "$module is not built: mvn -B -q package -DskipTests"
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
build_bench
copy_apps "$root"
pick_ports
backend_http=$base backend_tcp=$((base + 1)) hazelcast=$((base + 30))
declare -A port management socks rfc channel backend_pair
for i in 1 2; do
  port[tunnel-$i]=$((base + 4 + 2 * i)) management[tunnel-$i]=$((base + 5 + 2 * i))                        # 6..9
  port[proxy-$i]=$((base + 6 + 4 * i)) socks[proxy-$i]=$((base + 7 + 4 * i))                               # 10..17
  rfc[proxy-$i]=$((base + 8 + 4 * i)) management[proxy-$i]=$((base + 9 + 4 * i))
  management[connector-$i]=$((base + 16 + 2 * i)) channel[connector-$i]=$((base + 17 + 2 * i))             # 18..21
  backend_pair[connector-$i]="$((base + 2 * i)):$((base + 1 + 2 * i))"                                     # 2..5
done
nodes=(tunnel-1 tunnel-2 proxy-1 proxy-2 connector-1 connector-2)
order=(tunnel-1 proxy-1 connector-1 tunnel-2 proxy-2 connector-2)

echo "== connectivity-proxy soak $stamp: $((duration / 60)) min $((duration % 60)) s of traffic, a restart every ${restart_every} s (signal: $signal_mode), a sample every ${sample_every} s"
describe_build "$root"
describe_machine
echo "load before: $(uptime)"
echo "niceness: $(nice)"
echo "ports:   base $base (proxy-1 HTTP ${port[proxy-1]} SOCKS5 ${socks[proxy-1]}, proxy-2 ${port[proxy-2]}/${socks[proxy-2]}, tunnel ${port[tunnel-1]}/${port[tunnel-2]}, channels ${channel[connector-1]}/${channel[connector-2]})"
echo

# ---- the system ------------------------------------------------------------------------------
certs="$work/certs"
mkdir -p "$certs"
cluster_options "soak-$base" "$hazelcast"
# The cluster service a channel reaches: the backend's plain echo port.
cat >"$work/service-mappings.yaml" <<YAML
apiVersion: connectivityproxy.sap.com/v1
kind: ServiceMapping
metadata:
  name: soak-echo
spec:
  type: TCP
  serviceId: soak-echo
  internalAddress: "127.0.0.1:$backend_tcp"
YAML
for i in 1 2; do
  connector_yaml "${port[tunnel-$i]}" "soak-connector-$i" "${backend_pair[connector-$i]%:*}" "${backend_pair[connector-$i]#*:}" "" \
    "serviceChannels:
  - serviceId: soak-echo
    type: TCP
    localPort: ${channel[connector-$i]}" >"$work/connector-$i.yaml"
done

write_nodes() {
  local name
  { echo "backend ${pid[backend]} 0"
    for name in "${nodes[@]}"; do [ -z "${pid[$name]:-}" ] || echo "$name ${pid[$name]} ${management[$name]}"; done
  } >"$work/nodes.tmp"
  mv "$work/nodes.tmp" "$work/nodes"
}
start_node() { # name
  case "$1" in
    tunnel-*) start_tunnel_service "$1" "${management[$1]}" "${port[$1]}" \
                -Dtunnel.service-channels.mappings-file="$work/service-mappings.yaml" \
                -Dtunnel.service-channels.default-subaccount=dev-subaccount ;;
    proxy-*) start_proxy_service "$1" "${management[$1]}" "${port[$1]}" "${socks[$1]}" "${rfc[$1]}" ;;
    connector-*) start_connector "$1" "${management[$1]}" "$work/connector-${1#connector-}.yaml" ;;
  esac
  pid[$1]=$!
  write_nodes
}
ready() { curl -fs -o /dev/null "http://127.0.0.1:${management[$1]}/q/health/ready"; }
# Sessions proxy-service sees in the cluster registry for the default location.
registered() { # proxy
  curl -fs "http://127.0.0.1:${management[$1]}/admin/streams" | tr -d ' \n' \
    | sed -n 's/.*"dev-subaccount\/(default)":\[\([^]]*\)\].*/\1/p' | tr -cd '|' | wc -c
}
whole() {
  local name proxy
  for name in "${nodes[@]}"; do ready "$name" || return 1; done
  for proxy in proxy-1 proxy-2; do [ "$(registered "$proxy")" = 4 ] || return 1; done
}
await_whole() { # seconds
  local deadline=$((SECONDS + $1))
  until whole; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.2; done
}
now_ms() { date +%s%3N; }
clock() { local s=$(( ($(now_ms) - soak_started) / 1000 )); printf '%3d:%02d:%02d' $((s / 3600)) $((s / 60 % 60)) $((s % 60)); }

start_backend backend "$backend_http" "$backend_tcp" "connector-1=${backend_pair[connector-1]}" "connector-2=${backend_pair[connector-2]}"
pid[backend]=$!
wait_port "$backend_tcp" 30 backend
wait_port "$((base + 5))" 30 backend
start_node tunnel-1
# The first node creates the development certificates; the others start once they exist.
wait_http "http://127.0.0.1:${management[tunnel-1]}/q/health/ready" 120 tunnel-1
start_node tunnel-2
start_node proxy-1
start_node proxy-2
for name in tunnel-2 proxy-1 proxy-2; do wait_http "http://127.0.0.1:${management[$name]}/q/health/ready" 120 "$name"; done
start_node connector-1
start_node connector-2
await_whole 120 || fail "the system did not come up whole (logs in $work/logs)"
for proxy in proxy-1 proxy-2; do
  curl -fs -o /dev/null -x "http://127.0.0.1:${port[$proxy]}" http://bench-http:8080/bytes/10 || fail "no request went through $proxy"
done
echo "up: $(for n in backend "${nodes[@]}"; do printf '%s %s  ' "$n" "${pid[$n]}"; done)"
echo

# ---- traffic and restarts --------------------------------------------------------------------
events="$work/events"
: >"$events"
soak_started=$(now_ms)
java -Xmx256m -jar "$work/bench/bench.jar" soak --duration "$duration" --sample "$sample_every" --grace "$grace" \
  --nodes "$work/nodes" --events "$events" \
  --proxies "proxy-1=${port[proxy-1]}:${socks[proxy-1]},proxy-2=${port[proxy-2]}:${socks[proxy-2]}" \
  --channels "connector-1=${channel[connector-1]},connector-2=${channel[connector-2]}" \
  --carriers "connector-1=tunnel-1,connector-2=tunnel-2" &
soak_pid=$!

failed_restarts=0
restart() { # name signal
  local name=$1 signal=$2 old=${pid[$1]} began code=0
  began=$(now_ms)
  echo "$began begin $name $signal" >>"$events"
  echo "$(clock)  restart $name (pid $old): kill -$signal"
  kill "-$signal" "$old" 2>/dev/null || true
  local deadline=$((SECONDS + 40))
  while kill -0 "$old" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$(clock)  $name did not stop within 40 s of SIG$signal: kill -KILL"
      kill -KILL "$old" 2>/dev/null || true
    fi
    sleep 0.1
  done
  wait "$old" 2>/dev/null || code=$?
  echo "$(now_ms) exit $name $code" >>"$events"
  echo "---- restarted by soak.sh after SIG$signal (exit code $code) ----" >>"$work/logs/$name.log"
  start_node "$name"
  if await_whole 180; then
    echo "$(now_ms) whole $name" >>"$events"
    echo "$(clock)  $name back (pid ${pid[$name]}; the old one exited with $code): whole again $(( ($(now_ms) - began) / 1000 )) s after the signal"
  else
    echo "$(now_ms) failed $name not-whole-within-180s" >>"$events"
    echo "$(clock)  FAILED: the system was not whole again within 180 s of restarting $name (logs in $work/logs)"
    failed_restarts=$((failed_restarts + 1))
  fi
}

k=0
next=$restart_every
while kill -0 "$soak_pid" 2>/dev/null; do
  elapsed=$(( ($(now_ms) - soak_started) / 1000 ))
  if [ "$elapsed" -ge "$next" ] && [ $((duration - elapsed)) -gt 90 ] && [ "$failed_restarts" = 0 ]; then
    case "$signal_mode" in
      alternate) signal=$([ $(( (k + k / ${#order[@]}) % 2 )) = 0 ] && echo TERM || echo KILL) ;;
      *) signal=$signal_mode ;;
    esac
    restart "${order[k % ${#order[@]}]}" "$signal"
    k=$((k + 1))
    next=$((next + restart_every))
  fi
  sleep 1
done
code=0
wait "$soak_pid" || code=$?
soak_pid=""
echo "load after: $(uptime)"
echo "result file: $results"
if [ "$failed_restarts" != 0 ]; then
  echo "soak.sh: FAILED: $failed_restarts node(s) did not come back whole"
  exit 1
fi
exit "$code"
