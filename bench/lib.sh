# Start-up code shared by bench/run.sh and bench/soak.sh (sourced, not run): the helpers, the copies
# of the built services, the block of ports, and the commands that start the backend, tunnel-service,
# proxy-service and the connector the way run-local.sh does. Expects $work (scratch directory with
# logs/) and $root (the work tree) to be set by the script that sources it.

# Hazelcast wants these on JDK 17 (the flags run-local.sh passes).
jvm_opens="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"
# The heap options run-local.sh passes: a small initial heap, and a periodic collection when idle.
jvm_heap="-Xms32m -XX:G1PeriodicGCInterval=60000"

pids=()
stop_pids() { # pid...
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
fail() { echo "FAILED: $*" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port seconds what
  local deadline=$((SECONDS + $2))
  until ! port_free "$1"; do [ $SECONDS -lt $deadline ] || fail "$3 did not listen on $1"; sleep 0.2; done
}
wait_http() { # url seconds what
  local deadline=$((SECONDS + $2))
  until curl -fs -o /dev/null "$1"; do
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$work/logs/$3.log" >&2 || true; fail "$3 did not become ready ($1)"; }
    sleep 0.3
  done
}

# Builds bench/target/bench.jar when it is missing or older than its sources.
build_bench() {
  if [ ! -f bench/target/bench.jar ] || [ -n "$(find bench/src bench/pom.xml -newer bench/target/bench.jar -print -quit)" ]; then
    echo "building the benchmark (mvn -B -q -f bench/pom.xml package) ..."
    mvn -B -q -f bench/pom.xml package
  fi
}

# Run copies of the services, so that a rebuild in this work tree during the run cannot change them.
copy_apps() { # dir-with-the-built-modules
  for module in tunnel-service proxy-service connector; do
    mkdir -p "$work/apps/$module"
    cp -r "$1/$module/target/quarkus-app" "$work/apps/$module/"
  done
  cp -r bench/target "$work/bench"
  bench="java -jar $work/bench/bench.jar"
}

# Ports: one random block of 40 below the ephemeral range, every port checked free (runs beside
# run-local.sh); sets $base.
pick_ports() {
  for _ in $(seq 1 50); do
    base=$((21000 + RANDOM % 8000))
    ok=1; for i in $(seq 0 39); do port_free $((base + i)) || { ok=0; break; }; done
    [ "$ok" = 1 ] && break
  done
  [ "$ok" = 1 ] || fail "no free block of ports"
}

describe_build() { # dir-with-the-built-modules
  echo "commit:  $(git -C "$1" log -1 --format='%h %cd %s' --date=format:'%Y-%m-%d %H:%M' 2>/dev/null | cut -c1-100 || echo '?')$(git -C "$1" diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo ' (work tree has local changes)')"
  echo "services: $1/*/target/quarkus-app, built $(for m in tunnel-service proxy-service connector; do printf '%s %s  ' $m "$(date -u -r "$1"/$m/target/quarkus-app/app/$m-*.jar +%H:%M:%SZ)"; done)"
}
describe_machine() {
  echo "cpus:    $(nproc) x $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "memory:  $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel:  $(uname -sr)"
  echo "jdk:     $(java -version 2>&1 | head -1)"
}

# The cluster options of every node: its own cluster name and Hazelcast ports, so that it never
# joins another local system; the event bus on any free port per node, mutual TLS with a
# development cluster CA in $certs. Sets $cluster.
cluster_options() { # cluster-name hazelcast-port
  local members
  members=$(for i in 0 1 2 3 4 5; do printf '127.0.0.1:%d,' $(($2 + i)); done)
  cluster="-Dcluster.name=$1 -Dcluster.port=$2 -Dcluster.members=${members%,}"
  cluster="$cluster -Dcluster.event-bus-port=0 -Dcluster.tls.dev-certificates-dir=$certs"
}

# Each start_* runs the process in the background (its pid is then in $!), its output appended to
# $work/logs/<log>.log. Options after the fixed arguments go to the JVM.
start_backend() { # log http-port tcp-port [name=http:tcp ...]
  local log=$1
  shift
  java -Xmx512m -jar "$work/bench/bench.jar" backend "$@" >>"$work/logs/$log.log" 2>&1 &
}
start_tunnel_service() { # log management-port tunnel-port jvm-options...
  local log=$1 management=$2 port=$3
  shift 3
  java $jvm_opens -Xmx256m $jvm_heap "$@" $cluster -Dquarkus.http.port=$management \
    -Dtunnel.port=$port -Dtunnel.tls.dev-certificates-dir="$certs" \
    -jar "$work/apps/tunnel-service/quarkus-app/quarkus-run.jar" >>"$work/logs/$log.log" 2>&1 &
}
start_proxy_service() { # log management-port http-port socks5-port rfc-port jvm-options...
  local log=$1 management=$2 http=$3 socks=$4 rfc=$5
  shift 5
  java $jvm_opens -Xmx256m $jvm_heap "$@" $cluster -Dquarkus.http.port=$management \
    -Dproxy.http.port=$http -Dproxy.socks5.port=$socks -Dproxy.rfc-and-ldap.port=$rfc \
    -jar "$work/apps/proxy-service/quarkus-app/quarkus-run.jar" >>"$work/logs/$log.log" 2>&1 &
}
start_connector() { # log management-port config jvm-options...
  local log=$1 management=$2 config=$3
  shift 3
  java -Xmx128m $jvm_heap "$@" -Dquarkus.http.port=$management -Dconnector.config="$config" \
    -jar "$work/apps/connector/quarkus-app/quarkus-run.jar" >>"$work/logs/$log.log" 2>&1 &
}

# The connector configuration run-local.sh writes (two sessions, default windows and chunks), for
# the development certificates in $certs: bench-http:8080 and bench-tcp:9000 lead to the backend.
connector_yaml() { # tunnel-port connector-id backend-http backend-tcp [text after sessions] [text at the end]
  cat <<YAML
tunnel:
  url: wss://localhost:$1/tunnel
  certificate: $certs/connector.pem
  key: $certs/connector-key.pem
  ca: $certs/ca.pem
subaccount: dev-subaccount
locationId: ""
connectorId: $2
sessions: 2
${5:-}
accessControl:
  - virtualHost: bench-http
    virtualPort: 8080
    internalHost: 127.0.0.1
    internalPort: $3
    protocol: HTTP
  - virtualHost: bench-tcp
    virtualPort: 9000
    internalHost: 127.0.0.1
    internalPort: $4
    protocol: TCP
YAML
  [ -z "${6:-}" ] || printf '%s\n' "$6"
}
