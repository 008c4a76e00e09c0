#!/usr/bin/env bash
# Builds llama.cpp's CPU backend (libggml-cpu) for one instruction set and assembles a directory the server loads
# with Model:NativeLibraryDirectory: LLamaSharp's packaged libllama / libggml / libggml-base / libmtmd beside the
# newly compiled libggml-cpu.
#
# Why: LLamaSharp ships four x86 CPU variants (noavx, avx, avx2, avx512). Its avx512 build has no AVX512-VNNI,
# AVX-VNNI or BF16 code, which llama.cpp uses for quantized matrix products when compiled for the machine; on such
# a CPU a prompt prefills ~20 % slower than with llama-server built natively (docs/performance.md).
#
# usage: docker/build-cpu-backend.sh --source LLAMA_CPP_DIR --out DIR [--march native|ARCH] [--packaged DIR] [--jobs N]
#   --source    a llama.cpp source tree. Use the commit LLamaSharp 0.30 binds (815a2a5915f22ce6a760c676389c5dfe8535c08f,
#               build b10221): git clone https://github.com/ggml-org/llama.cpp && git -C llama.cpp checkout 815a2a59...
#               Only ggml's CPU backend is compiled; the script checks that its imports are all exported by the
#               packaged libggml-base and refuses the result otherwise.
#   --out       the directory to create (set Model__NativeLibraryDirectory to it).
#   --march     native (default: this machine; do not copy the result to other CPUs) or a GCC -march value such as
#               x86-64-v3, x86-64-v4, znver4, sapphirerapids (for an image that runs on a known fleet).
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
[[ -n "$source_dir" && -n "$out" ]] || { echo "usage: $0 --source LLAMA_CPP_DIR --out DIR [--march native|ARCH]" >&2; exit 2; }
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
else
  flags+=(-DGGML_NATIVE=OFF "-DCMAKE_C_FLAGS=-march=$march" "-DCMAKE_CXX_FLAGS=-march=$march")
fi
echo "configuring ggml's CPU backend from $source_dir (-march=$march)"
cmake -S "$source_dir" -B "$build" "${flags[@]}" > "$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
echo "building libggml-cpu with $jobs jobs (a few minutes)"
cmake --build "$build" --target ggml-cpu -j "$jobs" > "$build/build.log" 2>&1 || { tail -40 "$build/build.log" >&2; exit 1; }
built="$(find "$build" -name 'libggml-cpu.so' | head -1)"
[[ -n "$built" ]] || { echo "the build produced no libggml-cpu.so" >&2; exit 1; }

# The packaged libggml-base must export everything the new backend imports (same ggml interface).
missing="$(comm -23 <(nm -D --undefined-only "$built" | awk '{print $2}' | grep -v '@' | grep -E '^(ggml|gguf)' | sort -u) \
                    <(nm -D --defined-only "$packaged/libggml-base.so" | awk '{print $3}' | sort -u))"
if [[ -n "$missing" ]]; then
  echo "this llama.cpp source's CPU backend needs symbols the packaged libggml-base lacks (use the commit LLamaSharp binds):" >&2
  echo "$missing" >&2
  exit 1
fi

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

commit="$(git -C "$source_dir" rev-parse HEAD 2>/dev/null || echo unknown)"
echo "source commit $commit, -march=$march, packaged libraries from $packaged" > "$out/BUILD-INFO"
echo "done: $out ($(grep -c . <(objdump -d --no-show-raw-insn "$out/libggml-cpu.so" | grep -E 'vpdpbusd|vdpbf16ps')) VNNI/BF16 instructions)"
echo "run the server with: Model__NativeLibraryDirectory=$out"
