#!/usr/bin/env bash
# Installs every system package vplrs needs on a fresh Debian 12 machine (run as root).
# Idempotent: re-running only checks that the packages are present.
set -euo pipefail

packages=(
  build-essential pkg-config cmake clang libclang-dev   # C toolchain, bindgen
  ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev  # codecs, reference conversions
  libvpl-dev onevpl-tools                               # oneVPL headers, dispatcher, Intel tools
  vpx-tools                                             # vpxenc/vpxdec: VP8 reference
  valgrind
  pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev opencl-headers clinfo  # OpenCL sharing on the CPU
  mesa-vulkan-drivers libvulkan1 libvulkan-dev vulkan-tools                      # Vulkan sharing (lavapipe)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
