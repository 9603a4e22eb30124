/*
 * vplrs_debug.h: what libvplrs.so tells an application's developer beyond the oneVPL API.
 *
 * vplrs_pool_report(): every surface pool of every open session in this process, each surface
 * in use with its references, Locked counter, mappings, the component writing it and how long it
 * has been out of its pool. The same report goes to the log (VPLRS_LOG=warn or more) when a pool
 * runs dry (MFX_WRN_ALLOC_TIMEOUT_EXPIRED). It writes at most `size` bytes including the final
 * NUL into `buffer` (NULL with size 0 asks the length) and returns the report's full length
 * without the NUL, as snprintf does.
 */
#ifndef VPLRS_DEBUG_H
#define VPLRS_DEBUG_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

size_t vplrs_pool_report(char *buffer, size_t size);

#ifdef __cplusplus
}
#endif
#endif
