/*
 * vplrs_xma.h: the XMA (eXternal Memory Allocation) interface of vplrs's VP8 decoder, exported by
 * libvplrs.so. Modelled on libvpx's vpx_codec_* XMA API (vpx_codec_peek_stream_info,
 * vpx_codec_get_mem_map, vpx_codec_set_mem_map, VPX_CODEC_LIST_END, VPX_CODEC_MEM_*), with every
 * name prefixed vplrs_ and every memory rule enforced.
 *
 * Use:
 *   1. vplrs_vp8_peek_stream_info() on a key frame (or fill a vplrs_vp8_stream_info_t with the
 *      largest size the decoder must support);
 *   2. vplrs_vp8_xma_init() with that size;
 *   3. vplrs_vp8_get_mem_map() repeatedly (iterator starts at NULL) until it returns
 *      VPLRS_CODEC_LIST_END; for each request, place memory of at least `sz` bytes at a base
 *      aligned to `align` (zero-filled if VPLRS_CODEC_MEM_ZERO), set `base` (and optionally `dtor`,
 *      `priv`) and pass it to vplrs_vp8_set_mem_map(), in the order the requests came;
 *   4. vplrs_vp8_decode() one compressed frame per call, vplrs_vp8_get_frame() for its picture;
 *   5. vplrs_vp8_destroy(): each segment's dtor is called, in reverse order of setting.
 *
 * After all segments are set the decoder touches no memory but them (and small fixed-size
 * values): frame buffers (current/last/golden/altref with borders), mode info, entropy contexts,
 * partition state and scratch all live in the application's segments.
 *
 * Memory ownership: segment memory stays the application's. It must stay valid, readable and
 * writable, and untouched by the application, from vplrs_vp8_set_mem_map() until its dtor is
 * called (or, without a dtor, until vplrs_vp8_destroy() returns). A segment the decoder refuses is
 * not kept: its dtor is never called.
 *
 * Threads: a decoder may be used from any thread, by one thread at a time.
 * No function panics or aborts: internal failures return VPLRS_CODEC_ERROR.
 */
#ifndef VPLRS_XMA_H
#define VPLRS_XMA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Return codes (an int; the first ones keep libvpx's vpx_codec_err_t values) ---- */
typedef int vplrs_codec_err_t;

#define VPLRS_CODEC_OK 0             /* Success. */
#define VPLRS_CODEC_ERROR 1          /* Internal error (a bug in vplrs, reported instead of a crash). */
#define VPLRS_CODEC_MEM_ERROR 2      /* Out of memory (not returned by XMA decoders: they allocate none). */
#define VPLRS_CODEC_ABI_MISMATCH 3   /* A structure's `sz` is smaller than this library's structure. */
#define VPLRS_CODEC_CORRUPT_FRAME 7  /* The frame's bitstream is inconsistent. */
#define VPLRS_CODEC_INVALID_PARAM 8  /* A NULL pointer, a handle that is no (live) decoder, or a bad size. */
#define VPLRS_CODEC_LIST_END 9       /* End of the memory map / no frame to get. */
/* Stream conditions */
#define VPLRS_CODEC_EMPTY_INPUT 100      /* Zero bytes of input. */
#define VPLRS_CODEC_NOT_KEYFRAME 101     /* Peek: not a key frame. Decode: inter frame before any key frame. */
#define VPLRS_CODEC_BAD_START_CODE 102   /* Key frame without the 0x9d 0x01 0x2a start code. */
#define VPLRS_CODEC_TRUNCATED 103        /* Data ends inside the frame header or a declared partition. */
#define VPLRS_CODEC_FRAME_CONCEALED 104  /* Data ran out while reconstructing: the frame was completed as
                                            libvpx completes it and, if shown, vplrs_vp8_get_frame gives it. */
#define VPLRS_CODEC_FRAME_TOO_LARGE 105  /* Key frame larger than the maximum given to vplrs_vp8_xma_init. */
/* XMA rules, each checked when the segment is set */
#define VPLRS_CODEC_MEM_NOT_SET 110      /* Decode before every segment of the memory map was set. */
#define VPLRS_CODEC_MEM_OUT_OF_ORDER 111 /* Segment set before an earlier segment of the map. */
#define VPLRS_CODEC_MEM_DUPLICATE 112    /* Segment already set. */
#define VPLRS_CODEC_MEM_NULL_BASE 113    /* base is NULL. */
#define VPLRS_CODEC_MEM_MISALIGNED 114   /* base is not a multiple of the requested align. */
#define VPLRS_CODEC_MEM_TOO_SMALL 115    /* sz is smaller than requested. */
#define VPLRS_CODEC_MEM_NOT_ZEROED 116   /* A VPLRS_CODEC_MEM_ZERO segment holds a non-zero byte. */
#define VPLRS_CODEC_MEM_UNKNOWN_ID 117   /* id is not in this decoder's memory map. */

/* ---- Segment flags ---- */
#define VPLRS_CODEC_MEM_ZERO 0x1   /* The application MUST zero the segment before setting it (verified). */
#define VPLRS_CODEC_MEM_WRONLY 0x2 /* The decoder only writes the segment (never set by this decoder: it
                                      reads back every segment). */
#define VPLRS_CODEC_MEM_FAST 0x4   /* Accessed on every symbol or macroblock: place in fast memory if any. */

/* ---- Public segment ids (requested in this order; ids are not consecutive) ---- */
#define VPLRS_VP8_SEG_PROBS 0x040          /* Adaptive probabilities (live and saved), FAST. */
#define VPLRS_VP8_SEG_CONTEXT 0x080        /* Above/left neighbour contexts, FAST. */
#define VPLRS_VP8_SEG_SCRATCH 0x0c0        /* Coefficients and interpolation temporaries, FAST. */
#define VPLRS_VP8_SEG_MB_INFO 0x100        /* Segment map and per-macroblock filter levels, ZERO. */
#define VPLRS_VP8_SEG_FRAME_BUFFER_0 0x200 /* Frame buffers 0..3: current/last/golden/altref rotate among */
#define VPLRS_VP8_SEG_FRAME_BUFFER_1 0x201 /* them without copies; Y, U, V with 32 (chroma 16) pixel borders. */
#define VPLRS_VP8_SEG_FRAME_BUFFER_2 0x202
#define VPLRS_VP8_SEG_FRAME_BUFFER_3 0x203

/* Stream information (vpx_codec_stream_info_t). Set `sz` to sizeof(vplrs_vp8_stream_info_t). */
typedef struct vplrs_vp8_stream_info {
    unsigned int sz;    /* Size of this structure, set by the application. */
    unsigned int w;     /* Width in pixels. */
    unsigned int h;     /* Height in pixels. */
    unsigned int is_kf; /* Non-zero for a key frame (always, on success). */
} vplrs_vp8_stream_info_t;

/* One memory segment (vpx_codec_mmap_t). */
typedef struct vplrs_codec_mmap {
    unsigned int id;    /* Segment identifier (see VPLRS_VP8_SEG_*). */
    size_t sz;          /* Size in bytes: requested, then the size the application provides. */
    unsigned int align; /* Required alignment of base, a power of two. */
    unsigned int flags; /* VPLRS_CODEC_MEM_* flags. */
    void *base;         /* The application's memory. */
    /* Called once, in reverse order of setting, when the decoder is destroyed; receives a copy of
       the map as it was set (valid during the call only). May be NULL. */
    void (*dtor)(struct vplrs_codec_mmap *map);
    void *priv;         /* The application's, for its dtor. */
} vplrs_codec_mmap_t;

/* Memory map iterator: initialise to NULL. */
typedef const void *vplrs_codec_iter_t;

/* A decoded picture, borrowed from the decoder's frame buffer segments. */
typedef struct vplrs_vp8_image {
    unsigned int d_w;          /* Displayed width. */
    unsigned int d_h;          /* Displayed height. */
    const uint8_t *planes[3];  /* Y, U, V at the top-left visible pixel. */
    int stride[3];             /* Bytes between rows. Chroma is (d_w+1)/2 x (d_h+1)/2. */
    unsigned int is_kf;        /* Non-zero for a key frame. */
} vplrs_vp8_image_t;

/* An XMA decoder (opaque). */
typedef struct vplrs_vp8_decoder vplrs_vp8_decoder_t;

/* A static description of a return code (never NULL). */
const char *vplrs_codec_err_to_string(vplrs_codec_err_t err);

/* Reads the size of a stream from a key frame, without a decoder.
 * Returns VPLRS_CODEC_OK (si filled), VPLRS_CODEC_INVALID_PARAM (si NULL, or data NULL with
 * data_sz > 0), VPLRS_CODEC_ABI_MISMATCH (si->sz too small), VPLRS_CODEC_EMPTY_INPUT (data_sz 0),
 * VPLRS_CODEC_NOT_KEYFRAME (an inter frame), VPLRS_CODEC_BAD_START_CODE,
 * VPLRS_CODEC_TRUNCATED (fewer than the 10 bytes of a key frame's header),
 * VPLRS_CODEC_CORRUPT_FRAME (zero width or height), VPLRS_CODEC_ERROR. */
vplrs_codec_err_t vplrs_vp8_peek_stream_info(const uint8_t *data, size_t data_sz, vplrs_vp8_stream_info_t *si);

/* Creates a decoder in XMA mode for pictures up to max->w x max->h.
 * Returns VPLRS_CODEC_OK (*dec set), VPLRS_CODEC_INVALID_PARAM (dec or max NULL, a zero size or
 * one above 16383), VPLRS_CODEC_ABI_MISMATCH (max->sz too small), VPLRS_CODEC_ERROR. */
vplrs_codec_err_t vplrs_vp8_xma_init(vplrs_vp8_decoder_t **dec, const vplrs_vp8_stream_info_t *max);

/* Memory map iterator: the request after *iter (NULL: the first) in mmap->id, sz, align, flags
 * (base, dtor, priv set to NULL), and *iter advanced.
 * Returns VPLRS_CODEC_OK, VPLRS_CODEC_LIST_END (no more requests), VPLRS_CODEC_INVALID_PARAM
 * (NULL argument or not a decoder), VPLRS_CODEC_ERROR. */
vplrs_codec_err_t vplrs_vp8_get_mem_map(vplrs_vp8_decoder_t *dec, vplrs_codec_mmap_t *mmap,
                                        vplrs_codec_iter_t *iter);

/* Sets num_maps segments, in order; each is checked now against its request, and the first one
 * refused stops the call (the ones before it stay set). The decoder uses `id`, `base`, `sz`,
 * `dtor` and `priv`; `align` and `flags` are the decoder's own.
 * Returns VPLRS_CODEC_OK, VPLRS_CODEC_INVALID_PARAM (mmaps NULL, num_maps 0, not a decoder),
 * VPLRS_CODEC_MEM_UNKNOWN_ID, VPLRS_CODEC_MEM_DUPLICATE, VPLRS_CODEC_MEM_OUT_OF_ORDER,
 * VPLRS_CODEC_MEM_NULL_BASE, VPLRS_CODEC_MEM_TOO_SMALL, VPLRS_CODEC_MEM_MISALIGNED,
 * VPLRS_CODEC_MEM_NOT_ZEROED (checked in this order), VPLRS_CODEC_ERROR. */
vplrs_codec_err_t vplrs_vp8_set_mem_map(vplrs_vp8_decoder_t *dec, const vplrs_codec_mmap_t *mmaps,
                                        unsigned int num_maps);

/* Decodes one compressed frame.
 * Returns VPLRS_CODEC_OK, VPLRS_CODEC_INVALID_PARAM (not a decoder, data NULL with data_sz > 0),
 * VPLRS_CODEC_MEM_NOT_SET, VPLRS_CODEC_EMPTY_INPUT (nothing decoded, state unchanged),
 * VPLRS_CODEC_FRAME_TOO_LARGE (nothing decoded, never an overrun), VPLRS_CODEC_NOT_KEYFRAME,
 * VPLRS_CODEC_BAD_START_CODE, VPLRS_CODEC_TRUNCATED, VPLRS_CODEC_CORRUPT_FRAME (nothing decoded,
 * state unchanged), VPLRS_CODEC_FRAME_CONCEALED (decoded; references updated as libvpx does),
 * VPLRS_CODEC_ERROR. */
vplrs_codec_err_t vplrs_vp8_decode(vplrs_vp8_decoder_t *dec, const uint8_t *data, size_t data_sz);

/* The picture the last vplrs_vp8_decode call showed; valid until the next decode or destroy.
 * Returns VPLRS_CODEC_OK (img filled), VPLRS_CODEC_LIST_END (that call showed no picture: a hidden
 * frame, an error, or no call yet), VPLRS_CODEC_INVALID_PARAM (NULL img or not a decoder),
 * VPLRS_CODEC_ERROR. */
vplrs_codec_err_t vplrs_vp8_get_frame(vplrs_vp8_decoder_t *dec, vplrs_vp8_image_t *img);

/* Destroys the decoder: each segment's dtor is called, in reverse order of setting.
 * Returns VPLRS_CODEC_OK, VPLRS_CODEC_INVALID_PARAM (NULL or not a decoder, e.g. destroyed
 * already), VPLRS_CODEC_ERROR. */
vplrs_codec_err_t vplrs_vp8_destroy(vplrs_vp8_decoder_t *dec);

#ifdef __cplusplus
}
#endif
#endif /* VPLRS_XMA_H */
