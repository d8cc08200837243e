// A do-nothing CUDA driver and cuBLAS, for measuring Descent's host-side cost per operation on a
// machine without a GPU (Benchmarks/cuda_host_overhead.sh builds it as libcuda.so.1 and
// libcublas.so.13). Kernels and products do not run (results are garbage); memory is malloc'd
// and copies are real, so every host-side path of the CUDA backend runs as it would on a GPU.
// STUB_COUNTS=1 prints how many launches, products, copies… a run made (one line per library);
// STUB_TRACE=1 prints each launch, product and host-to-device copy as it happens.
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long device_pointer;
static int handle;
static long launches, allocations, to_device, to_host, on_device, memsets, products, synchronizations;

static int tracing(void) {
    static int value = -1;
    if (value < 0) value = getenv("STUB_TRACE") != NULL;
    return value;
}

__attribute__((destructor)) static void report(void) {
    if (!getenv("STUB_COUNTS")) return;
    fprintf(stderr, "launches %ld allocations %ld host-to-device %ld device-to-host %ld device-to-device %ld memsets %ld "
            "products %ld synchronizations %ld\n", launches, allocations, to_device, to_host, on_device, memsets, products,
            synchronizations);
}

int cuInit(unsigned flags) { return 0; }
int cuDriverGetVersion(int *version) { *version = 13000; return 0; }
int cuGetErrorName(int error, const char **name) { *name = "CUDA_STUB"; return 0; }
int cuGetErrorString(int error, const char **text) { *text = "the stub driver"; return 0; }
int cuDeviceGetCount(int *count) { *count = 1; return 0; }
int cuDeviceGet(int *device, int ordinal) { *device = 0; return 0; }
int cuDeviceGetName(char *name, int length, int device) { strncpy(name, "Stub GPU", length); return 0; }
// 75/76: compute capability 9.0; everything else asked (memory pools) is supported.
int cuDeviceGetAttribute(int *value, int attribute, int device) {
    *value = attribute == 75 ? 9 : attribute == 76 ? 0 : 1;
    return 0;
}
int cuDeviceTotalMem_v2(size_t *bytes, int device) { *bytes = (size_t)80 << 30; return 0; }
int cuDevicePrimaryCtxRetain(void **context, int device) { *context = &handle; return 0; }
int cuCtxSetCurrent(void *context) { return 0; }
int cuStreamCreate(void **stream, unsigned flags) { *stream = &handle; return 0; }
int cuStreamSynchronize(void *stream) { synchronizations++; return 0; }
int cuDeviceGetDefaultMemPool(void **pool, int device) { *pool = &handle; return 0; }
int cuMemPoolSetAttribute(void *pool, int attribute, void *value) { return 0; }
int cuMemAllocAsync(device_pointer *pointer, size_t bytes, void *stream) {
    allocations++;
    *pointer = (device_pointer)malloc(bytes ? bytes : 1);
    return 0;
}
int cuMemFreeAsync(device_pointer pointer, void *stream) { free((void *)pointer); return 0; }
int cuMemcpyHtoDAsync_v2(device_pointer destination, const void *source, size_t bytes, void *stream) {
    to_device++;
    if (tracing()) fprintf(stderr, "host-to-device %zu bytes\n", bytes);
    memcpy((void *)destination, source, bytes);
    return 0;
}
int cuMemcpyDtoHAsync_v2(void *destination, device_pointer source, size_t bytes, void *stream) {
    to_host++;
    memcpy(destination, (void *)source, bytes);
    return 0;
}
int cuMemcpyDtoDAsync_v2(device_pointer destination, device_pointer source, size_t bytes, void *stream) {
    on_device++;
    memmove((void *)destination, (void *)source, bytes);
    return 0;
}
int cuMemsetD8Async(device_pointer destination, unsigned char value, size_t count, void *stream) {
    memsets++;
    memset((void *)destination, value, count);
    return 0;
}
int cuMemsetD32Async(device_pointer destination, unsigned value, size_t count, void *stream) {
    memsets++;
    for (size_t i = 0; i < count; i++) ((unsigned *)destination)[i] = value;
    return 0;
}
int cuModuleLoadData(void **module, const void *image) { *module = &handle; return 0; }
// The function handle is the kernel's name, so that a traced launch can say which it was.
int cuModuleGetFunction(void **function, void *module, const char *name) { *function = strdup(name); return 0; }
int cuLaunchKernel(void *function, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX, unsigned blockY,
                   unsigned blockZ, unsigned sharedBytes, void *stream, void **parameters, void **extra) {
    launches++;
    if (tracing()) fprintf(stderr, "launch %s, %u threads\n", (const char *)function, gridX * blockX);
    return 0;
}

int cublasCreate_v2(void **blas) { *blas = &handle; return 0; }
int cublasSetStream_v2(void *blas, void *stream) { return 0; }
int cublasSetMathMode(void *blas, int mode) { return 0; }
int cublasSetWorkspace_v2(void *blas, void *workspace, size_t bytes) { return 0; }
const char *cublasGetStatusName(int status) { return "CUBLAS_STUB"; }
static int product(char type, int transA, int transB, int m, int n, int k) {
    products++;
    if (tracing()) fprintf(stderr, "%cgemm %s%s %d×%d×%d\n", type, transA ? "T" : "N", transB ? "T" : "N", m, n, k);
    return 0;
}
int cublasSgemmStridedBatched(void *blas, int transA, int transB, int m, int n, int k) {
    return product('s', transA, transB, m, n, k);
}
int cublasDgemmStridedBatched(void *blas, int transA, int transB, int m, int n, int k) {
    return product('d', transA, transB, m, n, k);
}
