#!/usr/bin/env bash
# Install llama.cpp for the real-server test tier and the benchmarks: llama-cpp-python[server] into the
# venv, and llama.cpp's own `llama-server` into the venv's bin/ (the Python server answers one request at
# a time; llama-server batches concurrent trainees in parallel slots). Both are built once from the
# sdist and cached outside the checkout, keyed by version and flags. The flags are portable x86-64
# (AVX2/FMA, no -march=native): a native build emits AMX instructions that some VMs trap (SIGILL).
#
#     scripts/llama-cpp.sh VENV        (what `make llama-cpp` runs)
set -euo pipefail

VENV=${1:?usage: scripts/llama-cpp.sh VENV}
VERSION=0.3.36
FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
KEY="$VERSION-$(printf '%s' "$FLAGS" | sha256sum | cut -c1-10)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/interview-sim/wheels/llama-cpp-python-$KEY"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
mkdir -p "$CACHE"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

sdist() {  # the source archive, downloaded once per run
    if [ ! -f "$WORK/sdist.tar.gz" ]; then
        "${PIP[@]}" download --no-deps --no-binary llama-cpp-python "llama-cpp-python==$VERSION" -d "$WORK/dl" >&2
        mv "$WORK"/dl/llama_cpp_python-*.tar.gz "$WORK/sdist.tar.gz"
    fi
    echo "$WORK/sdist.tar.gz"
}

wheel=$(find "$CACHE" -maxdepth 1 -name "llama_cpp_python-$VERSION-*.whl" | head -n1)
if [ -z "$wheel" ]; then
    echo "llama-cpp: building the llama-cpp-python $VERSION wheel (once; 15-20 minutes on 2 cores)"
    CMAKE_ARGS="$FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
        "${PIP[@]}" wheel --no-deps "$(sdist)" -w "$WORK/wheel"
    built=$(find "$WORK/wheel" -name "llama_cpp_python-*.whl" | head -n1)
    cp "$built" "$CACHE/.incoming" && mv "$CACHE/.incoming" "$CACHE/$(basename "$built")"  # whole or absent
    wheel="$CACHE/$(basename "$built")"
fi
"${PIP[@]}" install --force-reinstall --no-deps "$wheel"
"${PIP[@]}" install "$wheel[server]"  # the server extra's dependencies (uvicorn, sse-starlette, ...)

if [ ! -x "$CACHE/llama-server" ]; then
    echo "llama-cpp: building llama-server from the llama.cpp in that sdist (once; 10-20 minutes on 2 cores)"
    tar -xzf "$(sdist)" -C "$WORK"
    # Static, so the one cached file is the whole server; no curl/OpenSSL/web UI (loopback API only).
    # shellcheck disable=SC2086
    cmake -S "$WORK/llama_cpp_python-$VERSION/vendor/llama.cpp" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release \
        $FLAGS -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF \
        -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF
    cmake --build "$WORK/build" --target llama-server -j "$(nproc)"
    install -m 755 "$WORK/build/bin/llama-server" "$CACHE/.incoming"
    mv "$CACHE/.incoming" "$CACHE/llama-server"
fi
install -m 755 "$CACHE/llama-server" "$VENV/bin/llama-server"
"$VENV/bin/llama-server" --version
"${PIP[@]}" check
