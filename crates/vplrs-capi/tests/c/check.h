/* A tiny test harness for the C programs cargo test builds and runs. */
#ifndef VPLRS_CHECK_H
#define VPLRS_CHECK_H
#include <stdio.h>
#include <stdlib.h>

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        g_checks++;                                                                   \
        if (!(cond)) {                                                                \
            g_failures++;                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

#define CHECK_STS(expr, expected)                                                          \
    do {                                                                                   \
        mfxStatus sts_ = (expr);                                                           \
        g_checks++;                                                                        \
        if (sts_ != (expected)) {                                                          \
            g_failures++;                                                                  \
            fprintf(stderr, "%s:%d: %s returned %d, expected %s (%d)\n", __FILE__, __LINE__, \
                    #expr, (int)sts_, #expected, (int)(expected));                         \
        }                                                                                  \
    } while (0)

#define REQUIRE(cond)                                                                  \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(2);                                                                   \
        }                                                                              \
    } while (0)

static int finish(const char *name) {
    printf("%s: %d checks, %d failures\n", name, g_checks, g_failures);
    return g_failures ? 1 : 0;
}
#endif
