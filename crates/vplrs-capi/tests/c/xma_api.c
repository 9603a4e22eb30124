/* The VP8 XMA interface of libvplrs.so (include/vplrs_xma.h), linked directly:
 * peek errors, every segment rule with its own code at set time, ZERO verified, guard bytes after
 * every segment untouched by decoding, dtors in reverse order, bit-exact output against the
 * .ivf.md5 files of the vectors given on the command line, bad input never crashing.
 *
 *   xma_api FILE.ivf...   (each FILE.ivf.md5 next to it) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ivf.h"
#include "md5.h"
#include "vplrs_xma.h"

#define CHECK_ERR(expr, expected)                                                                      \
    do {                                                                                               \
        vplrs_codec_err_t err_ = (expr);                                                               \
        g_checks++;                                                                                    \
        if (err_ != (expected)) {                                                                      \
            g_failures++;                                                                              \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %s\n", __FILE__, __LINE__, #expr, err_, \
                    vplrs_codec_err_to_string(err_), #expected);                                       \
        }                                                                                              \
    } while (0)

#define MAX_SEGMENTS 16
#define GUARD 64

/* The order dtors ran in. */
static unsigned int g_dtor_ids[MAX_SEGMENTS];
static int g_dtor_count = 0;

static void dtor(vplrs_codec_mmap_t *map) {
    if (g_dtor_count < MAX_SEGMENTS) g_dtor_ids[g_dtor_count] = map->id;
    g_dtor_count++;
    /* The guard bytes after the segment were never written. */
    const uint8_t *guard = (const uint8_t *)map->base + map->sz;
    for (int i = 0; i < GUARD; i++) CHECK(guard[i] == 0xa5);
    free(map->priv);
}

static size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

/* Memory for a request: aligned, zeroed, GUARD bytes of 0xa5 after sz. */
static uint8_t *segment_memory(const vplrs_codec_mmap_t *req) {
    uint8_t *p = aligned_alloc(req->align, round_up(req->sz + GUARD, req->align));
    REQUIRE(p != NULL);
    memset(p, 0, req->sz);
    memset(p + req->sz, 0xa5, GUARD);
    return p;
}

static void peek_errors(const uint8_t *key, size_t key_sz, const uint8_t *inter, size_t inter_sz) {
    vplrs_vp8_stream_info_t si;
    memset(&si, 0, sizeof(si));
    CHECK_ERR(vplrs_vp8_peek_stream_info(key, key_sz, &si), VPLRS_CODEC_ABI_MISMATCH);
    si.sz = sizeof(si);
    CHECK_ERR(vplrs_vp8_peek_stream_info(key, key_sz, NULL), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_peek_stream_info(NULL, 10, &si), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_peek_stream_info(key, 0, &si), VPLRS_CODEC_EMPTY_INPUT);
    CHECK_ERR(vplrs_vp8_peek_stream_info(inter, inter_sz, &si), VPLRS_CODEC_NOT_KEYFRAME);
    uint8_t bad[16];
    memcpy(bad, key, sizeof(bad));
    bad[3] = 0x12;
    CHECK_ERR(vplrs_vp8_peek_stream_info(bad, sizeof(bad), &si), VPLRS_CODEC_BAD_START_CODE);
    CHECK_ERR(vplrs_vp8_peek_stream_info(key, 8, &si), VPLRS_CODEC_TRUNCATED);
    memcpy(bad, key, sizeof(bad));
    bad[6] = bad[7] = 0;
    CHECK_ERR(vplrs_vp8_peek_stream_info(bad, sizeof(bad), &si), VPLRS_CODEC_CORRUPT_FRAME);
    CHECK_ERR(vplrs_vp8_peek_stream_info(key, key_sz, &si), VPLRS_CODEC_OK);
    CHECK(si.w > 0 && si.h > 0 && si.is_kf);
    for (int code = 0; code < 200; code++) CHECK(vplrs_codec_err_to_string(code) != NULL);
}

static void init_errors(void) {
    vplrs_vp8_decoder_t *dec = NULL;
    vplrs_vp8_stream_info_t max = {sizeof(max), 176, 144, 1};
    CHECK_ERR(vplrs_vp8_xma_init(NULL, &max), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_xma_init(&dec, NULL), VPLRS_CODEC_INVALID_PARAM);
    vplrs_vp8_stream_info_t small = max;
    small.sz = 4;
    CHECK_ERR(vplrs_vp8_xma_init(&dec, &small), VPLRS_CODEC_ABI_MISMATCH);
    vplrs_vp8_stream_info_t zero = {sizeof(zero), 0, 144, 1};
    CHECK_ERR(vplrs_vp8_xma_init(&dec, &zero), VPLRS_CODEC_INVALID_PARAM);
    vplrs_vp8_stream_info_t huge = {sizeof(huge), 20000, 144, 1};
    CHECK_ERR(vplrs_vp8_xma_init(&dec, &huge), VPLRS_CODEC_INVALID_PARAM);
    /* Handles that are not decoders. */
    vplrs_vp8_decoder_t *bogus = (vplrs_vp8_decoder_t *)(uintptr_t)0x1234;
    vplrs_codec_mmap_t map;
    vplrs_codec_iter_t iter = NULL;
    vplrs_vp8_image_t img;
    CHECK_ERR(vplrs_vp8_get_mem_map(bogus, &map, &iter), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_get_mem_map(NULL, &map, &iter), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_set_mem_map(bogus, &map, 1), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_decode(bogus, (const uint8_t *)"x", 1), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_get_frame(bogus, &img), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_destroy(bogus), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_destroy(NULL), VPLRS_CODEC_INVALID_PARAM);
}

/* Creates a decoder for up to w x h and sets every segment, checking each rule on the way. */
static vplrs_vp8_decoder_t *xma_decoder(unsigned int w, unsigned int h, int check_rules) {
    vplrs_vp8_decoder_t *dec = NULL;
    vplrs_vp8_stream_info_t max = {sizeof(max), w, h, 1};
    CHECK_ERR(vplrs_vp8_xma_init(&dec, &max), VPLRS_CODEC_OK);
    REQUIRE(dec != NULL);
    vplrs_codec_mmap_t maps[MAX_SEGMENTS];
    int n = 0;
    vplrs_codec_iter_t iter = NULL;
    CHECK_ERR(vplrs_vp8_get_mem_map(dec, NULL, &iter), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_get_mem_map(dec, &maps[0], NULL), VPLRS_CODEC_INVALID_PARAM);
    vplrs_codec_err_t err;
    while ((err = vplrs_vp8_get_mem_map(dec, &maps[n], &iter)) == VPLRS_CODEC_OK) {
        REQUIRE(n + 1 < MAX_SEGMENTS);
        CHECK(maps[n].sz > 0 && maps[n].align > 0 && (maps[n].align & (maps[n].align - 1)) == 0);
        CHECK(maps[n].base == NULL && maps[n].dtor == NULL);
        n++;
    }
    CHECK_ERR(err, VPLRS_CODEC_LIST_END);
    CHECK_ERR(vplrs_vp8_get_mem_map(dec, &maps[n], &iter), VPLRS_CODEC_LIST_END);
    CHECK(n == 8);
    CHECK(maps[0].id == VPLRS_VP8_SEG_PROBS && (maps[0].flags & VPLRS_CODEC_MEM_FAST));
    CHECK(maps[3].id == VPLRS_VP8_SEG_MB_INFO && (maps[3].flags & VPLRS_CODEC_MEM_ZERO));
    CHECK(maps[4].id == VPLRS_VP8_SEG_FRAME_BUFFER_0 && maps[7].id == VPLRS_VP8_SEG_FRAME_BUFFER_3);
    for (int i = 0; i < n; i++) CHECK((maps[i].flags & VPLRS_CODEC_MEM_WRONLY) == 0);

    CHECK_ERR(vplrs_vp8_decode(dec, (const uint8_t *)"\x10\x02\x00\x9d\x01\x2a\x10\x00\x10\x00", 10),
              VPLRS_CODEC_MEM_NOT_SET);
    for (int i = 0; i < n; i++) {
        uint8_t *memory = segment_memory(&maps[i]);
        vplrs_codec_mmap_t set = maps[i];
        set.base = memory;
        set.priv = memory;
        set.dtor = dtor;
        if (check_rules && i == 0) {
            vplrs_codec_mmap_t wrong = set;
            wrong.id = 0x999;
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &wrong, 1), VPLRS_CODEC_MEM_UNKNOWN_ID);
            wrong = maps[1];
            wrong.base = memory;
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &wrong, 1), VPLRS_CODEC_MEM_OUT_OF_ORDER);
            wrong = set;
            wrong.base = NULL;
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &wrong, 1), VPLRS_CODEC_MEM_NULL_BASE);
            wrong = set;
            wrong.base = memory + 1;
            wrong.sz = set.sz; /* memory + 1 still has sz bytes: the allocation has GUARD spare */
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &wrong, 1), VPLRS_CODEC_MEM_MISALIGNED);
            wrong = set;
            wrong.sz = set.sz - 1;
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &wrong, 1), VPLRS_CODEC_MEM_TOO_SMALL);
            wrong = set;
            wrong.sz = 0;
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &wrong, 1), VPLRS_CODEC_MEM_TOO_SMALL);
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, NULL, 1), VPLRS_CODEC_INVALID_PARAM);
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &set, 0), VPLRS_CODEC_INVALID_PARAM);
        }
        if (check_rules && (maps[i].flags & VPLRS_CODEC_MEM_ZERO)) {
            memory[maps[i].sz - 1] = 1;
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &set, 1), VPLRS_CODEC_MEM_NOT_ZEROED);
            memory[maps[i].sz - 1] = 0;
        }
        CHECK_ERR(vplrs_vp8_set_mem_map(dec, &set, 1), VPLRS_CODEC_OK);
        if (check_rules && i == 0) {
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &set, 1), VPLRS_CODEC_MEM_DUPLICATE);
            uint8_t *other = segment_memory(&maps[1]);
            vplrs_codec_mmap_t again = maps[0];
            again.base = other;
            CHECK_ERR(vplrs_vp8_set_mem_map(dec, &again, 1), VPLRS_CODEC_MEM_DUPLICATE);
            free(other);
        }
    }
    /* Refused segments are never handed to a dtor. */
    CHECK(g_dtor_count == 0);
    return dec;
}

static void destroy_checked(vplrs_vp8_decoder_t *dec) {
    g_dtor_count = 0;
    CHECK_ERR(vplrs_vp8_destroy(dec), VPLRS_CODEC_OK);
    static const unsigned int reverse[8] = {
        VPLRS_VP8_SEG_FRAME_BUFFER_3, VPLRS_VP8_SEG_FRAME_BUFFER_2, VPLRS_VP8_SEG_FRAME_BUFFER_1,
        VPLRS_VP8_SEG_FRAME_BUFFER_0, VPLRS_VP8_SEG_MB_INFO,        VPLRS_VP8_SEG_SCRATCH,
        VPLRS_VP8_SEG_CONTEXT,        VPLRS_VP8_SEG_PROBS};
    CHECK(g_dtor_count == 8);
    for (int i = 0; i < 8 && i < g_dtor_count; i++) CHECK(g_dtor_ids[i] == reverse[i]);
    g_dtor_count = 0;
    CHECK_ERR(vplrs_vp8_destroy(dec), VPLRS_CODEC_INVALID_PARAM); /* no longer a decoder */
    CHECK(g_dtor_count == 0);
}

static void hash_image(const vplrs_vp8_image_t *img, char hex[33]) {
    md5_ctx md5;
    md5_init(&md5);
    unsigned int cw = (img->d_w + 1) / 2, ch = (img->d_h + 1) / 2;
    for (unsigned int y = 0; y < img->d_h; y++) md5_update(&md5, img->planes[0] + (size_t)y * img->stride[0], img->d_w);
    for (int p = 1; p < 3; p++)
        for (unsigned int y = 0; y < ch; y++) md5_update(&md5, img->planes[p] + (size_t)y * img->stride[p], cw);
    md5_hex(&md5, hex);
}

/* Decodes a vector in XMA memory and compares every picture with its .ivf.md5 line. */
static void decode_vector(const char *path) {
    ivf_reader ivf;
    REQUIRE(ivf_open(&ivf, path) == 0);
    /* The largest key frame sizes the decoder. */
    unsigned int w = 0, h = 0;
    uint32_t size;
    uint64_t pts;
    const uint8_t *frame;
    while ((frame = ivf_next(&ivf, &size, &pts)) != NULL) {
        vplrs_vp8_stream_info_t si = {sizeof(si), 0, 0, 0};
        if (vplrs_vp8_peek_stream_info(frame, size, &si) == VPLRS_CODEC_OK) {
            w = si.w > w ? si.w : w;
            h = si.h > h ? si.h : h;
        }
    }
    ivf_close(&ivf);
    REQUIRE(w > 0 && h > 0);
    char md5_path[4096];
    snprintf(md5_path, sizeof(md5_path), "%s.md5", path);
    FILE *expected = fopen(md5_path, "r");
    REQUIRE(expected != NULL);

    vplrs_vp8_decoder_t *dec = xma_decoder(w, h, 0);
    vplrs_vp8_image_t img;
    CHECK_ERR(vplrs_vp8_get_frame(dec, &img), VPLRS_CODEC_LIST_END);
    CHECK_ERR(vplrs_vp8_get_frame(dec, NULL), VPLRS_CODEC_INVALID_PARAM);
    REQUIRE(ivf_open(&ivf, path) == 0);
    int shown = 0, mismatches = 0;
    while ((frame = ivf_next(&ivf, &size, &pts)) != NULL) {
        vplrs_codec_err_t err = vplrs_vp8_decode(dec, frame, size);
        if (size == 0) {
            CHECK_ERR(err, VPLRS_CODEC_EMPTY_INPUT);
            continue;
        }
        CHECK(err == VPLRS_CODEC_OK || err == VPLRS_CODEC_FRAME_CONCEALED);
        if (vplrs_vp8_get_frame(dec, &img) != VPLRS_CODEC_OK) continue; /* hidden */
        char hex[33], line[256];
        hash_image(&img, hex);
        shown++;
        if (!fgets(line, sizeof(line), expected) || strncmp(line, hex, 32) != 0) mismatches++;
    }
    CHECK(mismatches == 0);
    char rest[256];
    CHECK(fgets(rest, sizeof(rest), expected) == NULL); /* every expected picture came */
    printf("%s: %d pictures, %d mismatches (XMA, max %ux%u)\n", path, shown, mismatches, w, h);
    fclose(expected);
    ivf_close(&ivf);

    /* Garbage after a good stream: an error code, never a crash; the decoder stays usable. */
    uint8_t garbage[64];
    for (int i = 0; i < 64; i++) garbage[i] = (uint8_t)(i * 37 + 11);
    vplrs_codec_err_t err = vplrs_vp8_decode(dec, garbage, sizeof(garbage));
    CHECK(err != VPLRS_CODEC_ERROR);
    garbage[0] = 0x10; /* a key frame tag with a bad start code */
    CHECK_ERR(vplrs_vp8_decode(dec, garbage, sizeof(garbage)), VPLRS_CODEC_BAD_START_CODE);
    CHECK_ERR(vplrs_vp8_decode(dec, NULL, 5), VPLRS_CODEC_INVALID_PARAM);
    CHECK_ERR(vplrs_vp8_decode(dec, garbage, 0), VPLRS_CODEC_EMPTY_INPUT);
    destroy_checked(dec);
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    ivf_reader ivf;
    REQUIRE(ivf_open(&ivf, argv[1]) == 0);
    uint32_t size;
    uint64_t pts;
    const uint8_t *frame = ivf_next(&ivf, &size, &pts);
    REQUIRE(frame != NULL);
    uint8_t *key = malloc(size);
    memcpy(key, frame, size);
    size_t key_sz = size;
    const uint8_t *inter = NULL;
    while ((frame = ivf_next(&ivf, &size, &pts)) != NULL && (size == 0 || (frame[0] & 1) == 0)) {}
    REQUIRE(frame != NULL);
    inter = frame;
    peek_errors(key, key_sz, inter, size);
    init_errors();

    /* Every rule at set time; then a key frame larger than the maximum is refused. */
    vplrs_vp8_decoder_t *dec = xma_decoder(64, 48, 1);
    vplrs_vp8_stream_info_t si = {sizeof(si), 0, 0, 0};
    CHECK_ERR(vplrs_vp8_peek_stream_info(key, key_sz, &si), VPLRS_CODEC_OK);
    CHECK(si.w > 64);
    CHECK_ERR(vplrs_vp8_decode(dec, inter, size), VPLRS_CODEC_NOT_KEYFRAME);
    CHECK_ERR(vplrs_vp8_decode(dec, key, key_sz), VPLRS_CODEC_FRAME_TOO_LARGE);
    vplrs_vp8_image_t img;
    CHECK_ERR(vplrs_vp8_get_frame(dec, &img), VPLRS_CODEC_LIST_END);
    destroy_checked(dec);
    ivf_close(&ivf);
    free(key);

    for (int i = 1; i < argc; i++) decode_vector(argv[i]);
    return finish("xma_api");
}
