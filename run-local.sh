#!/usr/bin/env bash
# Starts the whole system on 127.0.0.1: tunnel-service, proxy-service, a connector with a sample
# access control list and a sample service channel, a sample on-premise HTTP backend, and a
# sample HTTP server standing in for a cluster service. Prints one line starting with READY when
# requests go through both ways; Ctrl-C (or SIGTERM) stops everything.
#
#   ./run-local.sh            build what is missing, start, wait (single tenant, trusted: no token)
#   REBUILD=1 ./run-local.sh  rebuild first
#   AUTH=1 ./run-local.sh     proxy authorization on (non-trusted): also starts a sample token issuer
#                             on https://localhost:18443; requests need Proxy-Authorization: Bearer
#   TENANT_MODE=shared ./run-local.sh   multi-tenant: the subaccount comes from the token
#                             (with AUTH=1 from Proxy-Authorization, else SAP-CP-Connectivity-Service-Token)
#   PRINCIPAL_PROPAGATION=1 ./run-local.sh   principal propagation: also starts the sample token issuer
#                             (https://localhost:18443; user tokens at /token?user=<name>) and maps
#                             sample-backend-pp:8080 with principalPropagation: X509 (GET /whoami names the user)
#   LOG_FORMAT=json ./run-local.sh   every process logs one JSON object per line (quarkus-logging-json);
#                             tunnel-service's SAP audit events stay "[AUDIT-EVENT] {json}" lines
#   TUNNEL_REPLICAS=2 ./run-local.sh   high availability: a second tunnel-service replica (tunnel
#                             wss://localhost:8044/tunnel, management 8084); the connector is configured
#                             with the first only and holds a session to each (the replicas announce their
#                             URLs, tunnel.replica-url); kill either and requests still pass
#   NATIVE=1 ./run-local.sh   the connector as a native executable (connector/target/*-runner, built
#                             beforehand with mvn package -Dnative -pl connector -am; README "Native images")
#   CONNECTOR_CONFIG=my-connector.yaml ./run-local.sh
#                             the connector serves YOUR access control list: accessControl, serviceChannels,
#                             backendTls and locationId are taken from that file (re-read when it changes),
#                             everything else (tunnel, certificates, subaccount) from the local setup; the
#                             connector doctor ("check") runs on the result and prints a line per backend
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
work="$root/.run-local"
mkdir -p "$work/logs" "$work/certs"

# Hazelcast wants these on JDK 17 for full speed (it logs them otherwise).
jvm_opens="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"
# The initial heap stays small and G1 grows it under load; after a minute without a collection G1
# runs one, so an idle process gives back the heap it no longer uses (docs/benchmarks.md, "Heap
# options of the launchers").
jvm_heap="-Xms32m -XX:G1PeriodicGCInterval=60000"

apps=(tunnel-service/target/quarkus-app/quarkus-run.jar proxy-service/target/quarkus-app/quarkus-run.jar
      connector/target/quarkus-app/quarkus-run.jar sample-backend/target/sample-backend-0.1.0-SNAPSHOT.jar)
missing=0
for app in "${apps[@]}"; do [ -f "$app" ] || missing=1; done
if [ "$missing" = 1 ] || [ "${REBUILD:-0}" = 1 ]; then
  echo "building (mvn -B -q install -DskipTests) ..."
  mvn -B -q install -DskipTests
fi

case "${LOG_FORMAT:-console}" in
  console) ;;
  # Quarkus reads the variable in all three processes (the operator sets the same one in a cluster).
  json) export QUARKUS_LOG_CONSOLE_JSON_ENABLED=true ;;
  *) echo "FAILED: LOG_FORMAT must be console or json" >&2; exit 1 ;;
esac
auth=${AUTH:-0}
tenant_mode=${TENANT_MODE:-dedicated}
case "$tenant_mode" in dedicated|shared) ;; *) echo "FAILED: TENANT_MODE must be dedicated or shared" >&2; exit 1;; esac
principal_propagation=${PRINCIPAL_PROPAGATION:-0}
tunnel_replicas=${TUNNEL_REPLICAS:-1}
case "$tunnel_replicas" in 1|2) ;; *) echo "FAILED: TUNNEL_REPLICAS must be 1 or 2" >&2; exit 1;; esac
issuer_port=18443
# The sample token issuer serves proxy authorization and principal propagation alike.
issuer=0
{ [ "$auth" = 1 ] || [ "$principal_propagation" = 1 ]; } && issuer=1
ports="8042 20001 20003 20004 8081 8082 8083 5710 5711 18080 18081 18090 18091 21080"
[ "$issuer" = 1 ] && ports="$ports $issuer_port"
[ "$tunnel_replicas" = 2 ] && ports="$ports 8044 8084 5712"
# System properties go before -jar for the JVM; the native executable takes them as arguments.
connector_cmd=(java -Xmx128m $jvm_heap -Dconnector.config="$work/connector.yaml" -jar connector/target/quarkus-app/quarkus-run.jar)
connector_kind="connector"
if [ "${NATIVE:-0}" = 1 ]; then
  runner=$(ls connector/target/*-runner 2>/dev/null | head -n 1 || true)
  if [ -z "$runner" ] || [ ! -x "$runner" ]; then
    echo "FAILED: NATIVE=1, but there is no native connector in connector/target; build it first with" >&2
    echo "  mvn -B package -Dnative -DskipTests -pl connector -am -Dquarkus.native.graalvm-home=<GraalVM or Mandrel>" >&2
    exit 1
  fi
  connector_cmd=("$runner" -Xmx128m -Dconnector.config="$work/connector.yaml")
  connector_kind="native connector $runner"
fi

user_config=${CONNECTOR_CONFIG:-}
if [ -n "$user_config" ]; then
  if [ ! -r "$user_config" ]; then
    echo "FAILED: CONNECTOR_CONFIG=$user_config is not a readable file" >&2
    exit 1
  fi
  user_config=$(cd "$(dirname "$user_config")" && pwd)/$(basename "$user_config")
fi
check_cmd=("${connector_cmd[@]}" check)

for port in $ports; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "FAILED: port $port on 127.0.0.1 is already in use (another run-local.sh?); stop that process first" >&2
    exit 1
  fi
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping ..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped"
}
trap stop INT TERM EXIT

wait_ready() { # name url seconds
  local deadline=$((SECONDS + $3))
  until curl -fs "$2" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "FAILED: $1 did not become ready; see $work/logs/$1.log" >&2
      tail -n 30 "$work/logs/$1.log" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
}

# Service channels: the ServiceMapping resources tunnel-service serves, in the form kubectl apply
# takes them. tunnel-service watches this file; edit it while the system runs.
cat >"$work/service-mappings.yaml" <<YAML
# Written by run-local.sh. Each ServiceMapping lets connectors of the subaccount reach one cluster
# service through a service channel; on a cluster the operator's CRD holds these.
apiVersion: connectivityproxy.sap.com/v1
kind: ServiceMapping
metadata:
  name: sample-cluster-service
spec:
  type: TCP
  serviceId: sample-cluster-service
  internalAddress: "127.0.0.1:18090"
YAML

echo "starting tunnel-service (tunnel wss://127.0.0.1:8042/tunnel, management http://127.0.0.1:8082)"
# tunnel.replica-url: where connectors reach this replica; it is announced to them (protocol v4).
java $jvm_opens -Xmx256m $jvm_heap -Dtunnel.tls.dev-certificates-dir="$work/certs" \
  -Dtunnel.replica-url=wss://localhost:8042/tunnel \
  -Dtunnel.service-channels.mappings-file="$work/service-mappings.yaml" \
  -Dtunnel.service-channels.default-subaccount=dev-subaccount \
  -jar tunnel-service/target/quarkus-app/quarkus-run.jar >"$work/logs/tunnel-service.log" 2>&1 &
pids+=($!)
tunnel1_pid=$!
if [ "$tunnel_replicas" = 2 ]; then
  # The second replica makes no certificates of its own: it waits for the first one's.
  wait_ready tunnel-service http://127.0.0.1:8082/q/health/ready 90
  echo "starting tunnel-service replica 2 (tunnel wss://127.0.0.1:8044/tunnel, management http://127.0.0.1:8084)"
  java $jvm_opens -Xmx256m $jvm_heap -Dtunnel.tls.dev-certificates-dir="$work/certs" \
    -Dtunnel.port=8044 -Dquarkus.http.port=8084 -Dcluster.event-bus-port=5712 \
    -Dtunnel.replica-url=wss://localhost:8044/tunnel \
    -Dtunnel.service-channels.mappings-file="$work/service-mappings.yaml" \
    -Dtunnel.service-channels.default-subaccount=dev-subaccount \
    -jar tunnel-service/target/quarkus-app/quarkus-run.jar >"$work/logs/tunnel-service-2.log" 2>&1 &
  pids+=($!)
  tunnel2_pid=$!
fi
proxy_opts=(-Dproxy.tenant-mode="$tenant_mode")
if [ "$issuer" = 1 ]; then
  # The issuer serves its keys over HTTPS with the development certificates tunnel-service makes.
  wait_ready tunnel-service http://127.0.0.1:8082/q/health/ready 90
  echo "starting the sample token issuer (https://localhost:$issuer_port/token_keys; tokens at /token?subaccount=... and /token?user=...)"
  java -cp sample-backend/target/sample-backend-0.1.0-SNAPSHOT.jar io.connectivityproxy.sample.SampleIssuer \
    "$issuer_port" "$work/certs/server.pem" "$work/certs/server-key.pem" >"$work/logs/sample-issuer.log" 2>&1 &
  pids+=($!)
fi
if [ "$auth" = 1 ]; then
  proxy_opts+=(-Dproxy.http.authorization-enabled=true -Dproxy.socks5.authorization-enabled=true
    -Dproxy.rfc-and-ldap.authorization-enabled=true
    -Dproxy.authorization.allowed-client-id='sb-connectivity-proxy!b1'
    -Dproxy.authorization.issuers="https://localhost:$issuer_port/oauth/token"
    -Dproxy.authorization.trust-ca="$work/certs/ca.pem")
fi
echo "starting proxy-service (HTTP proxy http://127.0.0.1:20003, management http://127.0.0.1:8081; tenant mode $tenant_mode, proxy authorization $([ "$auth" = 1 ] && echo on || echo off))"
# Both services share 127.0.0.1, so each needs its own event bus port (tunnel-service keeps 5710);
# the event bus is mutual TLS with the development cluster CA in .run-local/certs.
java $jvm_opens -Xmx256m $jvm_heap -Dcluster.event-bus-port=5711 "${proxy_opts[@]}" \
  -jar proxy-service/target/quarkus-app/quarkus-run.jar \
  >"$work/logs/proxy-service.log" 2>&1 &
pids+=($!)
echo "starting the sample on-premise backend (http://127.0.0.1:18080, WebSocket echo on 18081)"
java -jar sample-backend/target/sample-backend-0.1.0-SNAPSHOT.jar 18080 >"$work/logs/sample-backend.log" 2>&1 &
pids+=($!)
echo "starting the sample cluster service (http://127.0.0.1:18090, reached on-premise through a service channel)"
java -jar sample-backend/target/sample-backend-0.1.0-SNAPSHOT.jar 18090 127.0.0.1 "sample cluster service" \
  >"$work/logs/sample-cluster-service.log" 2>&1 &
pids+=($!)

wait_ready tunnel-service http://127.0.0.1:8082/q/health/ready 90
[ "$tunnel_replicas" = 2 ] && wait_ready tunnel-service-2 http://127.0.0.1:8084/q/health/ready 90

# PRINCIPAL_PROPAGATION=1 (README "Principal propagation"): the sample backend behind an entry that
# sends each propagated user's certificate in SSL_CLIENT_CERT, and the sample issuer trusted.
pp_entry=""
pp_section=""
if [ "$principal_propagation" = 1 ]; then
  pp_entry='  # Principal propagation: the connector sends the propagated user'"'"'s certificate in SSL_CLIENT_CERT.
  - virtualHost: sample-backend-pp
    virtualPort: 8080
    internalHost: 127.0.0.1
    internalPort: 18080
    protocol: HTTP
    principalPropagation: X509'
  pp_section="principalPropagation:
  trustedIssuers:
    - issuer: https://localhost:$issuer_port/oauth/token
      jwksUrl: https://localhost:$issuer_port/token_keys
      trustCa: certs/ca.pem
  clockTolerance: 30s
  subjectRules:
    - subject: CN=\${name}
      userType: Business
    - subject: CN=\${name}, OU=technical users
      userType: Technical
  certificateValidityMinutes: 10
  ca:
    # Generated on the first start; a backend (or its web dispatcher) trusts this CA.
    certificate: principal-propagation/ca.pem
    key: principal-propagation/ca-key.pem
    generate: true"
fi
# The part of the connector's file that belongs to this local setup: the tunnel endpoint, the
# development certificates tunnel-service made, the subaccount those name, two sessions.
connector_header() {
  cat <<YAML
# Connector configuration written by run-local.sh; see README.md for every field. While the system
# runs, changes to the access control list and the service channels apply live.
tunnel:
  url: wss://localhost:8042/tunnel
  certificate: certs/connector.pem
  key: certs/connector-key.pem
  ca: certs/ca.pem
subaccount: dev-subaccount
connectorId: local-connector
sessions: 2
YAML
}

# The user's top-level accessControl, serviceChannels, backendTls and locationId blocks, as written
# (comments included); a relative backendTls.ca is made absolute against the user's file.
user_blocks() { # file
  awk -v dir="$(dirname "$1")" '
    /^---/ { keep = 0; next }
    /^[^[:space:]#-]/ {
      keep = ($0 ~ /^(accessControl|serviceChannels|backendTls|locationId)[[:space:]]*:/)
      tls = ($0 ~ /^backendTls[[:space:]]*:/)
    }
    keep {
      if (tls && $0 ~ /^[[:space:]]+ca:[[:space:]]*[^\/[:space:]]/) { sub(/ca:[[:space:]]*/, "ca: " dir "/") }
      print
    }' "$1"
}

# Writes .run-local/connector.yaml next to itself and renames it into place, so that the connector
# (which watches the file) never reads half of it.
write_connector_config() {
  local next="$work/.connector.yaml.next"
  if [ -n "$user_config" ]; then
    {
      connector_header
      echo "# From $user_config (accessControl, serviceChannels, backendTls, locationId):"
      blocks=$(user_blocks "$user_config")
      printf '%s\n' "$blocks"
      printf '%s\n' "$blocks" | grep -q '^locationId[[:space:]]*:' || echo 'locationId: ""'
    } >"$next"
  else
    { connector_header; sample_acl; } >"$next"
  fi
  mv -f "$next" "$work/connector.yaml"
}

sample_acl() {
  cat <<YAML
locationId: ""
accessControl:
  - virtualHost: sample-backend
    virtualPort: 8080
    internalHost: 127.0.0.1
    internalPort: 18080
    protocol: HTTP
    paths:
      - path: /
        includeSubPaths: true
  - virtualHost: sample-backend-tcp
    virtualPort: 8080
    internalHost: 127.0.0.1
    internalPort: 18080
    protocol: TCP
  # A port range: virtual 9080-9081 reach 18080-18081 (the sample HTTP server and its WebSocket echo).
  - virtualHost: sample-backend-tcp
    virtualPort: 9080-9081
    internalHost: 127.0.0.1
    internalPort: 18080
    protocol: TCP
  # The sample WebSocket echo; protocol upgrades are allowed on its paths.
  - virtualHost: sample-backend-ws
    virtualPort: 8080
    internalHost: 127.0.0.1
    internalPort: 18081
    protocol: HTTP
    paths:
      - path: /
        includeSubPaths: true
        upgradeAllowed: true
$pp_entry
# Service channels: on-premise clients connect to 127.0.0.1:21080 and reach the cluster service
# that tunnel-service's ServiceMapping "sample-cluster-service" names.
serviceChannels:
  - serviceId: sample-cluster-service
    type: TCP
    localPort: 21080
$pp_section
YAML
}

write_connector_config
if [ -n "$user_config" ]; then
  # Follows the user's file: every change is merged again, and the connector applies it live.
  (
    last=$(cksum <"$user_config" 2>/dev/null || true)
    while sleep 1; do
      now=$(cksum <"$user_config" 2>/dev/null || true)
      if [ "$now" != "$last" ]; then
        last=$now
        write_connector_config && echo "run-local.sh: merged $user_config into $work/connector.yaml again"
      fi
    done
  ) >>"$work/logs/connector-config-merge.log" 2>&1 &
  pids+=($!)
fi
echo "starting the $connector_kind (config $work/connector.yaml, management http://127.0.0.1:8083)"
"${connector_cmd[@]}" >"$work/logs/connector.log" 2>&1 &
pids+=($!)

wait_ready proxy-service http://127.0.0.1:8081/q/health/ready 90
wait_ready connector http://127.0.0.1:8083/q/health/ready 60
if [ "$tunnel_replicas" = 2 ]; then
  # The connector names only the first replica; it dials the second once the first announces it.
  replica_deadline=$((SECONDS + 60))
  until curl -fs http://127.0.0.1:8084/q/metrics 2>/dev/null | grep -Eq '^cp_tunnel_sessions\{[^}]*\} [1-9]'; do
    [ $SECONDS -ge $replica_deadline ] && { echo "FAILED: the connector holds no session to tunnel-service replica 2; see $work/logs/connector.log" >&2; exit 1; }
    sleep 0.3
  done
  echo "the connector holds sessions to both tunnel-service replicas (curl http://127.0.0.1:8083/q/health/ready names them)"
fi

# The session registry reaches proxy-service through the cluster; wait for a request to pass.
deadline=$((SECONDS + 30))
# What a request needs in the chosen mode: a token from the sample issuer, in the header the mode reads.
credentials=()
if [ "$auth" = 1 ] || [ "$tenant_mode" = shared ]; then
  if [ "$auth" = 1 ]; then
    token_deadline=$((SECONDS + 30))
    until token=$(curl -fsS --cacert "$work/certs/ca.pem" "https://localhost:$issuer_port/token?subaccount=dev-subaccount" 2>/dev/null); do
      [ $SECONDS -ge $token_deadline ] && { echo "FAILED: the sample token issuer did not answer" >&2; exit 1; }
      sleep 0.3
    done
    credentials=(-H "Proxy-Authorization: Bearer $token")
  else
    # Trusted mode checks no signature; any JWT naming the subaccount will do.
    token="eyJhbGciOiJub25lIn0.$(printf '{"ext_attr":{"subaccountid":"dev-subaccount"}}' | base64 | tr -d '=\n' | tr '/+' '_-')."
    credentials=(-H "SAP-CP-Connectivity-Service-Token: $token")
  fi
  printf '%s\n' "$token" >"$work/token"
fi
if [ -n "$user_config" ]; then
  # Your list has no sample-backend. A host no list maps is refused by the connector itself (403
  # "Access denied ..."), which shows that requests reach it through the tunnel.
  location=$(sed -n 's/^locationId:[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$work/connector.yaml" | head -n 1)
  [ -n "$location" ] && credentials+=(-H "SAP-Connectivity-SCC-Location_ID: $location")
  until answer=$(curl -sS -x http://127.0.0.1:20003 "${credentials[@]}" http://run-local-probe.invalid:1/ 2>&1) \
      && [[ "$answer" == "Access denied to system"* ]]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "FAILED: no request reached the connector: $answer" >&2
      exit 1
    fi
    sleep 0.3
  done
  echo "curl -x http://127.0.0.1:20003 http://run-local-probe.invalid:1/  ->  $answer   (the connector answers: your list is in force)"
  echo "checking your access control list (connector check; the connector runs it too, see its status page):"
  "${check_cmd[@]}" 2>/dev/null | sed 's/^/check: /' || true
  echo "READY: the connector serves the access control list of $user_config: curl -x http://127.0.0.1:20003 ${location:+-H 'SAP-Connectivity-SCC-Location_ID: $location' }http://<virtual host>:<virtual port>/ (logs in $work/logs; edits to your file apply live; Ctrl-C stops)"
else
until answer=$(curl -fsS -x http://127.0.0.1:20003 "${credentials[@]}" http://sample-backend:8080/ 2>&1); do
  if [ $SECONDS -ge $deadline ]; then
    echo "FAILED: no request went through: $answer" >&2
    exit 1
  fi
  sleep 0.3
done
echo "curl -x http://127.0.0.1:20003 http://sample-backend:8080/  ->  $answer"
# And the other way: an on-premise client through the service channel to the cluster service.
deadline=$((SECONDS + 30))
until channel=$(curl -fsS http://127.0.0.1:21080/ 2>&1); do
  if [ $SECONDS -ge $deadline ]; then
    echo "FAILED: the service channel on 127.0.0.1:21080 did not answer: $channel" >&2
    exit 1
  fi
  sleep 0.3
done
echo "curl http://127.0.0.1:21080/  ->  $channel   (service channel to the sample cluster service)"
if [ "$principal_propagation" = 1 ]; then
  # A user token from the sample issuer; the connector turns it into alice's certificate.
  token_deadline=$((SECONDS + 30))
  until user_token=$(curl -fsS --cacert "$work/certs/ca.pem" "https://localhost:$issuer_port/token?user=alice" 2>/dev/null); do
    [ $SECONDS -ge $token_deadline ] && { echo "FAILED: the sample token issuer did not answer" >&2; exit 1; }
    sleep 0.3
  done
  printf '%s\n' "$user_token" >"$work/user-token"
  if ! whoami=$(curl -fsS -x http://127.0.0.1:20003 "${credentials[@]}" -H "SAP-Connectivity-Authentication: Bearer $user_token" \
      http://sample-backend-pp:8080/whoami 2>&1); then
    echo "FAILED: principal propagation did not go through: $whoami" >&2
    exit 1
  fi
  echo "principal propagation: curl -x http://127.0.0.1:20003 -H \"SAP-Connectivity-Authentication: Bearer \$(cat $work/user-token)\" http://sample-backend-pp:8080/whoami  ->  $whoami"
fi
echo "READY: curl -x http://127.0.0.1:20003 http://sample-backend:8080/ reaches the sample backend through the tunnel (logs in $work/logs; Ctrl-C stops)"
if [ "$auth" = 1 ]; then
  echo "mode:  proxy authorization on, tenant mode $tenant_mode: a token for the requests above is in $work/token; more from curl --cacert $work/certs/ca.pem 'https://localhost:$issuer_port/token?subaccount=dev-subaccount'; add -H \"Proxy-Authorization: Bearer \$(cat $work/token)\" to the proxy requests"
elif [ "$tenant_mode" = shared ]; then
  echo "mode:  multi-tenant trusted: add -H \"SAP-CP-Connectivity-Service-Token: \$(cat $work/token)\" to the proxy requests"
fi
echo "also:  curl http://127.0.0.1:21080/   (service channel: on-premise client to the sample cluster service; mappings in $work/service-mappings.yaml)"
echo "also:  curl --socks5-hostname 127.0.0.1:20004 http://sample-backend-tcp:8080/   (SOCKS5 to the TCP mapping)"
echo "also:  curl -x http://127.0.0.1:20003 -i http://sample-backend:8080/redirect   (Location rewritten to the virtual host)"
echo "also:  curl http://127.0.0.1:8081/admin/loggers   (log levels of proxy-service; tunnel-service on 8082, the connector on 8083)"
echo "also:  curl -X PUT -d '{\"level\":\"DEBUG\"}' http://127.0.0.1:8081/admin/loggers/io.connectivityproxy.proxy   (DEBUG now, no restart; {\"level\":null} inherits again)"
[ "$tunnel_replicas" = 2 ] && echo "also:  kill -9 $tunnel1_pid (tunnel-service replica 1, the one the connector's file names) and requests still pass through replica 2 (pid $tunnel2_pid)"
echo "also:  curl --cacert $work/certs/ca.pem https://localhost:8042/healthcheck   (the tunnel endpoint's health check, no client certificate)"
echo "also:  grep -h AUDIT-EVENT $work/logs/tunnel-service.log   (SAP's audit events of the connector handshakes)"
echo "also:  edit $work/connector.yaml while it runs: access control list and service channels apply live"
echo "also:  CONNECTOR_CONFIG=my-connector.yaml ./run-local.sh   (your own access control list; README \"Your own backends\")"
echo "also:  curl -x http://127.0.0.1:20003 -i -N -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' http://sample-backend-ws:8080/   (WebSocket upgrade: 101, then frames)"
fi
echo "status: http://127.0.0.1:8081/admin/status (proxy-service), http://127.0.0.1:8082/admin/status (tunnel-service), http://127.0.0.1:8083/admin/status (connector)"
echo "check:  ${check_cmd[*]}   (the connector doctor: one line per backend and the tunnel)"
# Everything stops when one process exits, except a tunnel-service replica of two: killing one is
# what TUNNEL_REPLICAS=2 is for.
watched=()
for pid in "${pids[@]}"; do
  if [ "$tunnel_replicas" = 2 ] && { [ "$pid" = "$tunnel1_pid" ] || [ "$pid" = "$tunnel2_pid" ]; }; then
    continue
  fi
  watched+=("$pid")
done
wait -n "${watched[@]}" || true
echo "a process exited; see $work/logs" >&2
