#!/usr/bin/env bash
# Builds llama.cpp's CPU backend (libggml-cpu) from source, in one of two forms:
#   --march native|ARCH  one build for one instruction set, assembled into a directory the server loads with
#                        Model:NativeLibraryDirectory: LLamaSharp's packaged libllama / libggml / libggml-base /
#                        libmtmd beside the newly compiled libggml-cpu.
#   --march variants     every x86-64 micro-architecture build ggml's GGML_CPU_ALL_VARIANTS makes (haswell, skylakex,
#                        icelake, zen4, sapphirerapids, ...), as libggml-cpu-<name>.so files in --out, for
#                        Model:CpuVariantsDirectory: the server scores them on the CPU it runs on and loads the best,
#                        so the result is as portable as the variants the build ships (the Docker image does this).
#
# Why: LLamaSharp ships four x86 CPU variants (noavx, avx, avx2, avx512) without AVX512-VNNI, AVX-VNNI or BF16 code,
# which llama.cpp uses for quantized matrix products; the per-micro-architecture variants the build ships come from
# llama.cpp's release build, compiled with GCC 11, whose code for the Q4_0 matrix kernels is slower than a newer
# compiler's: on a Zen 5 core the same source's zen4 variant built with GCC 12 decodes four sequences ~12 % faster
# and prefills ~20 % faster, level with a -march=native build (docs/performance.md).
#
# usage: docker/build-cpu-backend.sh --source LLAMA_CPP_DIR --out DIR [--march native|ARCH|variants] [--packaged DIR] [--jobs N]
#   --source    a llama.cpp source tree. Use the commit LLamaSharp 0.30 binds (815a2a5915f22ce6a760c676389c5dfe8535c08f,
#               build b10221): git clone https://github.com/ggml-org/llama.cpp && git -C llama.cpp checkout 815a2a59...
#               Only ggml's CPU backend is compiled; the script checks that its imports are all exported by the
#               packaged libggml-base and refuses the result otherwise.
#   --out       the directory to create (set Model__NativeLibraryDirectory, or for variants
#               Model__CpuVariantsDirectory, to it).
#   --march     native (default: this machine; do not copy the result to other CPUs), a GCC -march value such as
#               x86-64-v3, x86-64-v4, cooperlake, sapphirerapids (for an image that runs on a known fleet), or
#               variants (all x86-64 variants: 14 from b10361 in 3.5 minutes on two cores).
#   --packaged  the LLamaSharp runtime directory to take the other libraries from (default: the avx512 or avx2
#               variant under the server's build output, runtimes/linux-x64/native/).
# Needs cmake, a C/C++ compiler and libgomp (Debian: apt-get install cmake g++).
set -euo pipefail

source_dir="" out="" march="native" packaged="" jobs="$(nproc)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --source) source_dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --march) march="$2"; shift 2 ;;
    --packaged) packaged="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ -n "$source_dir" && -n "$out" ]] || { echo "usage: $0 --source LLAMA_CPP_DIR --out DIR [--march native|ARCH|variants]" >&2; exit 2; }
[[ -f "$source_dir/ggml/CMakeLists.txt" ]] || { echo "$source_dir is not a llama.cpp source tree (no ggml/CMakeLists.txt)" >&2; exit 2; }
[[ "$(uname -s)" == Linux ]] || { echo "this script builds the Linux backend only" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$packaged" ]]; then
  for variant in avx512 avx2; do
    packaged="$(find "$root/src/InferenceServer.Api/bin" "$root/bench" -path "*/runtimes/linux-x64/native/$variant" -type d 2>/dev/null | head -1)"
    [[ -n "$packaged" ]] && break
  done
  [[ -n "$packaged" ]] || { echo "no LLamaSharp runtime found under src/InferenceServer.Api/bin: build the server first (dotnet build -c Release src/InferenceServer.Api)" >&2; exit 2; }
fi
for lib in libllama.so libggml.so libggml-base.so; do
  [[ -f "$packaged/$lib" ]] || { echo "$packaged has no $lib" >&2; exit 2; }
done

build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
flags=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_OPENMP=ON -DLLAMA_CURL=OFF
       -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF
       -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON)
if [[ "$march" == native ]]; then
  flags+=(-DGGML_NATIVE=ON)
elif [[ "$march" == variants ]]; then
  # As the shipped variants are built: loaded by name beside an unversioned libggml-base, ggml's own thread pool.
  flags+=(-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DGGML_OPENMP=OFF -DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON)
else
  flags+=(-DGGML_NATIVE=OFF "-DCMAKE_C_FLAGS=-march=$march" "-DCMAKE_CXX_FLAGS=-march=$march")
fi
echo "configuring ggml's CPU backend from $source_dir (-march=$march)"
cmake -S "$source_dir" -B "$build" "${flags[@]}" > "$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
commit="$(git -C "$source_dir" rev-parse HEAD 2>/dev/null || echo unknown)"

# The packaged libggml-base must export everything a new backend imports (same ggml interface).
check_imports() {
  local missing
  missing="$(comm -23 <(nm -D --undefined-only "$1" | awk '{print $2}' | grep -v '@' | grep -E '^(ggml|gguf)' | sort -u) \
                      <(nm -D --defined-only "$packaged/libggml-base.so" | awk '{print $3}' | sort -u))"
  if [[ -n "$missing" ]]; then
    echo "$(basename "$1") from this llama.cpp source needs symbols the packaged libggml-base lacks (use the commit LLamaSharp binds):" >&2
    echo "$missing" >&2
    exit 1
  fi
}

vnni_count() { objdump -d --no-show-raw-insn "$1" | grep -cE 'vpdpbusd|vdpbf16ps' || true; }

if [[ "$march" == variants ]]; then
  targets=($(cmake --build "$build" --target help | grep -oE 'ggml-cpu-[a-z0-9_]+' | sort -u))
  [[ ${#targets[@]} -gt 0 ]] || { echo "this llama.cpp source defines no CPU variants (GGML_CPU_ALL_VARIANTS)" >&2; exit 1; }
  echo "building ${#targets[@]} CPU variants with $jobs jobs: ${targets[*]#ggml-cpu-}"
  cmake --build "$build" --target "${targets[@]}" -j "$jobs" > "$build/build.log" 2>&1 || { tail -40 "$build/build.log" >&2; exit 1; }
  rm -rf "$out"
  mkdir -p "$out"
  for target in "${targets[@]}"; do
    built="$(find "$build" -name "lib$target.so" | head -1)"
    [[ -n "$built" ]] || { echo "the build produced no lib$target.so" >&2; exit 1; }
    check_imports "$built"
    cp -L "$built" "$out/lib$target.so"
  done
  cp "$source_dir/LICENSE" "$out/LICENSE" 2>/dev/null || true
  echo "source commit $commit, all x86-64 variants, $(${CXX:-c++} --version | head -1), checked against $packaged" > "$out/BUILD-INFO"
  echo "done: $out (${#targets[@]} variants; zen4 has $(vnni_count "$out/libggml-cpu-zen4.so" 2>/dev/null || echo 0) VNNI/BF16 instructions)"
  echo "run the server with: Model__CpuVariantsDirectory=$out"
  exit 0
fi

echo "building libggml-cpu with $jobs jobs (a few minutes)"
cmake --build "$build" --target ggml-cpu -j "$jobs" > "$build/build.log" 2>&1 || { tail -40 "$build/build.log" >&2; exit 1; }
built="$(find "$build" -name 'libggml-cpu.so' | head -1)"
[[ -n "$built" ]] || { echo "the build produced no libggml-cpu.so" >&2; exit 1; }
check_imports "$built"

rm -rf "$out"
mkdir -p "$out"
cp "$packaged"/*.so "$out"/
cp -L "$built" "$out/libggml-cpu.so"
# A source tree that versions its sonames links the backend to libggml-base.so.0: point that name at the packaged one.
for needed in $(readelf -d "$out/libggml-cpu.so" | sed -n 's/.*NEEDED.*\[\(libggml[^]]*\)\].*/\1/p'); do
  [[ -e "$out/$needed" ]] || ln -s libggml-base.so "$out/$needed"
done
runpath="$(readelf -d "$out/libggml-cpu.so" | sed -n 's/.*RUNPATH.*\[\(.*\)\].*/\1/p')"
[[ "$runpath" == '$ORIGIN'* ]] || { echo "unexpected RUNPATH '$runpath' in libggml-cpu.so (want \$ORIGIN)" >&2; exit 1; }

echo "source commit $commit, -march=$march, packaged libraries from $packaged" > "$out/BUILD-INFO"
echo "done: $out ($(vnni_count "$out/libggml-cpu.so") VNNI/BF16 instructions)"
echo "run the server with: Model__NativeLibraryDirectory=$out"
