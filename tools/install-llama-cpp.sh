#!/usr/bin/env bash
# Installs llama-cpp-python into the given Python environment from a wheel built once and kept
# outside the repository. The one build of llama.cpp: `make setup` and `make package` use it.
#
# llama-cpp-python ships only a source package. This build uses ggml's dynamically loaded
# backends (GGML_BACKEND_DL): the CPU code is built for every x86-64 level
# (GGML_CPU_ALL_VARIANTS, one libggml-cpu-<variant>.so each) and ggml loads the best one this
# processor supports at run time; GPUs get the Vulkan backend (libggml-vulkan.so), which loads
# only where a Vulkan loader is installed and finds a card. The app loads the modules from
# llama_cpp/lib (assistant_builder/core/engine/backends.py): llama-cpp-python would look only
# beside the Python executable and in the current folder.
#
# AMX: ggml ranks the variants by what CPUID reports, so a CPU that reports AMX gets the
# "sapphirerapids" variant, whose AMX matrix kernels crash on the first prompt
# (ggml_backend_amx_mul_mat; llama.cpp issue 20824, closed without a fix). That one module is
# left out of the wheel; such CPUs get the best AVX-512 variant instead.
#
# Build needs (Debian): build-essential cmake, and for Vulkan the packages that `make build-deps`
# installs as root (libvulkan-dev glslc spirv-headers, and libvulkan1 to run); at run time a
# card also needs its Vulkan driver (mesa-vulkan-drivers for AMD and Intel, NVIDIA's own).
# This script installs nothing into the system.
# Options (environment or make variables):
#   LLAMA_CPP_VULKAN=auto|on|off  auto (the default): the Vulkan module is taken from the build
#                                 cache, or built when cmake, glslc, libvulkan-dev and
#                                 spirv-headers are there (headers too old are replaced by
#                                 Debian 13's, fetched into the cache), otherwise left out
#                                 with a note
#   LLAMA_CPP_VULKAN_HEADERS=DIR  an include folder with Vulkan headers 1.3.261 or newer
#                                 (instead of the system's or the fetched ones)
#   LLAMA_CPP_CUDA=on             adds the CUDA backend module; needs the CUDA toolkit with
#                                 cuBLAS (nvcc alone is not enough) and takes long to build
#   LLAMA_CPP_CMAKE_ARGS="..."    replaces every flag above
# Time: the CPU build (13 variants) took 938 s on the 2-core reference machine with light
# other work (load average about 4); the old AVX2-only build took about 4 minutes. The Vulkan
# module is a build of its own (next to the wheel, not inside it), so the CPU wheel is not
# rebuilt for it: its shaders' generation plus the module took about 30 minutes under heavy
# load (8 to 15) on 2 cores; the module alone, with the shaders made, 438 s.
# GGML_BACKEND_DIR puts the modules into the wheel's llama_cpp/lib. It must be typed STRING: as
# a PATH, CMake makes it absolute in the unpacked sources, and the modules miss the wheel.
set -euo pipefail
PY="${1:?usage: install-llama-cpp.sh PATH/TO/python}"
VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
LEFT_OUT="llama_cpp/lib/libggml-cpu-sapphirerapids.so"

BUILD_ROOT="${ASSISTANT_BUILDER_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/assistant-builder-build}"
# The Vulkan module's cache, keyed by version and flags. It is looked up first: a module built
# before needs neither build tools nor headers.
VK_FLAGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU=OFF -DGGML_VULKAN=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON"
VK_KEY=$(printf '%s %s' "$VERSION" "$VK_FLAGS" | sha256sum | cut -c1-12)
VK_CACHE="$BUILD_ROOT/ggml-vulkan-$VERSION-$VK_KEY"

# The Vulkan headers must be 1.3.261 or newer (this llama.cpp uses VK_EXT_layer_settings):
# Debian 13 and Ubuntu 24.04 have them. Where the system's are older (Debian 12) and
# LLAMA_CPP_VULKAN_HEADERS is not given, Debian 13's libvulkan-dev is fetched from the Debian
# archive this machine's apt uses (a private sources list and state under the build cache,
# checked with the system's Debian keyring) and unpacked there with dpkg -x; nothing is installed.
VK_INCLUDE="${LLAMA_CPP_VULKAN_HEADERS:-/usr/include}"
VK_MISSING="the packages cmake libvulkan-dev glslc spirv-headers"
VK_FETCHED="$BUILD_ROOT/vulkan-headers-trixie"
headers_new_enough() {
  [ -e "$1/vulkan/vulkan.hpp" ] && grep -q "define VK_EXT_layer_settings 1" "$1/vulkan/vulkan_core.h"
}
debian_mirror() {
  local found
  found=$(grep -h -o -E 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | tr -d ' ') || true
  echo "${found:-http://deb.debian.org/debian}"
}
fetch_vulkan_headers() {
  headers_new_enough "$VK_FETCHED/usr/include" && return 0
  command -v apt-get >/dev/null && command -v dpkg >/dev/null && [ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || return 1
  echo "Fetching Vulkan headers new enough for llama.cpp (Debian 13's libvulkan-dev) into $BUILD_ROOT…"
  mkdir -p "$BUILD_ROOT"
  local apt
  apt=$(mktemp -d "$BUILD_ROOT/.apt-XXXXXX")
  mkdir -p "$apt/lists/partial" "$apt/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) trixie main" >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt" -o "Dir::Cache::Archives=$apt/archives"
    -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
  if apt-get "${opts[@]}" -qq update >"$apt/apt.log" 2>&1 &&
    (cd "$apt" && apt-get "${opts[@]}" -qq download libvulkan-dev >>"$apt/apt.log" 2>&1); then
    rm -rf "$VK_FETCHED.part"
    dpkg -x "$apt"/libvulkan-dev_*.deb "$VK_FETCHED.part" && rm -rf "$VK_FETCHED" && mv "$VK_FETCHED.part" "$VK_FETCHED"
  fi
  rm -rf "$apt"
  headers_new_enough "$VK_FETCHED/usr/include"
}
vulkan_buildable() {
  command -v cmake >/dev/null && command -v glslc >/dev/null && [ -e /usr/include/spirv/unified1/spirv.hpp ] &&
    [ -e /usr/include/vulkan/vulkan.h ] || return 1
  headers_new_enough "$VK_INCLUDE" && return 0
  if [ -z "${LLAMA_CPP_VULKAN_HEADERS:-}" ] && fetch_vulkan_headers; then
    VK_INCLUDE="$VK_FETCHED/usr/include"
    return 0
  fi
  VK_MISSING="Vulkan headers 1.3.261 or newer (LLAMA_CPP_VULKAN_HEADERS; $VK_INCLUDE has older ones)"
  return 1
}
vulkan_ready() {
  [ -e "$VK_CACHE/libggml-vulkan.so" ] || vulkan_buildable
}

FLAGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_BACKEND_DIR:STRING=llama_cpp/lib"
# x86-64: every variant. Elsewhere one portable CPU module (ARM variants are untried here).
if [ "$(uname -m)" = "x86_64" ]; then
  FLAGS="$FLAGS -DGGML_CPU_ALL_VARIANTS=ON"
fi
VULKAN=off
case "${LLAMA_CPP_VULKAN:-auto}" in
  on)
    vulkan_ready || {
      echo "The Vulkan backend needs $VK_MISSING; install them or set LLAMA_CPP_VULKAN=off." >&2
      exit 1
    }
    VULKAN=on ;;
  auto)
    if vulkan_ready; then
      VULKAN=on
    else
      echo "Note: building llama.cpp without graphics card support (Vulkan): it needs $VK_MISSING." >&2
    fi ;;
  off) ;;
  *) echo "LLAMA_CPP_VULKAN must be auto, on or off." >&2; exit 1 ;;
esac
if [ "${LLAMA_CPP_CUDA:-off}" = "on" ]; then
  FLAGS="$FLAGS -DGGML_CUDA=ON"
fi
FLAGS="${LLAMA_CPP_CMAKE_ARGS:-$FLAGS}"
# The key names everything that changes the wheel: version, flags, and the module left out.
KEY=$(printf '%s %s without %s' "$VERSION" "$FLAGS" "$LEFT_OUT" | sha256sum | cut -c1-12)
CACHE="$BUILD_ROOT/llama-cpp-python-$VERSION-$KEY"

if ! ls "$CACHE"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "Building llama.cpp for every processor (once; it takes a long time on few cores)…"
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "$CACHE/.build-XXXXXX")
  CMAKE_ARGS="$FLAGS" "$PY" -m pip wheel --quiet --no-deps --no-cache-dir \
    --wheel-dir "$tmp" "llama-cpp-python==$VERSION"
  "$PY" - "$tmp"/llama_cpp_python-*.whl "$LEFT_OUT" <<'EOF'
import sys, zipfile
from pathlib import Path

wheel, left_out = Path(sys.argv[1]), sys.argv[2]
out = wheel.with_suffix(".tmp")
with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        if item.filename == left_out:
            continue
        data = src.read(item)
        if item.filename.endswith(".dist-info/RECORD"):
            lines = data.decode().splitlines(keepends=True)
            data = "".join(l for l in lines if not l.startswith(left_out + ",")).encode()
        dst.writestr(item, data)
out.replace(wheel)
EOF
  mv "$tmp"/llama_cpp_python-*.whl "$CACHE/"
  rmdir "$tmp"
fi
# --force-reinstall: replace a same-version build that pip may have made with other flags.
"$PY" -m pip install --quiet --force-reinstall --no-deps "$CACHE"/llama_cpp_python-*.whl
# Then llama-cpp-python's own dependencies (numpy, jinja2, diskcache, typing-extensions).
"$PY" -m pip install --quiet "$CACHE"/llama_cpp_python-*.whl
# The Vulkan backend is one more loadable module, built on its own from the same llama.cpp
# sources with the same ggml options (so the CPU wheel above is not rebuilt for it) and put
# beside the CPU modules; ggml loads it only where a Vulkan loader finds a graphics card.
if [ "$VULKAN" = on ] && [ -z "${LLAMA_CPP_CMAKE_ARGS:-}" ]; then
  if [ ! -e "$VK_CACHE/libggml-vulkan.so" ]; then
    echo "Building llama.cpp's graphics card module (Vulkan; once, it takes a long time on few cores)…"
    started=$SECONDS
    mkdir -p "$VK_CACHE"
    tmp=$(mktemp -d "$VK_CACHE/.build-XXXXXX")
    "$PY" -m pip download --quiet --no-deps --no-binary :all: --dest "$tmp" "llama-cpp-python==$VERSION"
    tar -xzf "$tmp"/llama_cpp_python-*.tar.gz -C "$tmp"
    src=$(echo "$tmp"/llama_cpp_python-*/vendor/llama.cpp)
    # shellcheck disable=SC2086  # the flags are words
    cmake -S "$src" -B "$tmp/build" $VK_FLAGS -DVulkan_INCLUDE_DIR="$VK_INCLUDE" -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
      -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF >"$tmp/cmake.log"
    cmake --build "$tmp/build" --target ggml-vulkan -j"$(nproc)" >"$tmp/build.log"
    cp "$(find "$tmp/build" -name libggml-vulkan.so -print -quit)" "$VK_CACHE/libggml-vulkan.so.part"
    mv "$VK_CACHE/libggml-vulkan.so.part" "$VK_CACHE/libggml-vulkan.so"
    echo "The Vulkan module took $((SECONDS - started)) s to build (kept in $VK_CACHE)."
    rm -rf "$tmp"
  fi
  LIB=$("$PY" -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("llama_cpp").origin).parent / "lib")')
  cp "$VK_CACHE/libggml-vulkan.so" "$LIB/"
fi
