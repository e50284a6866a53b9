#!/usr/bin/env bash
# Benchmark: the same workloads over three paths to one backend, in one run, with a table of ratios.
#
#   bench/run.sh                  full run (about 10 minutes on 2 cores)
#   QUICK=1 bench/run.sh          small sizes, to try it out (about 1-2 minutes; short warm-up, numbers only indicative)
#
# Optional:  PATHS=direct,ssh,ours   which paths (default all three)
#            WORKLOADS=a,b,c,d,e,f   which workloads (default all)
#            PROFILE=1               record JFR in proxy-service, tunnel-service and connector and print
#                                    their hottest frames (recordings land in bench/results/*.jfr)
#            PERF=1                  also sample the three processes with Linux perf (cpu-clock, so kernel,
#                                    GC and JIT code are all seen) for PERF_SECONDS (default 10) from the
#                                    start of the first measured workload, and print the top symbols
#            REBUILD=1               rebuild the services first (mvn -B -q install -DskipTests)
#            OURS_JVM="-D..."        experiment: extra JVM options for the three services
#            WINDOW=BYTES CHUNK=BYTES  experiment: per-stream window and DATA chunk size for proxy-service
#                                    (proxy.window, proxy.chunk-size) and the connector (streams.window,
#                                    streams.chunkSize) instead of the defaults; the output says so
#            APPS_FROM=DIR           take the services from DIR/*/target/quarkus-app (e.g. a clean clone
#                                    built with `mvn -B -q package -DskipTests`) instead of this work tree
#
# Paths:   direct  client -> backend on 127.0.0.1
#          ssh     client -> sshd (forwarded port) -> ssh -R client -> backend     (OpenSSH, defaults)
#          ours    client -> proxy-service -> event bus -> tunnel-service -> TLS WebSocket -> connector -> backend
# Output:  the table on stdout and, with everything else this script prints, in bench/results/<date>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=${QUICK:-0}
paths=${PATHS:-direct,ssh,ours}
workloads=${WORKLOADS:-a,b,c,d,e,f}
profile=${PROFILE:-0}
perf=${PERF:-0}

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p bench/results
results="bench/results/$stamp$([ "$quick" = 1 ] && echo -quick || true).txt"
work=$(mktemp -d /tmp/cp-bench.XXXXXX)
mkdir -p "$work/logs"
exec > >(tee "$results") 2>&1

# The helpers and start-up commands shared with bench/soak.sh.
source bench/lib.sh

if [ "$quick" = 1 ]; then
  sizes=(--a-bytes 100000000 --b-streams 8 --b-bytes 12500000 --c-rate 500 --c-seconds 5 --c-body 64
         --d-streams 1000 --d-bytes 4096 --d-hold 1 --e-seconds 3 --e-concurrency 32 --f-connections 50 --f-seconds 5 --f-body 64
         --warmup-bytes 50000000 --warmup-seconds 2)
else
  sizes=(--a-bytes 1000000000 --b-streams 8 --b-bytes 125000000 --c-rate 1000 --c-seconds 20 --c-body 64
         --d-streams 10000 --d-bytes 4096 --d-hold 5 --e-seconds 10 --e-concurrency 32 --f-connections 50 --f-seconds 20 --f-body 64
         --warmup-bytes "${WARMUP_BYTES:-4000000000}" --warmup-seconds "${WARMUP_SECONDS:-30}")
fi

cleanup() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && stop_pids "${pids[@]}"
  rm -rf "$work/apps" "$work/bench"
  echo "logs and scratch files: $work"
}
trap cleanup INT TERM EXIT

# ---- prerequisites ---------------------------------------------------------------------------
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 12000 ] || echo "warning: only $(ulimit -n) file descriptors; (d) needs about 10,000 in one process"
if [ ! -x /usr/sbin/sshd ]; then
  echo "installing openssh-server (apt-get) ..."
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq openssh-server >/dev/null
fi
command -v curl >/dev/null || fail "curl is needed"
apps=${APPS_FROM:-$root}
missing=0
for module in tunnel-service proxy-service connector; do
  [ -f "$apps/$module/target/quarkus-app/quarkus-run.jar" ] || missing=1
done
[ "$missing" = 0 ] || [ "$apps" = "$root" ] || fail "APPS_FROM=$apps has no built services"
if [ "$missing" = 1 ] || [ "${REBUILD:-0}" = 1 ]; then
  echo "building the services (mvn -B -q install -DskipTests) ..."
  mvn -B -q install -DskipTests
fi
build_bench
copy_apps "$apps"
pick_ports
backend_http=$base backend_tcp=$((base + 1))
ssh_port=$((base + 2)) fwd_http=$((base + 3)) fwd_tcp=$((base + 4))
proxy_http=$((base + 5)) proxy_socks=$((base + 6)) proxy_rfc=$((base + 7)) tunnel_port=$((base + 8))
mgmt_proxy=$((base + 9)) mgmt_tunnel=$((base + 10)) mgmt_connector=$((base + 11)) hazelcast=$((base + 20))

# ---- the machine -----------------------------------------------------------------------------
echo "== connectivity-proxy benchmark $stamp (QUICK=$quick, paths $paths, workloads $workloads, PROFILE=$profile)"
describe_build "$apps"
describe_machine
echo "openssh: $(ssh -V 2>&1)"
echo "load before: $(uptime)"
echo "busiest processes before the run (top):"
top -b -n 1 -o %CPU -w 200 | sed -n '7,10p' | cut -c1-160 | sed 's/^/  /'
echo "ports:   base $base (backend $backend_http/$backend_tcp, sshd $ssh_port, proxy $proxy_http/$proxy_socks, tunnel $tunnel_port)"
echo

# ---- the backend (the same process for all three paths) -------------------------------------
start_backend backend "$backend_http" "$backend_tcp"
backend_pid=$!
pids+=("$backend_pid")
wait_port "$backend_http" 30 backend
wait_port "$backend_tcp" 30 backend

suite() { # name route-args... ; watch spec in $watch
  $bench suite --path "$1" --out "$work/$1.results" --watch "$watch" --backend-stats "127.0.0.1:$backend_http" --workloads "$workloads" "${sizes[@]}" "${@:2}"
}

# ---- direct ----------------------------------------------------------------------------------
if [[ ",$paths," == *",direct,"* ]]; then
  watch="backend=$backend_pid"
  suite direct --http "127.0.0.1:$backend_http" --tcp "127.0.0.1:$backend_tcp"
  echo
fi

# ---- ssh -R ----------------------------------------------------------------------------------
if [[ ",$paths," == *",ssh,"* ]]; then
  sshdir="$work/ssh"
  mkdir -p "$sshdir"
  ssh-keygen -q -t ed25519 -N '' -f "$sshdir/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$sshdir/user_key"
  cp "$sshdir/user_key.pub" "$sshdir/authorized_keys"
  cat >"$sshdir/sshd_config" <<CONFIG
# An unprivileged sshd for the benchmark; everything else is OpenSSH's default.
ListenAddress 127.0.0.1
HostKey $sshdir/host_key
AuthorizedKeysFile $sshdir/authorized_keys
PidFile $sshdir/sshd.pid
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
LogLevel ERROR
CONFIG
  # sshd started as root insists on its privilege separation directory.
  [ "$(id -u)" != 0 ] || mkdir -p /run/sshd
  /usr/sbin/sshd -D -e -f "$sshdir/sshd_config" -p "$ssh_port" >"$work/logs/sshd.log" 2>&1 &
  sshd_pid=$!
  pids+=("$sshd_pid")
  wait_port "$ssh_port" 30 sshd
  ssh_opts=(-F /dev/null -i "$sshdir/user_key" -o IdentitiesOnly=yes -o BatchMode=yes
            -o StrictHostKeyChecking=no -o UserKnownHostsFile="$sshdir/known_hosts" -p "$ssh_port")
  echo "ssh -R negotiated: $(ssh "${ssh_opts[@]}" -v "$(id -un)@127.0.0.1" true 2>&1 \
    | sed -n 's/.*kex: server->client cipher: \([^ ]*\) MAC: \([^ ]*\) compression: \([^ ]*\).*/cipher \1, MAC \2, compression \3/p')"
  # The "on-premise" side: a reverse tunnel for the HTTP and the TCP echo port.
  ssh "${ssh_opts[@]}" -N -o ExitOnForwardFailure=yes \
    -R "$fwd_http:127.0.0.1:$backend_http" -R "$fwd_tcp:127.0.0.1:$backend_tcp" \
    "$(id -un)@127.0.0.1" >"$work/logs/ssh.log" 2>&1 &
  ssh_pid=$!
  pids+=("$ssh_pid")
  wait_port "$fwd_http" 30 "ssh -R"
  wait_port "$fwd_tcp" 30 "ssh -R"
  # sshd's processes for this connection: its children and their children.
  session=$(pgrep -P "$sshd_pid" | tr '\n' ' ' || true)
  for p in $session; do session="$session $(pgrep -P "$p" | tr '\n' ' ' || true)"; done
  watch="backend=$backend_pid,sshd=$(echo $session | tr ' ' '+'),ssh=$ssh_pid"
  suite ssh --http "127.0.0.1:$fwd_http" --tcp "127.0.0.1:$fwd_tcp"
  # The session's sshd processes outlive the listener they came from; one left busy after (d)
  # would take a core from the next path.
  stop_pids "$ssh_pid" "$sshd_pid" $session
  echo
fi

# ---- ours ------------------------------------------------------------------------------------
if [[ ",$paths," == *",ours,"* ]]; then
  certs="$work/certs"
  mkdir -p "$certs" "$work/jfr"
  # PROFILE=1: JDK's "profile" settings with Java samples every 1 ms (10 ms gives too few on 2 busy cores).
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  sed -e '/name="jdk.ExecutionSample"/,/<\/event>/s/10 ms/1 ms/' \
      -e '/name="jdk.NativeMethodSample"/,/<\/event>/s/20 ms/5 ms/' \
      "$java_home/lib/jfr/profile.jfc" >"$work/jfr/bench.jfc"
  jfr() {
    # PERF=1: the JIT's symbols for perf, written to /tmp/perf-<pid>.map when the JVM exits.
    [ "$perf" != 1 ] || echo "-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit"
    [ "$profile" = 1 ] || return 0
    echo "-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:StartFlightRecording=filename=$work/jfr/$1.jfr,settings=$work/jfr/bench.jfc,dumponexit=true"
  }
  cluster_options "bench-$base" "$hazelcast"
  start_tunnel_service tunnel-service "$mgmt_tunnel" "$tunnel_port" ${OURS_JVM:-} $(jfr tunnel-service)
  tunnel_pid=$!
  pids+=("$tunnel_pid")
  proxy_tuning="" connector_tuning="" tuning_note="the defaults (as run-local.sh)"
  if [ -n "${WINDOW:-}${CHUNK:-}" ]; then
    proxy_tuning="${WINDOW:+-Dproxy.window=$WINDOW} ${CHUNK:+-Dproxy.chunk-size=$CHUNK}"
    connector_tuning="streams:${WINDOW:+
  window: $WINDOW}${CHUNK:+
  chunkSize: $CHUNK}"
    tuning_note="EXPERIMENT, not the defaults: window ${WINDOW:-default}, chunk ${CHUNK:-default}"
  fi
  start_proxy_service proxy-service "$mgmt_proxy" "$proxy_http" "$proxy_socks" "$proxy_rfc" \
    ${OURS_JVM:-} $(jfr proxy-service) $proxy_tuning
  proxy_pid=$!
  pids+=("$proxy_pid")
  wait_http "http://127.0.0.1:$mgmt_tunnel/q/health/ready" 120 tunnel-service
  connector_yaml "$tunnel_port" bench-connector "$backend_http" "$backend_tcp" "$connector_tuning" >"$work/connector.yaml"
  start_connector connector "$mgmt_connector" "$work/connector.yaml" ${OURS_JVM:-} $(jfr connector)
  connector_pid=$!
  pids+=("$connector_pid")
  wait_http "http://127.0.0.1:$mgmt_proxy/q/health/ready" 120 proxy-service
  wait_http "http://127.0.0.1:$mgmt_connector/q/health/ready" 60 connector
  deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null -x "http://127.0.0.1:$proxy_http" http://bench-http:8080/bytes/10; do
    [ $SECONDS -lt $deadline ] || fail "no request went through the tunnel (logs in $work/logs)"
    sleep 0.3
  done
  echo "ours settings: ${tuning_note}${OURS_JVM:+; EXPERIMENT, extra JVM options: $OURS_JVM}"
  watch="backend=$backend_pid,proxy-service=$proxy_pid,tunnel-service=$tunnel_pid,connector=$connector_pid"
  if [ "$perf" = 1 ]; then
    command -v perf >/dev/null || { apt-get install -y -qq linux-perf >/dev/null 2>&1 || fail "PERF=1 needs perf (linux-perf)"; }
    (
      until grep -qs '\.start_ms=' "$work/ours.results"; do sleep 0.1; done
      perf record -q -e cpu-clock -F 999 -p "$proxy_pid,$tunnel_pid,$connector_pid" -o "$work/perf.data" \
        -- sleep "${PERF_SECONDS:-10}" >"$work/logs/perf.log" 2>&1
    ) &
    perf_job=$!
  fi
  suite ours --http "127.0.0.1:$proxy_http" --http-virtual bench-http:8080 \
    --tcp "127.0.0.1:$proxy_socks" --socks-target bench-tcp:9000
  [ "$perf" != 1 ] || wait "$perf_job" || true
  stop_pids "$proxy_pid" "$connector_pid" "$tunnel_pid"
  if [ "$perf" = 1 ] && [ -f "$work/perf.data" ]; then
    echo "perf (cpu-clock, ${PERF_SECONDS:-10} s from the start of the first measured workload):"
    perf script -i "$work/perf.data" -F comm,pid,tid,ip,sym,dso 2>/dev/null \
      | $bench perf-top "proxy-service=$proxy_pid,tunnel-service=$tunnel_pid,connector=$connector_pid" 20
  fi
  if [ "$profile" = 1 ]; then
    for name in proxy-service tunnel-service connector; do
      if [ -f "$work/jfr/$name.jfr" ]; then
        cp "$work/jfr/$name.jfr" "bench/results/$stamp-$name.jfr"
        # Only the measured workloads: from the first start to the last end the suite wrote down.
        window=$(awk -F= '/\.start_ms=/ {if (!f || $2 < f) f = $2} /\.end_ms=/ {if ($2 > t) t = $2} END {print f, t}' \
          "$work/ours.results")
        $bench jfr-top "bench/results/$stamp-$name.jfr" 15 $window
      fi
    done
  fi
  echo
fi

echo "load after: $(uptime)"
echo
echo "== results ($results)"
$bench report "$work/direct.results" "$work/ssh.results" "$work/ours.results"
