# syntax=docker/dockerfile:1
# InferenceServer container image.
#   CPU (default):  docker build -t inferenceserver:cpu .
#   CUDA 12:        docker build --build-arg VARIANT=cuda -t inferenceserver:cuda .
#   CPU, with ggml's CPU backend compiled for a known fleet (README, "A CPU backend compiled for the machine"):
#                   docker build --build-arg CPU_MARCH=znver4 -t inferenceserver:znver4 .
#                   (clones llama.cpp at LLAMA_CPP_COMMIT, the commit LLamaSharp 0.30 binds; runs only on CPUs
#                   with that instruction set)
# Every CPU image also carries ggml's per-micro-architecture CPU backends and loads the best one for the CPU it runs
# on (README, "ggml's CPU backend for this CPU"). By default the image compiles them from llama.cpp's source at
# LLAMA_CPP_COMMIT with its own GCC (all 14 in about 3.5 minutes on two cores; needs github.com): the prebuilt ones
# the .NET build fetches from npm (GCC 11) decode several sequences 6-24 % slower on a Zen 5 core (docs/performance.md).
#   Keep the prebuilt ones (no clone, no compiler): docker build --build-arg CPU_VARIANTS=prebuilt .
# Both publish with docker/publish.sh (the same script CI runs). The runtime images are Ubuntu 24.04
# (glibc 2.39; llama.cpp's native libraries need glibc >= 2.34, GLIBCXX_3.4.29 and libgomp1).
ARG VARIANT=cpu
ARG DOTNET_VERSION=10.0
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu24.04
ARG CPU_MARCH=
ARG CPU_VARIANTS=compiled
ARG LLAMA_CPP_COMMIT=815a2a5915f22ce6a760c676389c5dfe8535c08f

# ---- build ----------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS build
ARG VARIANT
WORKDIR /src
# Restore first, from the project files only, so source edits do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/InferenceServer.Core/InferenceServer.Core.csproj src/InferenceServer.Core/
COPY src/InferenceServer.OpenAI/InferenceServer.OpenAI.csproj src/InferenceServer.OpenAI/
COPY src/InferenceServer.LlamaSharp/InferenceServer.LlamaSharp.csproj src/InferenceServer.LlamaSharp/
COPY src/InferenceServer.Api/InferenceServer.Api.csproj src/InferenceServer.Api/
RUN dotnet restore src/InferenceServer.Api/InferenceServer.Api.csproj \
      -p:UseCuda=$([ "$VARIANT" = cuda ] && echo true || echo false)
COPY . .
RUN bash docker/publish.sh /app "$VARIANT"
# ggml's CPU backend from source (CPU images): every per-micro-architecture variant, replacing the prebuilt ones
# (CPU_VARIANTS=compiled, the default), and opt-in one build for -march=$CPU_MARCH beside LLamaSharp's avx2 libllama
# (Model__NativeLibraryDirectory). build-cpu-backend.sh refuses a backend the packaged libggml-base cannot serve.
ARG CPU_MARCH
ARG CPU_VARIANTS
ARG LLAMA_CPP_COMMIT
RUN case "$CPU_VARIANTS" in compiled|prebuilt) ;; *) echo "CPU_VARIANTS must be compiled or prebuilt, got '$CPU_VARIANTS'" >&2; exit 1 ;; esac; \
    if [ "$VARIANT" = cpu ] && { [ -n "$CPU_MARCH" ] || [ "$CPU_VARIANTS" = compiled ]; }; then \
      apt-get update && apt-get install -y --no-install-recommends cmake g++ git binutils \
      && git clone --filter=blob:none https://github.com/ggml-org/llama.cpp /tmp/llama.cpp \
      && git -C /tmp/llama.cpp checkout --quiet "$LLAMA_CPP_COMMIT" \
      && if [ "$CPU_VARIANTS" = compiled ]; then \
           bash docker/build-cpu-backend.sh --source /tmp/llama.cpp --march variants \
             --out /app/runtimes/linux-x64/native/ggml-cpu-variants --packaged /app/runtimes/linux-x64/native/avx2; \
         fi \
      && if [ -n "$CPU_MARCH" ]; then \
           bash docker/build-cpu-backend.sh --source /tmp/llama.cpp --out /app/llama-native --march "$CPU_MARCH" \
             --packaged /app/runtimes/linux-x64/native/avx2; \
         fi \
      && rm -rf /tmp/llama.cpp /var/lib/apt/lists/*; \
    fi

# ---- runtime: CPU ---------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS runtime-cpu
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 curl \
 && rm -rf /var/lib/apt/lists/*

# ---- runtime: CUDA 12 (driver from the host through the NVIDIA container toolkit) ------------------
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS aspnet
FROM ${CUDA_IMAGE} AS runtime-cuda
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl libgomp1 libssl3t64 libstdc++6 tzdata zlib1g \
 && rm -rf /var/lib/apt/lists/*
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && (id -u app >/dev/null 2>&1 || useradd --uid 1654 --user-group --no-create-home --shell /usr/sbin/nologin app)
# LLamaSharp picks its CUDA backend only when it sees CUDA_VERSION (or /usr/local/cuda/version.json).
ENV CUDA_VERSION=12.8 \
    APP_UID=1654 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

# ---- final ----------------------------------------------------------------------------------------
FROM runtime-${VARIANT} AS final
ARG CPU_MARCH
WORKDIR /app
COPY --from=build --chown=1654:1654 /app ./
# Overridable: mount another GGUF file and point Model__Path at it (see docker-compose.yml).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_gcServer=0 \
    Logging__Format=json \
    Model__Path=/app/models/default.gguf \
    Model__NativeLibraryDirectory=${CPU_MARCH:+/app/llama-native} \
    Shutdown__DrainTimeoutSeconds=30
USER 1654
EXPOSE 8080
# Ready = model loaded and engine admitting requests; allow time for the model to load.
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health/ready || exit 1
# SIGTERM -> drain (new /v1 requests get 503, in-flight streams finish) -> exit 0. Give it
# Shutdown__DrainTimeoutSeconds + 10 s: docker stop --time 45 (compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "InferenceServer.Api.dll"]
