// The choice between a kernel's plain and AVX2 builds that batch_norm.c and depthwise.c share:
// the AVX2 build wherever the matrix multiply runs a vector kernel (AVX2 or AVX-512, as
// DESCENT_KERNELS may choose), the plain one elsewhere. Both builds add the same numbers in the
// same order, so they give the same bits. An AVX-512 build gains nothing for these loops: clang
// keeps batch norm's to 256-bit vectors, and the depthwise kernels were a quarter slower with
// 512-bit ones on a Zen 4.
#ifndef DESCENT_PLAIN_OR_AVX2_H
#define DESCENT_PLAIN_OR_AVX2_H

#include "CDescentKernels.h"

#include <string.h>

#if defined(__x86_64__)
static int uses_avx2(void) {
    static int state = -1;
    if (state < 0) state = strcmp(descent_kernel_variant(), "portable") != 0;
    return state;
}
// Calls NAME_SUFFIX_avx2 or NAME_SUFFIX_portable with the arguments.
#define PLAIN_OR_AVX2(NAME, SUFFIX, ...)                                                            \
    if (uses_avx2()) NAME##_##SUFFIX##_avx2(__VA_ARGS__); else NAME##_##SUFFIX##_portable(__VA_ARGS__);
#else
#define PLAIN_OR_AVX2(NAME, SUFFIX, ...) NAME##_##SUFFIX##_portable(__VA_ARGS__);
#endif

#endif
