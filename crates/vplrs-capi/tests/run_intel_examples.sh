#!/usr/bin/env bash
# Runs Intel's own oneVPL programs, unmodified, on libvplrs.so through Intel's dispatcher:
#   vpl-inspect, hello-createsession -sw, hello-vpp -sw, legacy-vpp -sw (the last two also under
#   valgrind when it is installed), checking out.raw against ffmpeg's conversion of the same input;
#   hello-decode -sw and legacy-decode -sw on an H.265 stream libx265 makes now (B-frames, a size
#   that is no multiple of 16), whose out.raw must equal ffmpeg's own decode byte for byte; and the
#   same two examples copied with MFX_CODEC_HEVC replaced by MFX_CODEC_AVC on an x264 stream, and
#   by MFX_CODEC_JPEG on an MJPEG elementary stream;
#   hello-decvpp -sw (decode + two VPP channels, also under valgrind) on an H.265 stream, whose
#   decoder channel must equal ffmpeg's decode byte for byte and whose VPP channels (I420 640x480,
#   BGRA 128x96) must reach VPLRS_MIN_PSNR against ffmpeg's scaling of the same stream.
#
# Usage: run_intel_examples.sh LIB_DIR [WORK_DIR]
#   LIB_DIR   the directory holding libvplrs.so (becomes ONEVPL_SEARCH_PATH)
#   WORK_DIR  where to build the examples and run them (default: a new temporary directory)
# Environment: VPLRS_VALGRIND=0 skips the valgrind runs; VPLRS_MIN_PSNR (default 30) is the PSNR
# (dB, average over all frames) out.raw must reach against ffmpeg.
# Exit status: 0 pass, 1 failure, 77 skipped (cmake, a compiler, or the examples are missing).
set -euo pipefail

lib_dir=$(cd "${1:?usage: run_intel_examples.sh LIB_DIR [WORK_DIR]}" && pwd)
work=${2:-$(mktemp -d /tmp/vplrs-examples.XXXXXX)}
examples=/usr/share/vpl/examples
min_psnr=${VPLRS_MIN_PSNR:-30}
width=320
height=240
frames=30

# shellcheck source=examples_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/examples_lib.sh"
build hello/hello-createsession
build hello/hello-vpp
build coreAPI/legacy-vpp
build hello/hello-decode
build coreAPI/legacy-decode
build hello/hello-decvpp

# --- vpl-inspect lists vplrs with its VPP capabilities
if command -v vpl-inspect >/dev/null; then
  vpl-inspect >inspect.txt 2>&1 || fail "vpl-inspect exited with $?"
  grep -q "ImplName: vplrs" inspect.txt || { cat inspect.txt; fail "vpl-inspect does not list vplrs"; }
  grep -q "FilterFourCC: VSCL" inspect.txt || fail "vpl-inspect shows no scaling filter"
  grep -q "FilterFourCC: VCSC" inspect.txt || fail "vpl-inspect shows no colour conversion filter"
  grep -q "MFX_RESOURCE_SYSTEM_SURFACE" inspect.txt || fail "vpl-inspect shows no system memory"
  grep -q "CodecID: HEVC" inspect.txt || { cat inspect.txt; fail "vpl-inspect shows no HEVC decoder"; }
  for codec in AVC VP9 AV1 JPEG; do
    grep -q "CodecID: $codec" inspect.txt || fail "vpl-inspect shows no $codec decoder"
  done
  grep -q "MFX_PROFILE_HEVC_MAIN10" inspect.txt || fail "vpl-inspect shows no HEVC Main10 profile"
  echo "PASS vpl-inspect lists vplrs (VSCL, VCSC, HEVC, AVC, VP9, AV1 and JPEG decoders, system memory)"
else
  echo "vpl-inspect not installed (onevpl-tools): not checked"
fi

# --- hello-createsession
./build/hello-createsession/hello-createsession -sw >createsession.txt 2>&1 || { cat createsession.txt; fail "hello-createsession"; }
grep -q "libvplrs.so" createsession.txt || { cat createsession.txt; fail "hello-createsession did not load vplrs"; }
echo "PASS hello-createsession -sw"

# --- input: a moving test pattern, I420
if command -v ffmpeg >/dev/null; then
  ffmpeg -v error -f lavfi -i "testsrc2=size=${width}x${height}:rate=30" -frames:v $frames -pix_fmt yuv420p \
    -f rawvideo -y in.i420
  ffmpeg -v error -f rawvideo -pix_fmt yuv420p -s ${width}x${height} -i in.i420 \
    -vf scale=640:480:flags=bilinear -f rawvideo -pix_fmt bgra -y ref.bgra
else
  head -c $((width * height * 3 / 2 * frames)) /dev/urandom >in.i420
fi
expected=$((640 * 480 * 4 * frames))

check_output() {
  local name=$1 size
  size=$(stat -c %s out.raw)
  [ "$size" = "$expected" ] || fail "$name wrote $size bytes, expected $expected ($frames frames of 640x480 BGRA)"
  if [ -f ref.bgra ]; then
    local line psnr
    line=$(ffmpeg -hide_banner -f rawvideo -pix_fmt bgra -s 640x480 -i out.raw -f rawvideo -pix_fmt bgra -s 640x480 \
      -i ref.bgra -lavfi "[0:v][1:v]psnr" -f null - 2>&1 | grep "PSNR" | tail -1)
    psnr=$(sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' <<<"$line")
    echo "$name: $line"
    [ -n "$psnr" ] || fail "$name: no PSNR measured"
    awk -v p="$psnr" -v m="$min_psnr" 'BEGIN { exit !(p == "inf" || p + 0 >= m + 0) }' \
      || fail "$name: PSNR $psnr dB against ffmpeg is below $min_psnr dB"
    echo "PASS $name: $frames frames, PSNR $psnr dB against ffmpeg (minimum $min_psnr)"
  else
    echo "PASS $name: $frames frames (ffmpeg not installed: PSNR not measured)"
  fi
}

run_vpp() {
  local name=$1
  rm -f out.raw
  "./build/$name/$name" -sw -i in.i420 -w $width -h $height >"$name.txt" 2>&1 || { cat "$name.txt"; fail "$name"; }
  grep -q "Processed $frames frames" "$name.txt" || { cat "$name.txt"; fail "$name did not process $frames frames"; }
  check_output "$name"
  cp out.raw "$name.raw"
}
run_vpp hello-vpp
run_vpp legacy-vpp
cmp -s hello-vpp.raw legacy-vpp.raw || fail "hello-vpp and legacy-vpp outputs differ"
echo "PASS hello-vpp (runtime surfaces) and legacy-vpp (application surfaces) produce identical frames"

# --- H.265 decode: hello-decode (2.x, decode pool) and legacy-decode (1.x, application surfaces)
encoders=$(command -v ffmpeg >/dev/null && ffmpeg -hide_banner -encoders 2>/dev/null || true)
if grep -q libx265 <<<"$encoders"; then
  ffmpeg -v error -f lavfi -i "testsrc2=size=318x238:rate=30" -frames:v 40 -c:v libx265 \
    -x265-params log-level=none:bframes=4 -pix_fmt yuv420p -f hevc -y in.h265
  ffmpeg -v error -i in.h265 -f rawvideo -pix_fmt yuv420p -y ref-h265.yuv
  for name in hello-decode legacy-decode; do
    rm -f out.raw
    "./build/$name/$name" -sw -i in.h265 >"$name.txt" 2>&1 || { cat "$name.txt"; fail "$name"; }
    grep -q "Decoded 40 frames" "$name.txt" || { cat "$name.txt"; fail "$name did not decode 40 frames"; }
    cmp -s out.raw ref-h265.yuv || fail "$name: out.raw differs from ffmpeg's decode of in.h265"
    echo "PASS $name -sw: 40 frames of 318x238 H.265 (B-frames) bit-exact with ffmpeg"
  done
else
  echo "ffmpeg with libx265 not installed: hello-decode and legacy-decode not run"
fi

# --- hello-decvpp: one DECODE_VPP session, three outputs per picture (the decoder's channel 0,
#     channel 1 I420 640x480, channel 2 BGRA 128x96), drained with a NULL bitstream.
#     dec_out.raw must equal ffmpeg's decode; the VPP channels are compared (PSNR, all frames) with
#     ffmpeg scaling the decoded pictures (swscale bilinear): I420 as it is, BGRA scaled and
#     converted in one step, as VPP does it (chroma resampled to half the width and the full
#     height). The two-step path (scale in 4:2:0, then convert) is printed for information.
psnr_of() { # FORMAT SIZE OUT REF -> the average PSNR (dB) over all frames
  ffmpeg -hide_banner -f rawvideo -pix_fmt "$1" -s "$2" -i "$3" -f rawvideo -pix_fmt "$1" -s "$2" -i "$4" \
    -lavfi "[0:v][1:v]psnr" -f null - 2>&1 | grep "PSNR" | tail -1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p'
}
check_psnr() { # NAME FORMAT SIZE OUT REF
  local psnr
  psnr=$(psnr_of "$2" "$3" "$4" "$5")
  [ -n "$psnr" ] || fail "$1: no PSNR measured"
  awk -v p="$psnr" -v m="$min_psnr" 'BEGIN { exit !(p == "inf" || p + 0 >= m + 0) }' \
    || fail "$1: PSNR $psnr dB against ffmpeg is below $min_psnr dB"
  echo "PASS $1: PSNR $psnr dB against ffmpeg (minimum $min_psnr)"
}
if grep -q libx265 <<<"$encoders"; then
  mkdir -p decvpp
  (
    cd decvpp
    dv_frames=30
    ffmpeg -v error -f lavfi -i "testsrc2=size=320x240:rate=30" -frames:v $dv_frames -c:v libx265 \
      -x265-params log-level=none:bframes=4 -pix_fmt yuv420p -f hevc -y in.265
    ffmpeg -v error -i in.265 -f rawvideo -pix_fmt yuv420p -y ref-dec.yuv
    ffmpeg -v error -i in.265 -vf scale=640:480:flags=bilinear -f rawvideo -pix_fmt yuv420p -y ref-640x480.yuv
    ffmpeg -v error -i in.265 -vf scale=128:96:flags=bilinear,format=yuv420p -f rawvideo -pix_fmt bgra \
      -y ref-128x96.bgra
    ffmpeg -v error -i in.265 -vf scale=128:96:flags=bilinear -f rawvideo -pix_fmt bgra -y ref-128x96-direct.bgra
    ../build/hello-decvpp/hello-decvpp -sw -i in.265 >hello-decvpp.txt 2>&1 \
      || { cat hello-decvpp.txt; fail "hello-decvpp"; }
    grep -q "libvplrs.so" hello-decvpp.txt || { cat hello-decvpp.txt; fail "hello-decvpp did not load vplrs"; }
    grep -q "Decode and VPP processed $dv_frames frames" hello-decvpp.txt \
      || { cat hello-decvpp.txt; fail "hello-decvpp did not process $dv_frames frames"; }
    for f in "dec_out.raw $((320 * 240 * 3 / 2 * dv_frames))" "vpp_640x480_out.raw $((640 * 480 * 3 / 2 * dv_frames))" \
      "vpp_128x96_out.raw $((128 * 96 * 4 * dv_frames))"; do
      set -- $f
      size=$(stat -c %s "$1")
      [ "$size" = "$2" ] || fail "hello-decvpp wrote $size bytes to $1, expected $2 ($dv_frames frames)"
    done
    cmp -s dec_out.raw ref-dec.yuv || fail "hello-decvpp: dec_out.raw differs from ffmpeg's decode of in.265"
    echo "PASS hello-decvpp -sw: $dv_frames frames of 320x240 H.265 (B-frames), channel 0 bit-exact with ffmpeg"
    check_psnr "hello-decvpp channel 1 (I420 640x480)" yuv420p 640x480 vpp_640x480_out.raw ref-640x480.yuv
    check_psnr "hello-decvpp channel 2 (BGRA 128x96)" bgra 128x96 vpp_128x96_out.raw ref-128x96-direct.bgra
    echo "info: hello-decvpp channel 2 against swscale scaling in 4:2:0, then converting:" \
      "$(psnr_of bgra 128x96 vpp_128x96_out.raw ref-128x96.bgra) dB"
    if [ "${VPLRS_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
      # hello-decvpp never calls MFXClose: the dispatcher's own session object is lost at
      # MFXUnload. No definitely-lost block may have libvplrs in its allocation stack.
      valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=none --error-exitcode=99 \
        ../build/hello-decvpp/hello-decvpp -sw -i in.265 >hello-decvpp.valgrind.txt 2>&1 \
        || { tail -60 hello-decvpp.valgrind.txt; fail "hello-decvpp under valgrind (invalid access)"; }
      if awk '/definitely lost in loss record/ { block = 1 } block && /vplrs/ { found = 1 } /^==[0-9]+== $/ { block = 0 }
        END { exit !found }' hello-decvpp.valgrind.txt; then
        tail -60 hello-decvpp.valgrind.txt
        fail "hello-decvpp: memory allocated by libvplrs definitely lost"
      fi
      cmp -s dec_out.raw ref-dec.yuv || fail "hello-decvpp under valgrind: dec_out.raw differs"
      echo "PASS hello-decvpp under valgrind memcheck: no errors, nothing of libvplrs definitely lost"
    fi
  ) || exit 1
else
  echo "ffmpeg with libx265 not installed: hello-decvpp not run"
fi

# --- Other codecs through the same C path: the examples are hard-wired to HEVC, so a copy of each
#     with MFX_CODEC_HEVC replaced (nothing else changed) decodes an x264 stream (AVC) and an MJPEG
#     elementary stream (JPEG, compared with ffmpeg's yuvj420p decode).
run_copies() {
  local codec=$1 tag=$2 input=$3 reference=$4 frames=$5 src name
  for src in hello/hello-decode coreAPI/legacy-decode; do
    name=$(basename "$src")
    rm -rf "$tag-src-$name"
    cp -r "$examples/$src" "$tag-src-$name"
    rm -rf "$tag-src-$name/build"
    sed -i "s/MFX_CODEC_HEVC/MFX_CODEC_$codec/g" "$tag-src-$name"/src/*.cpp
    cmake -S "$tag-src-$name" -B "build/$tag-$name" -DLIBVA_SUPPORT=OFF -DCMAKE_BUILD_TYPE=Release \
      >"build-$tag-$name.log" 2>&1 || { cat "build-$tag-$name.log"; fail "cmake $tag $name"; }
    cmake --build "build/$tag-$name" -j 2 >>"build-$tag-$name.log" 2>&1 || { cat "build-$tag-$name.log"; fail "build $tag $name"; }
    rm -f out.raw
    "./build/$tag-$name/$name" -sw -i "$input" >"$tag-$name.txt" 2>&1 || { cat "$tag-$name.txt"; fail "$tag $name"; }
    grep -q "Decoded $frames frames" "$tag-$name.txt" || { cat "$tag-$name.txt"; fail "$tag $name did not decode $frames frames"; }
    cmp -s out.raw "$reference" || fail "$tag $name: out.raw differs from ffmpeg's decode of $input"
    echo "PASS $name (CodecId $codec) -sw: $frames frames of $input bit-exact with ffmpeg"
  done
}
if grep -q libx264 <<<"$encoders"; then
  ffmpeg -v error -f lavfi -i "testsrc2=size=318x238:rate=30" -frames:v 45 -c:v libx264 -bf 3 -g 24 \
    -pix_fmt yuv420p -f h264 -y in.h264
  ffmpeg -v error -i in.h264 -f rawvideo -pix_fmt yuv420p -y ref-h264.yuv
  run_copies AVC avc in.h264 ref-h264.yuv 45
else
  echo "ffmpeg with libx264 not installed: the H.264 copies of hello-decode and legacy-decode not run"
fi
if grep -q mjpeg <<<"$encoders"; then
  ffmpeg -v error -f lavfi -i "testsrc2=size=318x238:rate=30" -frames:v 12 -c:v mjpeg -q:v 5 -pix_fmt yuvj420p \
    -f mjpeg -y in.mjpeg
  ffmpeg -v error -i in.mjpeg -f rawvideo -pix_fmt yuvj420p -y ref-mjpeg.yuv
  run_copies JPEG jpeg in.mjpeg ref-mjpeg.yuv 12
fi

# --- valgrind: no invalid access, nothing definitely lost
if [ "${VPLRS_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
  for name in hello-vpp legacy-vpp; do
    valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
      "./build/$name/$name" -sw -i in.i420 -w $width -h $height >"$name.valgrind.txt" 2>&1 \
      || { tail -60 "$name.valgrind.txt"; fail "$name under valgrind (invalid access or definite leak)"; }
    grep -q "definitely lost: 0 bytes\|All heap blocks were freed" "$name.valgrind.txt" \
      || { tail -40 "$name.valgrind.txt"; fail "$name: memory definitely lost"; }
    echo "PASS $name under valgrind memcheck: no errors, nothing definitely lost"
  done
else
  echo "valgrind not run"
fi
echo "ALL PASSED"
