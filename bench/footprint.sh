#!/usr/bin/env bash
# Idle footprint: complete local systems (tunnel-service, proxy-service, a connector with two
# sessions) started side by side, one per set of JVM options, left idle, and their RSS read over
# time. Issue 14 asks for the RSS after 10 minutes idle with the launchers' default options.
#
#   bench/footprint.sh                                  the shipped options only, 10 minutes
#   bench/footprint.sh shipped= small='-Xms8m -XX:G1PeriodicGCInterval=30000'
#   IDLE=150 bench/footprint.sh ...                     a shorter idle time (seconds)
#
# Each argument is NAME=OPTIONS or NAME@JAVA=OPTIONS: OPTIONS go to all three JVMs after the
# launchers' own (-Xmx256m for the services, -Xmx128m for the connector, and -Xms32m
# -XX:G1PeriodicGCInterval=60000 for all three, as run-local.sh; a later -Xms wins), except
# words of the form VAR=VALUE (e.g. MALLOC_ARENA_MAX=2), which go into their environment; and
# JAVA is the java executable for that variant (default: java on the PATH), e.g.
# jdk25@/usr/lib/jvm/temurin-25-jdk-amd64/bin/java=. Every variant starts the same copies of the
# services; the systems are started one after another, then all idle together.
# Output: RSS (MB) of each process at 1, 5 and 10 minutes (or the end) and its peak (VmHWM),
# on stdout and in bench/results/<date>-footprint.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
idle=${IDLE:-600}
[ $# -gt 0 ] || set -- shipped=

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p bench/results
results="bench/results/$stamp-footprint.txt"
work=$(mktemp -d /tmp/cp-footprint.XXXXXX)
mkdir -p "$work/logs"
exec > >(tee "$results") 2>&1

# shellcheck source=bench/lib.sh
. bench/lib.sh
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT

build_bench
copy_apps "$root"
echo "bench/footprint.sh, $(date -u '+%Y-%m-%d %H:%M:%SZ'), idle $idle s"
describe_build "$root"
describe_machine
echo

# lib.sh's start_* run `java`; this runs the variant's executable, with the variant's environment,
# in its place (exec: $! is the JVM). Only start_* may run java from here on.
java_bin=java java_env=()
java() { exec env "${java_env[@]}" "$java_bin" "$@"; }

names=() bases=()
declare -A pid_of
for spec in "$@"; do
  name=${spec%%=*} words=${spec#*=}
  [ "$name" != "$spec" ] || fail "not NAME=OPTIONS: $spec"
  options="" java_env=()
  for word in $words; do
    if [[ "$word" =~ ^[A-Z_][A-Z0-9_]*= ]]; then java_env+=("$word"); else options="$options $word"; fi
  done
  options=${options# }
  java_bin=java
  if [[ "$name" == *@* ]]; then java_bin=${name#*@} name=${name%%@*}; fi
  [ -n "$(type -P "$java_bin")" ] || fail "$name: no java at $java_bin"
  # A block of 40 free ports per system, apart from the blocks of the systems before it.
  while :; do
    pick_ports
    apart=1; for b in "${bases[@]}"; do [ $((base > b ? base - b : b - base)) -ge 40 ] || apart=0; done
    [ "$apart" = 1 ] && break
  done
  bases+=("$base")
  certs="$work/certs-$name"
  mkdir -p "$certs"
  cluster_options "footprint-$name-$base" $((base + 20))
  # shellcheck disable=SC2086 # the options are words
  start_tunnel_service "$name-tunnel-service" $((base + 10)) $((base + 8)) $options
  pid_of[$name/tunnel-service]=$!
  pids+=("$!")
  # shellcheck disable=SC2086
  start_proxy_service "$name-proxy-service" $((base + 9)) $((base + 5)) $((base + 6)) $((base + 7)) $options
  pid_of[$name/proxy-service]=$!
  pids+=("$!")
  wait_http "http://127.0.0.1:$((base + 10))/q/health/ready" 120 "$name-tunnel-service"
  # The backend ports are never used: the systems stay idle.
  connector_yaml $((base + 8)) "footprint-$name" $((base + 1)) $((base + 2)) >"$work/$name-connector.yaml"
  # shellcheck disable=SC2086
  start_connector "$name-connector" $((base + 11)) "$work/$name-connector.yaml" $options
  pid_of[$name/connector]=$!
  pids+=("$!")
  wait_http "http://127.0.0.1:$((base + 9))/q/health/ready" 120 "$name-proxy-service"
  wait_http "http://127.0.0.1:$((base + 11))/q/health/ready" 60 "$name-connector"
  shown="${java_env[*]} ${options:-(no JVM options beyond the launchers)}"
  echo "$name: $("$java_bin" -version 2>&1 | head -1); options: $shown"
  names+=("$name")
done

rss() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "gone"; }
hwm() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "gone"; }
declare -A at
marks=()
for mark in 60 300 600; do [ "$mark" -ge "$idle" ] || marks+=("$mark"); done
marks+=("$idle")
start=$SECONDS
echo
echo "all started; idle for $idle s"
for mark in "${marks[@]}"; do
  while [ $((SECONDS - start)) -lt "$mark" ]; do sleep 1; done
  for key in "${!pid_of[@]}"; do at[$key/$mark]=$(rss "${pid_of[$key]}"); done
  echo "  $(date -u +%H:%M:%SZ) +${mark}s read"
done

echo
printf '%-14s %-15s' variant process
for mark in "${marks[@]}"; do printf ' %9s' "+${mark}s"; done
printf ' %9s\n' "peak"
for name in "${names[@]}"; do
  for process in tunnel-service proxy-service connector; do
    printf '%-14s %-15s' "$name" "$process"
    for mark in "${marks[@]}"; do printf ' %9s' "${at[$name/$process/$mark]}"; done
    printf ' %9s\n' "$(hwm "${pid_of[$name/$process]}")"
  done
done
echo "(MB; targets of issue 14 after 10 minutes: connector <= 96, each service <= 160)"
