#!/usr/bin/env bash
# Runs Intel's encoding programs, unmodified, on libvplrs.so through Intel's dispatcher:
#   hello-encode -sw (2.x, surfaces from MFXMemory_GetSurfaceForEncode) and legacy-encode -sw (1.x,
#   application surfaces) on an I420 test pattern, and sample_encode {h265,h264} -sw (onevpl-tools);
#   hello-transcode -sw (MJPEG decode -> H.265 encode, decoder initialised by DecodeFrameAsync) and
#   sample_multi_transcode (one H.264 -> H.265 job, -sw).
# Each output stream must decode with ffmpeg to every input frame, at VPLRS_MIN_PSNR (default 30 dB)
# or more against the source (for transcodes: ffmpeg's decode of the input stream).
#
# Usage: run_intel_encode_examples.sh LIB_DIR [WORK_DIR]
# Exit status: 0 pass, 1 failure, 77 skipped (cmake, a compiler, ffmpeg or the examples missing).
set -euo pipefail

lib_dir=$(cd "${1:?usage: run_intel_encode_examples.sh LIB_DIR [WORK_DIR]}" && pwd)
work=${2:-$(mktemp -d /tmp/vplrs-encode-examples.XXXXXX)}
examples=/usr/share/vpl/examples
min_psnr=${VPLRS_MIN_PSNR:-30}
width=320
height=240
frames=30

# shellcheck source=examples_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/examples_lib.sh"
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed"
build hello/hello-encode
build coreAPI/legacy-encode
build hello/hello-transcode

ffmpeg -v error -f lavfi -i "testsrc2=size=${width}x${height}:rate=30" -frames:v $frames -pix_fmt yuv420p \
  -f rawvideo -y in.i420

# check_stream NAME FILE FORMAT [SOURCE]: every frame decodes, PSNR against SOURCE (default in.i420,
# I420 frames of the test size) at least min_psnr.
check_stream() {
  local name=$1 file=$2 format=$3 source=${4:-in.i420} size line psnr
  [ -s "$file" ] || fail "$name wrote no stream"
  ffmpeg -v error -f "$format" -i "$file" -f rawvideo -pix_fmt yuv420p -y "$name.yuv" \
    || fail "$name: ffmpeg cannot decode $file"
  size=$(stat -c %s "$name.yuv")
  [ "$size" = "$((width * height * 3 / 2 * frames))" ] || fail "$name: $file decodes to $size bytes, not $frames frames"
  line=$(ffmpeg -hide_banner -f rawvideo -pix_fmt yuv420p -s ${width}x${height} -i "$name.yuv" \
    -f rawvideo -pix_fmt yuv420p -s ${width}x${height} -i "$source" -lavfi "[0:v][1:v]psnr" -f null - 2>&1 \
    | grep "PSNR" | tail -1)
  psnr=$(sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' <<<"$line")
  [ -n "$psnr" ] || fail "$name: no PSNR measured"
  awk -v p="$psnr" -v m="$min_psnr" 'BEGIN { exit !(p == "inf" || p + 0 >= m + 0) }' \
    || fail "$name: PSNR $psnr dB against the source is below $min_psnr dB"
  echo "PASS $name: $frames frames, $(stat -c %s "$file") bytes, PSNR $psnr dB against the source"
}

for name in hello-encode legacy-encode; do
  rm -f out.h265
  "./build/$name/$name" -sw -i in.i420 -w $width -h $height >"$name.txt" 2>&1 || { cat "$name.txt"; fail "$name"; }
  grep -q "Encoded $frames frames" "$name.txt" || { cat "$name.txt"; fail "$name did not encode $frames frames"; }
  check_stream "$name" out.h265 hevc
done

if command -v sample_encode >/dev/null; then
  for codec in h265 h264; do
    format=$([ $codec = h265 ] && echo hevc || echo h264)
    sample_encode $codec -sw -i in.i420 -o "sample-$codec.bin" -w $width -h $height >"sample_encode-$codec.txt" 2>&1 \
      || { cat "sample_encode-$codec.txt"; fail "sample_encode $codec"; }
    grep -q "Frame number: $frames" "sample_encode-$codec.txt" \
      || { cat "sample_encode-$codec.txt"; fail "sample_encode $codec did not encode $frames frames"; }
    check_stream "sample_encode-$codec" "sample-$codec.bin" "$format"
  done
else
  echo "sample_encode not installed (onevpl-tools): not run"
fi
# --- hello-transcode: an MJPEG elementary stream to H.265 in one session (JPEG's samples are taken
#     as they are: the reference is ffmpeg's yuvj420p decode of the input).
ffmpeg -v error -f lavfi -i "testsrc2=size=${width}x${height}:rate=30" -frames:v $frames -c:v mjpeg -q:v 3 \
  -pix_fmt yuvj420p -f mjpeg -y in.mjpeg
ffmpeg -v error -i in.mjpeg -f rawvideo -pix_fmt yuvj420p -y ref-mjpeg.i420
rm -f out.h265
./build/hello-transcode/hello-transcode -sw -i in.mjpeg >hello-transcode.txt 2>&1 \
  || { cat hello-transcode.txt; fail "hello-transcode"; }
grep -q "Transcoded $frames frames" hello-transcode.txt || { cat hello-transcode.txt; fail "hello-transcode did not transcode $frames frames"; }
check_stream hello-transcode out.h265 hevc ref-mjpeg.i420

# --- sample_multi_transcode: one H.264 -> H.265 job in software.
if command -v sample_multi_transcode >/dev/null; then
  ffmpeg -v error -f lavfi -i "testsrc2=size=${width}x${height}:rate=30" -frames:v $frames -c:v libx264 -bf 3 \
    -pix_fmt yuv420p -f h264 -y in.h264
  ffmpeg -v error -i in.h264 -f rawvideo -pix_fmt yuv420p -y ref-h264.i420
  echo "-i::h264 in.h264 -o::h265 smt.h265 -sw" >smt.par
  sample_multi_transcode -par smt.par >sample_multi_transcode.txt 2>&1 \
    || { cat sample_multi_transcode.txt; fail "sample_multi_transcode"; }
  grep -q "PASSED (MFX_ERR_NONE).* $frames frames" sample_multi_transcode.txt \
    || { cat sample_multi_transcode.txt; fail "sample_multi_transcode did not transcode $frames frames"; }
  check_stream sample_multi_transcode smt.h265 hevc ref-h264.i420
else
  echo "sample_multi_transcode not installed (onevpl-tools): not run"
fi
echo "ALL PASSED"
