# Shared by the scripts that run Intel's installed sample programs (onevpl-tools) on libvplrs.so
# (sourced, not run). Usage: samples_lib.sh PROGRAM NAME "$@" — with the script's LIB_DIR
# [WORK_DIR] arguments: sets lib_dir, work (made and entered) and min_psnr (VPLRS_MIN_PSNR,
# default 35 dB), points the dispatcher at the library, and provides skip/fail; skips (exit 77)
# when ffmpeg or PROGRAM is missing.
program=$1 name=$2
shift 2
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }
lib_dir=$(cd "${1:?usage: $name LIB_DIR [WORK_DIR]}" && pwd)
work=${2:-$(mktemp -d "/tmp/vplrs-$name.XXXXXX")}
min_psnr=${VPLRS_MIN_PSNR:-35}
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed"
command -v "$program" >/dev/null || skip "$program is not installed (onevpl-tools)"
export ONEVPL_SEARCH_PATH=$lib_dir
mkdir -p "$work"
cd "$work"
