// A do-nothing CUDA driver, cuBLAS and NVRTC, for measuring Descent's host-side cost per operation
// on a machine without a GPU (Benchmarks/cuda_host_overhead.sh builds it as libcuda.so.1 and
// libcublas.so.13, beside a real NVRTC) and for checking every host-side path of the CUDA backend
// in the test suite (Tests/DescentCLITests/CUDAStubTrainingTests.swift builds it under all three
// names and trains with it). Kernels and products do not run (results are garbage); memory is malloc'd
// and copies are real, so every host-side path of the CUDA backend runs as it would on a GPU.
// STUB_COUNTS=1 prints how many launches, products, copies… a run made (one line per library);
// STUB_TRACE=1 prints each launch, product and host-to-device copy as it happens; STUB_ZERO=1
// zero-fills every allocation, so that what the kernels would have computed reads as zeros, the
// same each way (descent-cuda-bench's check of CUDA graphs against the plain forward pass then
// passes).
//
// CUDA graphs are captured as the driver does on the stream being captured: copies are recorded
// (and replayed at each launch), allocations and frees become memory nodes (a free is deferred to
// the graph's destruction), waiting for that stream or freeing memory that the capture did not
// allocate fails, and so does a captured copy to or from pageable host memory (the driver stages
// those through a buffer of its own when they are queued, which a graph cannot replay: only
// cuMemHostAlloc'd memory may be copied inside one), and so does loading a module or looking up a
// kernel from the capturing thread (the kernels must be loaded before). "misrouted" counts what the capturing thread
// queued on another stream meanwhile (Descent sends it all to the capture stream). STUB_ABORT=1
// aborts at such a refused call, so that the backtrace names the operation that made it.
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long device_pointer;
static int handle;
static long launches, allocations, to_device, to_host, on_device, memsets, products, synchronizations;
static long captures, graph_launches, misrouted, to_device_bytes;

enum { CUDA_ERROR_INVALID_VALUE = 1, CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED = 900 };
enum { NODE_MEMCPY = 1, NODE_MEM_ALLOC = 10, NODE_MEM_FREE = 11 };
enum { MAX_COPIES = 256, MAX_ALLOCATIONS = 4096 };

/// A captured graph: its copies, in order, its allocations, and those of them it frees (freed
/// for real when it is destroyed; the others belong to whoever kept them).
typedef struct { device_pointer destination, source; size_t bytes; } copy;
typedef struct {
    copy copies[MAX_COPIES];
    int copy_count;
    void *allocations[MAX_ALLOCATIONS], *frees[MAX_ALLOCATIONS];
    int allocation_count, free_count;
} graph;

static graph *recording;         // the graph being captured, or NULL
static void *capture_stream;
static pthread_t capture_thread;

/// Whether work queued on `stream` is captured (and counts the capturing thread's work elsewhere).
static int captured(void *stream) {
    if (!recording) return 0;
    if (stream == capture_stream) return 1;
    if (pthread_equal(pthread_self(), capture_thread)) misrouted++;
    return 0;
}

static void record_copy(void *stream, device_pointer destination, device_pointer source, size_t bytes) {
    if (captured(stream) && recording->copy_count < MAX_COPIES)
        recording->copies[recording->copy_count++] = (copy){destination, source, bytes};
}

static int allocated_in_capture(device_pointer pointer) {
    for (int i = 0; i < recording->allocation_count; i++)
        if ((device_pointer)recording->allocations[i] == pointer) return 1;
    return 0;
}

static int tracing(void) {
    static int value = -1;
    if (value < 0) value = getenv("STUB_TRACE") != NULL;
    return value;
}

__attribute__((destructor)) static void report(void) {
    if (!getenv("STUB_COUNTS")) return;
    fprintf(stderr, "launches %ld allocations %ld host-to-device %ld device-to-host %ld device-to-device %ld memsets %ld "
            "products %ld synchronizations %ld captures %ld graph-launches %ld misrouted %ld host-to-device-bytes %ld\n",
            launches, allocations, to_device, to_host, on_device, memsets, products, synchronizations, captures, graph_launches,
            misrouted, to_device_bytes);
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
// Each stream its own address: a capture watches one.
int cuStreamCreate(void **stream, unsigned flags) { *stream = malloc(1); return 0; }
int cuStreamSynchronize(void *stream) {
    synchronizations++;
    return recording && stream == capture_stream ? CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED : 0;
}
int cuDeviceGetDefaultMemPool(void **pool, int device) { *pool = &handle; return 0; }
int cuMemPoolSetAttribute(void *pool, int attribute, void *value) { return 0; }
int cuMemAllocAsync(device_pointer *pointer, size_t bytes, void *stream) {
    allocations++;
    *pointer = (device_pointer)malloc(bytes ? bytes : 1);
    if (getenv("STUB_ZERO")) memset((void *)*pointer, 0, bytes ? bytes : 1);
    if (captured(stream) && recording->allocation_count < MAX_ALLOCATIONS)
        recording->allocations[recording->allocation_count++] = (void *)*pointer;
    return 0;
}
int cuMemFreeAsync(device_pointer pointer, void *stream) {
    if (captured(stream)) {
        if (!allocated_in_capture(pointer)) return CUDA_ERROR_INVALID_VALUE;
        if (recording->free_count < MAX_ALLOCATIONS) recording->frees[recording->free_count++] = (void *)pointer;
        return 0;
    }
    free((void *)pointer);
    return 0;
}
static int is_pinned(const void *pointer, size_t bytes);
/// A call that a capture cannot hold: its error, or (STUB_ABORT=1) an abort.
static int refused_in_capture(void) {
    if (getenv("STUB_ABORT")) abort();
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
}
int cuMemcpyHtoDAsync_v2(device_pointer destination, const void *source, size_t bytes, void *stream) {
    if (captured(stream) && !is_pinned(source, bytes)) return refused_in_capture();
    to_device++;
    to_device_bytes += (long)bytes;
    record_copy(stream, destination, (device_pointer)source, bytes);
    if (tracing()) fprintf(stderr, "host-to-device %zu bytes\n", bytes);
    memcpy((void *)destination, source, bytes);
    return 0;
}
int cuMemcpyDtoHAsync_v2(void *destination, device_pointer source, size_t bytes, void *stream) {
    if (captured(stream) && !is_pinned(destination, bytes)) return refused_in_capture();
    to_host++;
    record_copy(stream, (device_pointer)destination, source, bytes);
    memcpy(destination, (void *)source, bytes);
    return 0;
}
int cuMemcpyDtoDAsync_v2(device_pointer destination, device_pointer source, size_t bytes, void *stream) {
    on_device++;
    record_copy(stream, destination, source, bytes);
    memmove((void *)destination, (void *)source, bytes);
    return 0;
}
int cuMemsetD8Async(device_pointer destination, unsigned char value, size_t count, void *stream) {
    memsets++;
    captured(stream);
    memset((void *)destination, value, count);
    return 0;
}
int cuMemsetD32Async(device_pointer destination, unsigned value, size_t count, void *stream) {
    memsets++;
    captured(stream);
    for (size_t i = 0; i < count; i++) ((unsigned *)destination)[i] = value;
    return 0;
}
// Loading code is not for a capture: the capturing thread must have loaded every kernel before.
static int loading_in_capture(void) {
    return recording && pthread_equal(pthread_self(), capture_thread) ? refused_in_capture() : 0;
}
int cuModuleLoadData(void **module, const void *image) {
    if (loading_in_capture()) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    *module = &handle;
    return 0;
}
// The function handle is the kernel's name, so that a traced launch can say which it was.
int cuModuleGetFunction(void **function, void *module, const char *name) {
    if (loading_in_capture()) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    *function = strdup(name);
    return 0;
}
int cuLaunchKernel(void *function, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX, unsigned blockY,
                   unsigned blockZ, unsigned sharedBytes, void *stream, void **parameters, void **extra) {
    launches++;
    captured(stream);
    if (tracing()) fprintf(stderr, "launch %s, %u threads\n", (const char *)function, gridX * blockX);
    return 0;
}

// Page-locked memory, remembered so that a captured copy can tell it from pageable memory.
enum { MAX_PINNED = 256 };
static struct { char *start; size_t bytes; } pinned[MAX_PINNED];
static int pinned_count;
static int is_pinned(const void *pointer, size_t bytes) {
    for (int i = 0; i < pinned_count; i++)
        if ((const char *)pointer >= pinned[i].start && (const char *)pointer + bytes <= pinned[i].start + pinned[i].bytes) return 1;
    return 0;
}
int cuMemHostAlloc(void **pointer, size_t bytes, unsigned flags) {
    *pointer = malloc(bytes ? bytes : 1);
    if (pinned_count < MAX_PINNED) pinned[pinned_count++] = (typeof(pinned[0])){*pointer, bytes};
    return 0;
}
int cuMemFreeHost(void *pointer) {
    for (int i = 0; i < pinned_count; i++)
        if (pinned[i].start == pointer) pinned[i] = pinned[--pinned_count];
    free(pointer);
    return 0;
}

int cuStreamBeginCapture_v2(void *stream, int mode) {
    if (recording) return CUDA_ERROR_INVALID_VALUE;
    captures++;
    recording = calloc(1, sizeof(graph));
    capture_stream = stream;
    capture_thread = pthread_self();
    return 0;
}
int cuStreamEndCapture(void *stream, void **captured_graph) {
    if (!recording || stream != capture_stream) return CUDA_ERROR_INVALID_VALUE;
    *captured_graph = recording;
    recording = NULL;
    return 0;
}
// A node handle is its type: the allocations, the frees, then the copies.
int cuGraphGetNodes(void *captured_graph, void **nodes, size_t *count) {
    graph *g = captured_graph;
    size_t total = (size_t)g->allocation_count + g->free_count + g->copy_count, index = 0;
    if (nodes) {
        for (int i = 0; i < g->allocation_count && index < *count; i++) nodes[index++] = (void *)NODE_MEM_ALLOC;
        for (int i = 0; i < g->free_count && index < *count; i++) nodes[index++] = (void *)NODE_MEM_FREE;
        for (int i = 0; i < g->copy_count && index < *count; i++) nodes[index++] = (void *)NODE_MEMCPY;
    }
    *count = total;
    return 0;
}
int cuGraphNodeGetType(void *node, int *type) { *type = (int)(size_t)node; return 0; }
// The executable graph takes the graph's contents (and the memory it frees).
int cuGraphInstantiateWithFlags(void **executable, void *captured_graph, unsigned long long flags) {
    graph *instance = malloc(sizeof(graph));
    *instance = *(graph *)captured_graph;
    ((graph *)captured_graph)->free_count = 0;
    *executable = instance;
    return 0;
}
int cuGraphLaunch(void *executable, void *stream) {
    graph *g = executable;
    graph_launches++;
    for (int i = 0; i < g->copy_count; i++)
        memmove((void *)g->copies[i].destination, (void *)g->copies[i].source, g->copies[i].bytes);
    return 0;
}
static void destroy(graph *g) {
    for (int i = 0; i < g->free_count; i++) free(g->frees[i]);
    free(g);
}
int cuGraphExecDestroy(void *executable) { destroy(executable); return 0; }
int cuGraphDestroy(void *captured_graph) { destroy(captured_graph); return 0; }

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

// NVRTC that compiles nothing: every program "compiles" to a small CUBIN of zeros, which the
// stub's cuModuleLoadData accepts. Linked as libnvrtc.so.13 only where no real NVRTC should be
// needed (the test suite's run of `descent train --device cuda` against this driver); the
// benchmarks' scripts put a real NVRTC beside it, so that the kernels are compiled for real.
enum { STUB_CUBIN_BYTES = 64 };
int nvrtcVersion(int *major, int *minor) { *major = 13; *minor = 0; return 0; }
const char *nvrtcGetErrorString(int result) { return "NVRTC_STUB"; }
int nvrtcCreateProgram(void **program, const char *source, const char *name, int headers, const char *const *contents,
                       const char *const *names) {
    *program = malloc(1);
    return 0;
}
int nvrtcCompileProgram(void *program, int count, const char *const *options) { return 0; }
int nvrtcGetProgramLogSize(void *program, size_t *size) { *size = 1; return 0; }
int nvrtcGetProgramLog(void *program, char *log) { log[0] = 0; return 0; }
int nvrtcGetCUBINSize(void *program, size_t *size) { *size = STUB_CUBIN_BYTES; return 0; }
int nvrtcGetCUBIN(void *program, char *cubin) { memset(cubin, 0, STUB_CUBIN_BYTES); return 0; }
int nvrtcDestroyProgram(void **program) { free(*program); *program = NULL; return 0; }
