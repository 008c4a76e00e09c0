#!/usr/bin/env bash
# Publishes the server exactly as the container image ships it. Used by the Dockerfile and by CI
# (.ci/validate-static.sh), so the two cannot drift.
#   docker/publish.sh OUTPUT_DIR [cpu|cuda]     (variant also from $VARIANT; default cpu)
set -euo pipefail
out="${1:?usage: docker/publish.sh OUTPUT_DIR [cpu|cuda]}"
variant="${2:-${VARIANT:-cpu}}"
case "$variant" in
  cpu) use_cuda=false ;;
  cuda) use_cuda=true ;;
  *) echo "publish: VARIANT must be cpu or cuda, not '$variant'" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
if [ ! -f models/default.gguf ]; then
  echo "publish: warning: models/default.gguf is missing; the output will have no default model" >&2
fi
dotnet publish src/InferenceServer.Api/InferenceServer.Api.csproj -c Release -o "$out" \
  -p:UseCuda="$use_cuda" -nologo
