#!/usr/bin/env bash
# Benchmark: the native connector against the JVM connector, on one machine in one run.
#
#   bench/native.sh              both, two rounds (about 8 minutes on 2 cores)
#
# It needs the JVM services (*/target/quarkus-app, as bench/run.sh) and the native connector
# (connector/target/*-runner: mvn -B package -Dnative -DskipTests -pl connector -am
# -Dquarkus.native.graalvm-home=...). tunnel-service, proxy-service and the backend are started
# once; each connector variant is then started, measured and stopped in turn:
#
#   start        launch to the first and to the last established session (the connector's own log
#                line "session N established", against the launch time), then ready (/q/health/ready)
#   idle RSS     VmRSS 5 s after all sessions are up, before any traffic
#   cold (a)     1 GB download right after the start, no warm-up: MB/s, connector CPU-s, then VmRSS
#   warm (a)     after a 2 GB + 10 s warm-up, 1 GB download again: MB/s and connector CPU-s per GB
#   (f)          small requests (GET /bytes/64 through the HTTP proxy), 50 keep-alive connections,
#                closed loop for 10 s: requests/s, and connector CPU-s per 10,000 requests
#
# Optional:  CONNECTORS=jvm,jvm-jdk-tls,native  which variants, in this order each round; jvm = the
#                                  JVM build as shipped (BoringSSL), jvm-jdk-tls = the same with
#                                  tunnel.openssl false (the JDK's TLS engine, as the native one has)
#            ROUNDS=2              rounds
#            NATIVE_OPTS="..."     experiment: extra options for the native connector (e.g. -Xmn16m)
#            JVM_OPTS="..."        experiment: extra options for the JVM connector
#                                  (per variant: CONNECTORS=native,native@-Xmn16m@-Dx=y adds a variant
#                                  with those options, '@'-separated; native=PATH runs another native
#                                  build of the connector, e.g. one built with other settings)
#            APPS_FROM=DIR         services and native connector from DIR (as bench/run.sh)
#            PERF=1                sample the connector with Linux perf (cpu-clock) during warm (a) and
#                                  (f) and print its top symbols (the native executable has its symbols)
# Output:    the table on stdout and, with everything else, in bench/results/<date>-native.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${ROUNDS:-2}
variants=${CONNECTORS:-jvm,jvm-jdk-tls,native}
apps=${APPS_FROM:-$root}

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p bench/results
results="bench/results/$stamp-native.txt"
work=$(mktemp -d /tmp/cp-bench-native.XXXXXX)
mkdir -p "$work/logs"
exec > >(tee "$results") 2>&1

jvm_opens="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"

pids=()
stop_pids() { # pid...
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
cleanup() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && stop_pids "${pids[@]}"
  rm -rf "$work/apps" "$work/bench"
  echo "logs and scratch files: $work"
}
trap cleanup INT TERM EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_http() { # url seconds what
  local deadline=$((SECONDS + $2))
  until curl -fs -o /dev/null "$1"; do
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$work/logs/$3.log" >&2 || true; fail "$3 did not become ready ($1)"; }
    sleep 0.3
  done
}
rss_mb() { awk -v k="$2:" '$1 == k {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# Epoch milliseconds of a log line's HH:mm:ss.SSS (the connector logs the local time of today).
log_ms() { date -d "$(date +%F) $1" +%s%3N; }
value() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# ---- prerequisites ---------------------------------------------------------------------------
command -v curl >/dev/null || fail "curl is needed"
for module in tunnel-service proxy-service connector; do
  [ -f "$apps/$module/target/quarkus-app/quarkus-run.jar" ] || fail "$apps/$module/target/quarkus-app is missing (mvn -B package -DskipTests)"
done
runner=$(ls "$apps"/connector/target/*-runner 2>/dev/null | head -n 1 || true)
[[ ",$variants," != *",native"* ]] || [ -x "$runner" ] || fail "no native connector in $apps/connector/target (mvn -B package -Dnative -DskipTests -pl connector -am -Dquarkus.native.graalvm-home=...)"
if [ ! -f bench/target/bench.jar ] || [ -n "$(find bench/src bench/pom.xml -newer bench/target/bench.jar -print -quit)" ]; then
  echo "building the benchmark (mvn -B -q -f bench/pom.xml package) ..."
  mvn -B -q -f bench/pom.xml package
fi
for module in tunnel-service proxy-service connector; do
  mkdir -p "$work/apps/$module"
  cp -r "$apps/$module/target/quarkus-app" "$work/apps/$module/"
done
[ -z "$runner" ] || cp "$runner" "$work/apps/connector/connector-runner"
cp -r bench/target "$work/bench"
bench="java -jar $work/bench/bench.jar"

for _ in $(seq 1 50); do
  base=$((21000 + RANDOM % 8000))
  ok=1; for i in $(seq 0 39); do port_free $((base + i)) || { ok=0; break; }; done
  [ "$ok" = 1 ] && break
done
[ "$ok" = 1 ] || fail "no free block of ports"
backend_http=$base backend_tcp=$((base + 1))
proxy_http=$((base + 5)) proxy_socks=$((base + 6)) proxy_rfc=$((base + 7)) tunnel_port=$((base + 8))
mgmt_proxy=$((base + 9)) mgmt_tunnel=$((base + 10)) mgmt_connector=$((base + 11)) hazelcast=$((base + 20))

echo "== connector benchmark, native vs JVM, $stamp (rounds $rounds, variants $variants)"
echo "commit:  $(git -C "$apps" log -1 --format='%h %cd %s' --date=format:'%Y-%m-%d %H:%M' 2>/dev/null | cut -c1-100 || echo '?')$(git -C "$apps" diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo ' (work tree has local changes)')"
echo "cpus:    $(nproc) x $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
echo "kernel:  $(uname -sr)"
echo "jdk:     $(java -version 2>&1 | head -1) (JVM connector, services, client)"
[ -z "$runner" ] || echo "native:  $runner, $(du -m "$runner" | cut -f1) MB, built $(date -u -r "$runner" +%Y-%m-%dT%H:%MZ); $(strings "$runner" 2>/dev/null | grep -m1 -o 'GraalVM [A-Za-z]* *[0-9][0-9.+a-z-]*' || true)"
echo "load before: $(uptime)"
echo

# ---- backend, tunnel-service, proxy-service: once ---------------------------------------------
java -Xmx512m -jar "$work/bench/bench.jar" backend "$backend_http" "$backend_tcp" >"$work/logs/backend.log" 2>&1 &
backend_pid=$!
pids+=("$backend_pid")
certs="$work/certs"
mkdir -p "$certs"
members=$(for i in 0 1 2 3 4 5; do printf '127.0.0.1:%d,' $((hazelcast + i)); done)
cluster="-Dcluster.name=bench-native-$base -Dcluster.port=$hazelcast -Dcluster.members=${members%,}"
java $jvm_opens -Xmx256m $cluster -Dquarkus.http.port=$mgmt_tunnel -Dtunnel.port=$tunnel_port \
  -Dtunnel.tls.dev-certificates-dir="$certs" \
  -jar "$work/apps/tunnel-service/quarkus-app/quarkus-run.jar" >"$work/logs/tunnel-service.log" 2>&1 &
tunnel_pid=$!
pids+=("$tunnel_pid")
java $jvm_opens -Xmx256m $cluster -Dquarkus.http.port=$mgmt_proxy \
  -Dproxy.http.port=$proxy_http -Dproxy.socks5.port=$proxy_socks -Dproxy.rfc-and-ldap.port=$proxy_rfc \
  -jar "$work/apps/proxy-service/quarkus-app/quarkus-run.jar" >"$work/logs/proxy-service.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")
wait_http "http://127.0.0.1:$mgmt_tunnel/q/health/ready" 120 tunnel-service
wait_http "http://127.0.0.1:$mgmt_proxy/q/health/ready" 120 proxy-service

connector_yaml() { # openssl(true|false)
  cat <<YAML
tunnel:
  url: wss://localhost:$tunnel_port/tunnel
  certificate: $certs/connector.pem
  key: $certs/connector-key.pem
  ca: $certs/ca.pem
  openssl: $1
subaccount: dev-subaccount
locationId: ""
connectorId: bench-connector
sessions: 2
accessControl:
  - virtualHost: bench-http
    virtualPort: 8080
    internalHost: 127.0.0.1
    internalPort: $backend_http
    protocol: HTTP
  - virtualHost: bench-tcp
    virtualPort: 9000
    internalHost: 127.0.0.1
    internalPort: $backend_tcp
    protocol: TCP
YAML
}

suite() { # name connector-pid args...
  $bench suite --path "$1" --out "$work/$1.results" --backend-stats "127.0.0.1:$backend_http" \
    --watch "backend=$backend_pid,proxy-service=$proxy_pid,tunnel-service=$tunnel_pid,connector=$2" \
    --http "127.0.0.1:$proxy_http" --http-virtual bench-http:8080 \
    --tcp "127.0.0.1:$proxy_socks" --socks-target bench-tcp:9000 "${@:3}"
}

summary="$work/summary.tsv"
printf 'variant\tround\tfirst_ms\tall_ms\tready_ms\tidle_mb\tcold_mbps\tcold_cpu\tafter_1gb_mb\twarm_mbps\twarm_cpu_gb\ttotal_cpu_gb\tf_rps\tf_cpu_10k\tend_mb\tpeak_mb\texit\tother_cores\n' >"$summary"

measure() { # variant index round
  local variant=$1 round=$3 name="v$2-r$3" log="$work/logs/connector-v$2-r$3.log"
  local base=${variant%%@*} extra=()
  [ "$base" = "$variant" ] || IFS=@ read -r -a extra <<<"${variant#*@}"
  local openssl=true command
  local options=(-Xmx128m -Dquarkus.http.port=$mgmt_connector -Dconnector.config="$work/connector-$name.yaml" "${extra[@]}")
  local jar="$work/apps/connector/quarkus-app/quarkus-run.jar"
  case "$base" in
    jvm) command=(java "${options[@]}" ${JVM_OPTS:-} -jar "$jar") ;;
    jvm-jdk-tls) openssl=false; command=(java "${options[@]}" ${JVM_OPTS:-} -jar "$jar") ;;
    native) command=("$work/apps/connector/connector-runner" "${options[@]}" ${NATIVE_OPTS:-}) ;;
    native=*) command=("${base#native=}" "${options[@]}" ${NATIVE_OPTS:-}) ;;
    *) fail "unknown variant $variant (jvm, jvm-jdk-tls, native, each with @options)" ;;
  esac
  connector_yaml "$openssl" >"$work/connector-$name.yaml"
  echo "== $name ($variant): ${command[*]}"
  local launched
  launched=$(date +%s%3N)
  "${command[@]}" >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local deadline=$((SECONDS + 60))
  until [ "$(grep -c 'session [0-9]* established' "$log" || true)" -ge 2 ]; do
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$log" >&2; fail "$name: no two sessions within 60 s"; }
    sleep 0.05
  done
  wait_http "http://127.0.0.1:$mgmt_connector/q/health/ready" 30 "connector-$name"
  local ready
  ready=$(date +%s%3N)
  local first last
  first=$(log_ms "$(grep -m1 'session [0-9]* established' "$log" | cut -c1-12)")
  last=$(log_ms "$(grep 'session [0-9]* established' "$log" | sed -n 2p | cut -c1-12)")
  local first_ms=$((first - launched)) all_ms=$((last - launched)) ready_ms=$((ready - launched))
  grep -m1 'TLS: ' "$log" | sed 's/^/   log: /' | cut -c1-200
  sleep 5
  local idle
  idle=$(rss_mb "$pid" VmRSS)
  echo "   sessions up: first ${first_ms} ms, both ${all_ms} ms after launch (ready seen at ${ready_ms} ms); idle RSS ${idle} MB"
  # The session registry reaches proxy-service through the cluster: wait until a request passes.
  deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null -x "http://127.0.0.1:$proxy_http" http://bench-http:8080/bytes/10; do
    [ $SECONDS -lt $deadline ] || fail "$name: no request went through the tunnel"
    sleep 0.2
  done
  suite "$name-cold" "$pid" --workloads a --a-bytes 1000000000 --warmup-bytes 0
  local after
  after=$(rss_mb "$pid" VmRSS)
  echo "   RSS after the first 1 GB: ${after} MB"
  local perf_job=""
  if [ "${PERF:-0}" = 1 ]; then
    command -v perf >/dev/null || fail "PERF=1 needs perf (apt-get install linux-perf)"
    (
      for w in a f; do
        until grep -qs "^$w\.start_ms=" "$work/$name-warm.results"; do sleep 0.05; done
        perf record -q -e cpu-clock -F 999 -p "$pid" -o "$work/perf-$name-$w.data" >"$work/logs/perf-$name-$w.log" 2>&1 &
        local recorder=$!
        until grep -qs "^$w\.end_ms=" "$work/$name-warm.results"; do sleep 0.05; done
        kill -INT "$recorder"; wait "$recorder" || true
      done
    ) &
    perf_job=$!
  fi
  suite "$name-warm" "$pid" --workloads a,f --a-bytes 1000000000 --warmup-bytes 2000000000 --warmup-seconds 10 \
    --c-rate 1000 --c-body 64 --f-connections 50 --f-seconds 10 --f-body 64
  if [ -n "$perf_job" ]; then
    wait "$perf_job" || true
    for w in a f; do
      echo "   perf, connector, warm ($w): top symbols (cpu-clock samples)"
      { perf report -i "$work/perf-$name-$w.data" --stdio --no-children --sort dso,symbol 2>/dev/null \
          | grep -v '^#' | grep -v '^$' | head -n 25 | cut -c1-150 | sed 's/^/     /'; } || true
    done
  fi
  local end peak
  end=$(rss_mb "$pid" VmRSS)
  peak=$(rss_mb "$pid" VmHWM)
  kill "$pid"
  local code=0
  wait "$pid" || code=$?
  pids=("${pids[@]/$pid}")
  echo "   RSS at the end ${end} MB, peak ${peak} MB; SIGTERM -> exit code $code"
  local cold="$work/$name-cold.results" warm="$work/$name-warm.results"
  awk -v v="$variant" -v r="$round" -v first="$first_ms" -v all="$all_ms" -v ready="$ready_ms" -v idle="$idle" \
      -v after="$after" -v end="$end" -v peak="$peak" -v code="$code" \
      -v cmbps="$(value "$cold" a.mbps)" -v ccpu="$(value "$cold" a.cpu_s.connector)" \
      -v wmbps="$(value "$warm" a.mbps)" -v wcpu="$(value "$warm" a.cpu_s.connector)" -v wbytes="$(value "$warm" a.bytes)" \
      -v tb="$(value "$warm" a.cpu_s.backend)" -v tp="$(value "$warm" a.cpu_s.proxy-service)" \
      -v tt="$(value "$warm" a.cpu_s.tunnel-service)" -v tc="$(value "$warm" a.cpu_s.client)" \
      -v oa="$(value "$warm" a.other_cpu_s)" -v wa="$(value "$warm" a.wall_s)" \
      -v of="$(value "$warm" f.other_cpu_s)" -v wf="$(value "$warm" f.wall_s)" \
      -v frps="$(value "$warm" f.requests_per_s)" -v fdone="$(value "$warm" f.completed)" -v fcpu="$(value "$warm" f.cpu_s.connector)" \
      'BEGIN { gb = wbytes / 1e9; printf "%s\t%s\t%d\t%d\t%d\t%s\t%.1f\t%.2f\t%s\t%.1f\t%.2f\t%.2f\t%.0f\t%.2f\t%s\t%s\t%s\t%.2f\n",
        v, r, first, all, ready, idle, cmbps, ccpu, after, wmbps, wcpu / gb, (wcpu + tb + tp + tt + tc) / gb, frps,
        fcpu / fdone * 10000, end, peak, code, (oa + of) / (wa + wf) }' >>"$summary"
  echo
}

for round in $(seq 1 "$rounds"); do
  index=0
  for variant in ${variants//,/ }; do
    index=$((index + 1))
    measure "$variant" "$index" "$round"
  done
done

echo "load after: $(uptime)"
echo
echo "== results ($results)"
echo "first/all: launch to the first/second established session; idle: VmRSS 5 s after; cold: 1 GB right"
echo "after the start; warm: 1 GB after a 2 GB + 10 s warm-up, CPU-s per GB of the connector and of all"
echo "processes; (f): GET /bytes/64 at 50 connections, closed loop, and the connector's CPU-s per 10,000;"
echo "other: cores the rest of the machine used during warm (a) and (f) (about 0 on a quiet machine)."
awk -F'\t' 'NR == 1 { next } {
  printf "| %-11s | %s | %5d | %5d | %6s | %7.1f | %5.2f | %6s | %7.1f | %5.2f | %5.2f | %6d | %5.2f | %6s | %3s | %4.2f |\n",
    $1, $2, $3, $4, $6, $7, $8, $9, $10, $11, $12, $13, $14, $16, $17, $18 }
  BEGIN {
    print "| variant     | r | first | all ms | idle MB | cold MB/s | cold CPU-s | after 1 GB MB | warm MB/s | CPU-s/GB conn | CPU-s/GB all | (f) req/s | CPU-s/10k | peak MB | exit | other |"
    print "|-------------|---|-------|--------|---------|-----------|------------|---------------|-----------|---------------|--------------|-----------|-----------|---------|------|-------|"
  }' "$summary"
echo
awk -F'\t' 'NR > 1 { n[$1]++; first[$1] += $3; idle[$1] += $6; cpu[$1] += $11; rps[$1] += $13 }
  function verdict(ok) { return ok ? "MET" : "MISSED" }
  END {
    if (!n["native"]) exit
    nf = first["native"] / n["native"]; ni = idle["native"] / n["native"]
    nc = cpu["native"] / n["native"]; nr = rps["native"] / n["native"]
    print "Targets (means over the rounds; the JVM connector as shipped = jvm, BoringSSL):"
    printf "  native first session <= 300 ms after launch: %.0f ms -> %s\n", nf, verdict(nf <= 300)
    printf "  native idle RSS <= 48 MB: %.1f MB -> %s\n", ni, verdict(ni <= 48)
    if (n["jvm"]) {
      jc = cpu["jvm"] / n["jvm"]; jr = rps["jvm"] / n["jvm"]
      printf "  native CPU-s per GB in (a) <= jvm: %.2f vs %.2f -> %s\n", nc, jc, verdict(nc <= jc)
      printf "  native (f) req/s >= 0.9 x jvm: %.0f vs %.0f = %.2f x -> %s\n", nr, jr, nr / jr, verdict(nr >= 0.9 * jr)
    }
    if (n["jvm-jdk-tls"]) {
      printf "  for the cause: jvm-jdk-tls (the JDK TLS engine on the JVM): (f) %.0f req/s, CPU-s per GB %.2f\n",
        rps["jvm-jdk-tls"] / n["jvm-jdk-tls"], cpu["jvm-jdk-tls"] / n["jvm-jdk-tls"]
    }
  }' "$summary"
