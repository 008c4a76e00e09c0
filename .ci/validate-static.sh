#!/usr/bin/env bash
# Static validation of the container, Compose, Prometheus/Grafana and Kubernetes files (no Docker engine or
# cluster needed), the publish output the image ships, and the /metrics exposition under promtool.
# Prints one PASS/FAIL/SKIP line per check; exits non-zero when any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skip() { echo "SKIP: $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- tools -----------------------------------------------------------------------------------------
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "validate: installing docker-compose"
  { [ -n "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] || apt-get update -qq; } >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get -y -qq install docker-compose >"$work/apt.log" 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get -y -qq install docker-compose >"$work/apt.log" 2>&1; } \
    || tail -5 "$work/apt.log"
fi

# --- compose -----------------------------------------------------------------------------------------
if command -v docker-compose >/dev/null 2>&1; then
  if docker-compose -f docker-compose.yml config -q 2>"$work/compose.err"; then pass "docker-compose config"; else fail "docker-compose config: $(cat "$work/compose.err")"; fi
  if docker-compose -f docker-compose.yml --profile gpu config -q 2>"$work/compose.err"; then pass "docker-compose --profile gpu config"; else fail "docker-compose --profile gpu config: $(cat "$work/compose.err")"; fi
else
  fail "docker-compose is not installed"
fi

# --- Prometheus config -------------------------------------------------------------------------------
if command -v promtool >/dev/null 2>&1; then
  if promtool check config docker/prometheus/prometheus.yml >"$work/promcfg.log" 2>&1; then pass "promtool check config docker/prometheus/prometheus.yml"; else fail "promtool check config: $(tail -3 "$work/promcfg.log")"; fi
else
  skip "promtool not installed (apt-get install prometheus): Prometheus config not checked"
fi

# --- Kubernetes ----------------------------------------------------------------------------------------
if command -v kubectl >/dev/null 2>&1; then
  for dir in deploy/base deploy/overlays/* deploy/inference-extension; do
    if kubectl kustomize "$dir" >"$work/kustomize.yaml" 2>"$work/kustomize.err"; then
      pass "kubectl kustomize $dir ($(grep -c '^kind:' "$work/kustomize.yaml") objects)"
    else
      fail "kubectl kustomize $dir: $(head -3 "$work/kustomize.err")"
    fi
  done
else
  fail "kubectl is not installed"
fi

# --- Grafana dashboards --------------------------------------------------------------------------------
for dashboard in docker/grafana/dashboards/*.json; do
  if python3 -m json.tool "$dashboard" >/dev/null 2>"$work/json.err"; then pass "dashboard JSON parses: $dashboard"; else fail "dashboard JSON $dashboard: $(cat "$work/json.err")"; fi
done

# --- scripts the Dockerfile runs --------------------------------------------------------------------------
for script in docker/publish.sh docker/build-cpu-backend.sh; do
  if bash -n "$script" 2>"$work/sh.err"; then pass "bash -n $script"; else fail "bash -n $script: $(head -3 "$work/sh.err")"; fi
done

# --- publish output (the same script the Dockerfile runs) ----------------------------------------------
publish="$work/publish"
if bash docker/publish.sh "$publish" cpu >"$work/publish.log" 2>&1; then
  pass "docker/publish.sh cpu"
  # runtimes/.../avx2: the Dockerfile's CPU_MARCH build puts its CPU backend beside these libraries.
  # ggml-cpu-variants: ggml's per-micro-architecture CPU backends the image chooses from at startup (Model:CpuVariant).
  for f in InferenceServer.Api.dll appsettings.json models/default.gguf wwwroot/index.html wwwroot/app.js wwwroot/app.css \
           runtimes/linux-x64/native/avx2/libllama.so runtimes/linux-x64/native/avx2/libggml-base.so \
           runtimes/linux-x64/native/ggml-cpu-variants/libggml-cpu-x64.so runtimes/linux-x64/native/ggml-cpu-variants/libggml-cpu-haswell.so \
           runtimes/linux-x64/native/ggml-cpu-variants/libggml-cpu-zen4.so runtimes/linux-x64/native/ggml-cpu-variants/LICENSE; do
    if [ -f "$publish/$f" ]; then pass "published $f"; else fail "published output lacks $f"; fi
  done
else
  fail "docker/publish.sh: $(tail -5 "$work/publish.log")"
fi

# --- /metrics exposition under promtool ----------------------------------------------------------------
# The observability tests scrape a real pipeline (fake engine) and save the scrape; promtool lints it. The
# only finding allowed is promlint's "should not contain ':'" on the vllm:* gauges, whose names the
# Kubernetes inference routers require.
dump="$work/metrics"
if dotnet test tests/InferenceServer.Api.Tests/InferenceServer.Api.Tests.csproj -nologo \
     --filter "FullyQualifiedName~Observability.ObservabilityEndpointTests.Metrics_combine" \
     -e OBSERVABILITY_DUMP_DIR="$dump" >"$work/test.log" 2>&1 && [ -s "$dump/metrics.prom" ]; then
  if command -v promtool >/dev/null 2>&1; then
    promtool check metrics <"$dump/metrics.prom" >"$work/promtool.log" 2>&1
    unexpected=$(grep -v -E "^vllm:[a-z_]+ metric names should not contain ':'$" "$work/promtool.log" | grep -v '^$' || true)
    if [ -z "$unexpected" ]; then pass "promtool check metrics (only the vllm: colon lint, by design)"; else fail "promtool check metrics: $unexpected"; fi
  else
    skip "promtool not installed: /metrics exposition not linted"
  fi
  # Every metric the dashboard queries must be in the exposition.
  missing=$(python3 - "$dump/metrics.prom" docker/grafana/dashboards/*.json <<'PY'
import json, re, sys
exposition = {line.split('{')[0].split(' ')[0] for line in open(sys.argv[1]) if line and not line.startswith('#')}
missing = set()
for path in sys.argv[2:]:
    for panel in json.load(open(path))["panels"]:
        for target in panel.get("targets", []):
            expr = re.sub(r"\{[^}]*\}", "", target["expr"])
            expr = re.sub(r"\b(by|without)\s*\([^)]*\)", "", expr)
            expr = re.sub(r"\$\w+", "", expr)
            for token in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
                if ("_" in token or ":" in token) and token not in ("histogram_quantile", "clamp_min") and token not in exposition:
                    missing.add(token)
print(" ".join(sorted(missing)))
PY
)
  if [ -z "$missing" ]; then pass "dashboard queries only metrics present in /metrics"; else fail "dashboard queries metrics absent from /metrics: $missing"; fi
else
  fail "metrics scrape test: $(grep -E 'error|Failed' "$work/test.log" | head -5)"
fi

echo "validate-static: $failures failure(s)"
[ "$failures" -eq 0 ]
