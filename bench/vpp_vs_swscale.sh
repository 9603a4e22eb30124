#!/usr/bin/env bash
# Frames per second of vplrs-kernels vs ffmpeg's swscale, both single-threaded, on the same
# conversions of the same synthetic 1080p NV12 frame (BT.601 limited, bilinear):
#   NV12 1920x1080 -> NV12 1280x720, NV12 1920x1080 -> RGB4 (BGRA) 1920x1080, and -> BGRA 1280x720.
# swscale is timed by a small C loop around sws_scale (libswscale-dev), so that neither side pays
# for file I/O or ffmpeg's filter graph; vplrs by crates/vplrs-kernels/examples/convert_bench.rs.
# Each side reports the median (and best) of batches of 10 frames, which keeps the figures steady
# on a machine with other load. Usage: bench/vpp_vs_swscale.sh [frames]   (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
frames="${1:-500}"

command -v pkg-config >/dev/null && pkg-config --exists libswscale libavutil ||
  { echo "libswscale-dev and pkg-config are needed (scripts/setup.sh installs them)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/sws_bench.c" <<'C'
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BATCH 10

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void run(const char *name, int frames, int dw, int dh, enum AVPixelFormat df) {
  const int sw = 1920, sh = 1080;
  uint8_t *src[4], *dst[4];
  int ss[4], ds[4];
  av_image_alloc(src, ss, sw, sh, AV_PIX_FMT_NV12, 64);
  av_image_alloc(dst, ds, dw, dh, df, 64);
  /* The same pattern as convert_bench.rs: diagonal ramps in every plane. */
  for (int y = 0; y < sh; y++)
    for (int x = 0; x < sw; x++) src[0][y * ss[0] + x] = (uint8_t)(x + y);
  for (int y = 0; y < sh / 2; y++)
    for (int x = 0; x < sw; x++) src[1][y * ss[1] + x] = (uint8_t)(x * 3 + y);
  struct SwsContext *c = sws_getContext(sw, sh, AV_PIX_FMT_NV12, dw, dh, df, SWS_BILINEAR, NULL, NULL, NULL);
  const int *bt601 = sws_getCoefficients(SWS_CS_ITU601);
  sws_setColorspaceDetails(c, bt601, 0, bt601, 0, 0, 1 << 16, 1 << 16);
  for (int i = 0; i < 10; i++) sws_scale(c, (const uint8_t *const *)src, ss, 0, sh, dst, ds);
  int batches = (frames + BATCH - 1) / BATCH;
  double *t = malloc(sizeof(double) * batches);
  for (int b = 0; b < batches; b++) {
    double t0 = now();
    for (int i = 0; i < BATCH; i++) sws_scale(c, (const uint8_t *const *)src, ss, 0, sh, dst, ds);
    t[b] = (now() - t0) / BATCH;
  }
  qsort(t, batches, sizeof(double), cmp);
  printf("swscale %-24s median %7.1f fps  best %7.1f fps  (%.3f ms/frame)\n", name, 1 / t[batches / 2], 1 / t[0],
         t[batches / 2] * 1e3);
  free(t);
  sws_freeContext(c);
  av_freep(&src[0]);
  av_freep(&dst[0]);
}

int main(int argc, char **argv) {
  int frames = argc > 1 ? atoi(argv[1]) : 500;
  const char *only = argc > 2 ? argv[2] : "";
  struct { const char *name; int w, h; enum AVPixelFormat f; } cases[] = {
      {"nv12 1080p->720p nv12", 1280, 720, AV_PIX_FMT_NV12},
      {"nv12 1080p->1080p bgra", 1920, 1080, AV_PIX_FMT_BGRA},
      {"nv12 1080p->720p bgra", 1280, 720, AV_PIX_FMT_BGRA},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (!*only || strstr(cases[i].name, only)) run(cases[i].name, frames, cases[i].w, cases[i].h, cases[i].f);
  return 0;
}
C
sed -i 's/#include <stdlib.h>/#include <stdlib.h>\n#include <string.h>/' "$work/sws_bench.c"
gcc -O2 "$work/sws_bench.c" -o "$work/sws_bench" $(pkg-config --cflags --libs libswscale libavutil)
cargo build --release -q -p vplrs-kernels --example convert_bench
ours=target/release/examples/convert_bench

echo "$(ffmpeg -hide_banner -version | head -1 | cut -d' ' -f1-3), libswscale $(pkg-config --modversion libswscale); $frames frames each, one thread"
# Alternate the two per case so that both see the same machine load.
for case in "720p nv12" "1080p bgra" "720p bgra"; do
  "$work/sws_bench" "$frames" "$case"
  "$ours" "$frames" "$case"
done
