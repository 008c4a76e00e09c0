#!/usr/bin/env bash
# End-to-end check of the observability layer against the real server process (run after the engine and the
# endpoints are merged; needs prometheus + promtool: apt-get install prometheus):
#   1. start the published server on a free loopback port, wait for /health/ready;
#   2. promtool check metrics on /metrics (text and OpenMetrics): only the vllm: colon lint may appear;
#   3. a real Prometheus scrapes it for a few seconds; vllm:num_requests_waiting is queryable;
#   4. SIGTERM with a streaming chat request in flight: the stream completes, a new request gets 503,
#      the process exits 0.
# Usage: tests/InferenceServer.Api.Tests/Observability/e2e-observability.sh [PUBLISH_DIR]
# The same checks (and more: metrics under load, Swagger schemas, /health while loading) run as xunit tests on the
# build output in tests/InferenceServer.Api.Tests/Observability/RealServer (dotnet test --filter
# FullyQualifiedName~RealServer); this script remains for checking a published folder or a container image's files.
set -uo pipefail
cd "$(dirname "$0")/../../.."
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
work=$(mktemp -d)
server_pid=""; prom_pid=""
cleanup() {
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

app="${1:-}"
if [ -z "$app" ]; then
  app="$work/app"
  bash docker/publish.sh "$app" cpu >"$work/publish.log" 2>&1 || { tail -20 "$work/publish.log"; exit 1; }
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

(cd "$app" && ASPNETCORE_URLS="$base" Logging__Format=json Shutdown__DrainTimeoutSeconds=20 \
  exec dotnet InferenceServer.Api.dll >"$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null && break
  sleep 0.5
done
if curl -fsS -o /dev/null "$base/health/ready"; then pass "server ready on $base"; else fail "server not ready"; tail -20 "$work/server.log"; exit 1; fi
[ "$(curl -s "$base/health")" = '{"status":"ok"}' ] && pass "/health is llama-server compatible" || fail "/health body"

# --- promtool ------------------------------------------------------------------------------------------
curl -fsS "$base/metrics" >"$work/metrics.prom"
promtool check metrics <"$work/metrics.prom" >"$work/lint.log" 2>&1
unexpected=$(grep -v -E "^vllm:[a-z_]+ metric names should not contain ':'$" "$work/lint.log" | grep -v '^$' || true)
[ -z "$unexpected" ] && pass "promtool check metrics (text)" || fail "promtool: $unexpected"
grep -q '^vllm:num_requests_waiting{model_name="' "$work/metrics.prom" && pass "vllm gauges present" || fail "vllm gauges missing"
curl -fsS -H 'Accept: application/openmetrics-text;version=1.0.0' "$base/metrics" >"$work/metrics.om"
[ "$(tail -n1 "$work/metrics.om")" = "# EOF" ] && grep -q '^vllm:kv_cache_usage_perc' "$work/metrics.om" \
  && pass "OpenMetrics: vllm gauges before # EOF" || fail "OpenMetrics exposition"

# --- real Prometheus scrape ----------------------------------------------------------------------------
prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/prometheus.yml" <<YML
global: { scrape_interval: 1s }
scrape_configs:
  - job_name: inferenceserver
    static_configs: [ { targets: ["127.0.0.1:$port"] } ]
YML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
prom_pid=$!
ok=""
for _ in $(seq 1 30); do
  sleep 1
  if curl -fsS "http://127.0.0.1:$prom_port/api/v1/query?query=vllm:num_requests_waiting" 2>/dev/null | grep -q '"model_name"'; then ok=1; break; fi
done
[ -n "$ok" ] && pass "Prometheus scraped vllm:num_requests_waiting" || fail "Prometheus scrape (see prometheus.log)"
up=$(curl -fsS "http://127.0.0.1:$prom_port/api/v1/query?query=up" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])' 2>/dev/null)
[ "$up" = "1" ] && pass "target up" || fail "target up=$up"
kill "$prom_pid" 2>/dev/null; wait "$prom_pid" 2>/dev/null; prom_pid=""

# --- SIGTERM with a stream in flight -----------------------------------------------------------------------
model=$(curl -fsS "$base/v1/models" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])' 2>/dev/null)
curl -sS -N -o "$work/stream.txt" -w '%{http_code}' "$base/v1/chat/completions" -H 'Content-Type: application/json' \
  -d "{\"model\":\"$model\",\"stream\":true,\"max_tokens\":400,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}" \
  >"$work/stream.code" 2>/dev/null &
stream_pid=$!
sleep 0.3
kill -TERM "$server_pid"
sleep 0.3
code=$(curl -s -o "$work/refused.json" -w '%{http_code}' "$base/v1/models" || true)
wait "$stream_pid"
wait "$server_pid"; rc=$?
server_pid=""
[ "$rc" -eq 0 ] && pass "exit code 0 after SIGTERM" || fail "exit code $rc after SIGTERM"
[ "$(cat "$work/stream.code")" = "200" ] && grep -q 'data: \[DONE\]' "$work/stream.txt" \
  && pass "in-flight stream completed during the drain" || fail "in-flight stream: $(cat "$work/stream.code") $(tail -c 200 "$work/stream.txt")"
case "$code" in
  503) pass "new request during drain answered 503" ;;
  000) pass "new request during drain refused (server already closed)" ;;
  *) fail "new request during drain answered $code" ;;
esac
grep -q 'Shutdown: draining' "$work/server.log" && pass "drain logged (JSON)" || fail "no drain log line"

echo "e2e-observability: $failures failure(s)"
[ "$failures" -eq 0 ]
