#!/usr/bin/env bash
# Installs llama-cpp-python into the given Python environment from a wheel built once with
# portable CPU flags and kept outside the repository.
#
# Why not a plain "pip install": llama-cpp-python ships only a source package, and its default
# build targets the exact CPU it is built on (GGML_NATIVE). On machines whose CPU reports AMX
# that build crashes in ggml_backend_amx_mul_mat on the first prompt. pip's own wheel cache does
# not key on CMAKE_ARGS, so we build the wheel ourselves, into a folder named after the flags.
set -euo pipefail
PY="${1:?usage: install-llama-cpp.sh PATH/TO/python}"
VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
# AVX2-class x86-64 (2013 onwards); other architectures use llama.cpp's own defaults.
if [ "$(uname -m)" = "x86_64" ]; then
  FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
else
  FLAGS="-DGGML_NATIVE=OFF"
fi
FLAGS="${LLAMA_CPP_CMAKE_ARGS:-$FLAGS}"
KEY=$(printf '%s %s' "$VERSION" "$FLAGS" | sha256sum | cut -c1-12)
CACHE="${ASSISTANT_BUILDER_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/assistant-builder-build}/llama-cpp-python-$VERSION-$KEY"

if ! ls "$CACHE"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "Building llama.cpp for this computer (once; about 4 minutes on 2 cores)…"
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "$CACHE/.build-XXXXXX")
  CMAKE_ARGS="$FLAGS" "$PY" -m pip wheel --quiet --no-deps --no-cache-dir \
    --wheel-dir "$tmp" "llama-cpp-python==$VERSION"
  mv "$tmp"/llama_cpp_python-*.whl "$CACHE/"
  rmdir "$tmp"
fi
# --force-reinstall: replace a same-version build that pip may have made with other flags.
"$PY" -m pip install --quiet --force-reinstall --no-deps "$CACHE"/llama_cpp_python-*.whl
# Then llama-cpp-python's own dependencies (numpy, jinja2, diskcache, typing-extensions).
"$PY" -m pip install --quiet "$CACHE"/llama_cpp_python-*.whl
