// Gathering slices (a mini-batch's rows) out of a large tensor.
//
// A batch's rows lie at random places of a training set far larger than the caches, so every
// row is a trip to memory, and copying them one after another leaves the memory system mostly
// idle: a single row's stream has only a few cache lines in flight while the prefetcher ramps up
// on it. Copying eight rows side by side, one cache line of each in turn, keeps eight streams
// in flight. Measured on AMD Zen 4 (32 rows of 3,136 bytes from 188 MB in 2 MB pages), about
// 1.5 times faster than one memcpy per row.
#include "CDescentKernels.h"
#include <string.h>

void descent_gather_slices(const void *source, size_t sliceBytes, const ptrdiff_t *indices, ptrdiff_t count,
                           void *destination) {
    enum { GROUP = 8, LINE = 64 };
    const char *from = source;
    char *to = destination;
    if (sliceBytes < 4 * LINE) {
        // Short slices: a few lines each, nothing to interleave (the labels of a batch, for one).
        for (ptrdiff_t i = 0; i < count; i++) {
            memcpy(to + (size_t)i * sliceBytes, from + (size_t)indices[i] * sliceBytes, sliceBytes);
        }
        return;
    }
    for (ptrdiff_t first = 0; first < count; first += GROUP) {
        int rows = count - first < GROUP ? (int)(count - first) : GROUP;
        const char *sources[GROUP];
        char *destinations[GROUP];
        for (int r = 0; r < rows; r++) {
            sources[r] = from + (size_t)indices[first + r] * sliceBytes;
            destinations[r] = to + (size_t)(first + r) * sliceBytes;
        }
        size_t offset = 0;
        for (; offset + LINE <= sliceBytes; offset += LINE) {
            for (int r = 0; r < rows; r++) memcpy(destinations[r] + offset, sources[r] + offset, LINE);
        }
        if (offset < sliceBytes) {
            for (int r = 0; r < rows; r++) memcpy(destinations[r] + offset, sources[r] + offset, sliceBytes - offset);
        }
    }
}
