/* A minimal IVF reader for the test programs: a 32-byte file header ("DKIF"), then frames of a
 * 12-byte header (4-byte little-endian size, 8-byte timestamp) and the payload. */
#ifndef VPLRS_IVF_H
#define VPLRS_IVF_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    FILE *f;
    uint16_t width, height;
    uint8_t *frame;
    size_t capacity;
} ivf_reader;

static uint32_t ivf_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 0 on success. */
static int ivf_open(ivf_reader *r, const char *path) {
    memset(r, 0, sizeof(*r));
    r->f = fopen(path, "rb");
    if (!r->f) return -1;
    uint8_t header[32];
    if (fread(header, 1, 32, r->f) != 32 || memcmp(header, "DKIF", 4) != 0) {
        fclose(r->f);
        return -1;
    }
    r->width = (uint16_t)(header[12] | header[13] << 8);
    r->height = (uint16_t)(header[14] | header[15] << 8);
    return 0;
}

/* The next frame's payload (valid until the next call) and its size; NULL at the end. */
static const uint8_t *ivf_next(ivf_reader *r, uint32_t *size, uint64_t *pts) {
    uint8_t header[12];
    if (fread(header, 1, 12, r->f) != 12) return NULL;
    *size = ivf_le32(header);
    *pts = (uint64_t)ivf_le32(header + 4) | (uint64_t)ivf_le32(header + 8) << 32;
    if (*size > (1u << 26)) return NULL;
    if (*size + 1 > r->capacity) {
        r->capacity = *size + 1;
        r->frame = realloc(r->frame, r->capacity);
        if (!r->frame) return NULL;
    }
    if (fread(r->frame, 1, *size, r->f) != *size) return NULL;
    return r->frame;
}

static void ivf_close(ivf_reader *r) {
    if (r->f) fclose(r->f);
    free(r->frame);
    memset(r, 0, sizeof(*r));
}
#endif
