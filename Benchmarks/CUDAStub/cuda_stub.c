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
//
// Run mode (STUB_RUN=<path of emulator_prelude.h>): the driver computes, on the CPU. Its NVRTC
// compiles each kernel group with the host's C++ compiler (STUB_CXX, default c++) after that
// header, into a shared library that stands for the CUBIN (cached by Descent like one); launches
// run the kernels (emulator_prelude.h says how), the cuBLAS products are computed by a plain loop
// in double precision, and a captured graph records its kernels, products, copies and memsets
// (nothing runs while capturing) and runs them in order at each launch. So the CUDA backend's
// kernels, and its use of graphs, can be checked against the CPU without a GPU, slowly
// (Scripts/cuda-emulated.sh).
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
struct operation;
typedef struct {
    copy copies[MAX_COPIES];
    int copy_count;
    void *allocations[MAX_ALLOCATIONS], *frees[MAX_ALLOCATIONS];
    int allocation_count, free_count;
    struct operation *operations;  // run mode: everything captured, in order
    int operation_count, operation_capacity;
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

/// The emulator's prelude in run mode (STUB_RUN), else NULL: kernels and products do nothing.
static const char *run_mode(void) {
    static int known;
    static const char *prelude;
    if (!known) {
        prelude = getenv("STUB_RUN");
        if (prelude && !*prelude) prelude = NULL;
        known = 1;
    }
    return prelude;
}

/// What run mode records while capturing, to run at each launch of the graph.
enum { OP_COPY, OP_MEMSET8, OP_MEMSET32, OP_LAUNCH, OP_SGEMM, OP_DGEMM };
typedef struct gemm_arguments {
    int transA, transB, m, n, k, lda, ldb, ldc, batches;
    long long strideA, strideB, strideC;
    double alpha, beta;
    const void *a, *b;
    void *c;
} gemm_arguments;
struct kernel;
typedef struct operation {
    int kind;
    device_pointer destination, source;  // copies and memsets
    size_t bytes, count;
    unsigned value;
    struct kernel *kernel;  // launches: the kernel, its grid, its parameters' bytes and their pointers
    unsigned blocks, threads;
    unsigned char *parameter_bytes;
    void **parameters;
    gemm_arguments gemm;
} operation;

static operation *record(void) {
    graph *g = recording;
    if (g->operation_count == g->operation_capacity) {
        g->operation_capacity = g->operation_capacity ? 2 * g->operation_capacity : 64;
        g->operations = realloc(g->operations, sizeof(operation) * (size_t)g->operation_capacity);
    }
    operation *op = &g->operations[g->operation_count++];
    memset(op, 0, sizeof *op);
    return op;
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
/// A copy: recorded when captured; in run mode a captured copy waits for the graph's launch.
static int queue_copy(void *stream, device_pointer destination, device_pointer source, size_t bytes) {
    record_copy(stream, destination, source, bytes);
    if (recording && stream == capture_stream && run_mode()) {
        operation *op = record();
        op->kind = OP_COPY, op->destination = destination, op->source = source, op->bytes = bytes;
        return 0;
    }
    memmove((void *)destination, (void *)source, bytes);
    return 0;
}

int cuMemcpyHtoDAsync_v2(device_pointer destination, const void *source, size_t bytes, void *stream) {
    if (captured(stream) && !is_pinned(source, bytes)) return refused_in_capture();
    to_device++;
    to_device_bytes += (long)bytes;
    if (tracing()) fprintf(stderr, "host-to-device %zu bytes\n", bytes);
    return queue_copy(stream, destination, (device_pointer)source, bytes);
}
int cuMemcpyDtoHAsync_v2(void *destination, device_pointer source, size_t bytes, void *stream) {
    if (captured(stream) && !is_pinned(destination, bytes)) return refused_in_capture();
    to_host++;
    return queue_copy(stream, (device_pointer)destination, source, bytes);
}
int cuMemcpyDtoDAsync_v2(device_pointer destination, device_pointer source, size_t bytes, void *stream) {
    on_device++;
    return queue_copy(stream, destination, source, bytes);
}
static void run_memset(int kind, device_pointer destination, unsigned value, size_t count) {
    if (kind == OP_MEMSET8) memset((void *)destination, (int)value, count);
    else for (size_t i = 0; i < count; i++) ((unsigned *)destination)[i] = value;
}
static int queue_memset(int kind, device_pointer destination, unsigned value, size_t count, void *stream) {
    memsets++;
    if (captured(stream) && run_mode()) {
        operation *op = record();
        op->kind = kind, op->destination = destination, op->value = value, op->count = count;
        return 0;
    }
    run_memset(kind, destination, value, count);
    return 0;
}
int cuMemsetD8Async(device_pointer destination, unsigned char value, size_t count, void *stream) {
    return queue_memset(OP_MEMSET8, destination, value, count, stream);
}
int cuMemsetD32Async(device_pointer destination, unsigned value, size_t count, void *stream) {
    return queue_memset(OP_MEMSET32, destination, value, count, stream);
}
// Loading code is not for a capture: the capturing thread must have loaded every kernel before.
static int loading_in_capture(void) {
    return recording && pthread_equal(pthread_self(), capture_thread) ? refused_in_capture() : 0;
}
/// Run mode: a kernel of a loaded group: its name and the group's entry points.
typedef struct kernel {
    char *name;
    int (*launch)(const char *name, void **parameters, unsigned blocks, unsigned threads);
    int (*parameter_sizes)(const char *name, size_t *sizes, int capacity);
} kernel;

/// The size of the ELF file at `image` (its section headers come last), for run mode's
/// "CUBIN", a shared library that cuModuleLoadData receives without its length.
static size_t elf_size(const unsigned char *image) {
    uint64_t sections;
    uint16_t entry, count;
    memcpy(&sections, image + 0x28, 8);
    memcpy(&entry, image + 0x3A, 2);
    memcpy(&count, image + 0x3C, 2);
    return (size_t)(sections + (uint64_t)entry * count);
}

int cuModuleLoadData(void **module, const void *image) {
    if (loading_in_capture()) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    if (!run_mode()) {
        *module = &handle;
        return 0;
    }
    char path[] = "/tmp/descent-emulated-XXXXXX";
    int file = mkstemp(path);
    if (file < 0) return CUDA_ERROR_INVALID_VALUE;
    size_t size = elf_size(image);
    int written = write(file, image, size) == (ssize_t)size;
    close(file);
    void *library = written ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    unlink(path);
    if (!library) {
        fprintf(stderr, "stub: cannot load an emulated kernel group: %s\n", dlerror());
        return CUDA_ERROR_INVALID_VALUE;
    }
    *module = library;
    return 0;
}
// The function handle is the kernel's name (run mode: with its group's entry points), so that
// a traced launch can say which it was.
int cuModuleGetFunction(void **function, void *module, const char *name) {
    if (loading_in_capture()) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    kernel *k = calloc(1, sizeof(kernel));
    k->name = strdup(name);
    if (run_mode()) {
        k->launch = (int (*)(const char *, void **, unsigned, unsigned))dlsym(module, "emu_launch");
        k->parameter_sizes = (int (*)(const char *, size_t *, int))dlsym(module, "emu_parameter_sizes");
        size_t sizes[1];
        if (!k->launch || !k->parameter_sizes || k->parameter_sizes(name, sizes, 0) < 0) {
            fprintf(stderr, "stub: no kernel %s in its group\n", name);
            return CUDA_ERROR_INVALID_VALUE;
        }
    }
    *function = k;
    return 0;
}
int cuLaunchKernel(void *function, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX, unsigned blockY,
                   unsigned blockZ, unsigned sharedBytes, void *stream, void **parameters, void **extra) {
    kernel *k = function;
    launches++;
    if (tracing()) fprintf(stderr, "launch %s, %u threads\n", k->name, gridX * blockX);
    int capturing = captured(stream);
    if (!run_mode()) return 0;
    if (gridY != 1 || gridZ != 1 || blockY != 1 || blockZ != 1) {
        fprintf(stderr, "stub: %s: the emulator runs 1-D launches only\n", k->name);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (!capturing) return k->launch(k->name, parameters, gridX, blockX) ? CUDA_ERROR_INVALID_VALUE : 0;
    // Captured: the parameters' values now, as the driver copies them into the graph.
    enum { MOST = 32 };
    size_t sizes[MOST], total = 0, offset = 0;
    int count = k->parameter_sizes(k->name, sizes, MOST);
    if (count < 0 || count > MOST) return CUDA_ERROR_INVALID_VALUE;
    for (int i = 0; i < count; i++) total += (sizes[i] + 15) / 16 * 16;
    operation *op = record();
    op->kind = OP_LAUNCH, op->kernel = k, op->blocks = gridX, op->threads = blockX;
    op->parameter_bytes = malloc(total ? total : 1);
    op->parameters = malloc(sizeof(void *) * (size_t)(count ? count : 1));
    for (int i = 0; i < count; i++) {
        memcpy(op->parameter_bytes + offset, parameters[i], sizes[i]);
        op->parameters[i] = op->parameter_bytes + offset;
        offset += (sizes[i] + 15) / 16 * 16;
    }
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
static void run_gemm(int kind, const gemm_arguments *g);
// The executable graph takes the graph's contents (and the memory it frees, and in run mode
// what it records).
int cuGraphInstantiateWithFlags(void **executable, void *captured_graph, unsigned long long flags) {
    graph *instance = malloc(sizeof(graph)), *source = captured_graph;
    *instance = *source;
    source->free_count = 0;
    source->operations = NULL, source->operation_count = source->operation_capacity = 0;
    *executable = instance;
    return 0;
}
int cuGraphLaunch(void *executable, void *stream) {
    graph *g = executable;
    graph_launches++;
    if (!run_mode()) {
        for (int i = 0; i < g->copy_count; i++)
            memmove((void *)g->copies[i].destination, (void *)g->copies[i].source, g->copies[i].bytes);
        return 0;
    }
    for (int i = 0; i < g->operation_count; i++) {
        operation *op = &g->operations[i];
        switch (op->kind) {
        case OP_COPY: memmove((void *)op->destination, (void *)op->source, op->bytes); break;
        case OP_MEMSET8: case OP_MEMSET32: run_memset(op->kind, op->destination, op->value, op->count); break;
        case OP_LAUNCH:
            if (op->kernel->launch(op->kernel->name, op->parameters, op->blocks, op->threads)) return CUDA_ERROR_INVALID_VALUE;
            break;
        default: run_gemm(op->kind, &op->gemm); break;
        }
    }
    return 0;
}
static void destroy(graph *g) {
    for (int i = 0; i < g->free_count; i++) free(g->frees[i]);
    for (int i = 0; i < g->operation_count; i++) {
        free(g->operations[i].parameter_bytes);
        free(g->operations[i].parameters);
    }
    free(g->operations);
    free(g);
}
int cuGraphExecDestroy(void *executable) { destroy(executable); return 0; }
int cuGraphDestroy(void *captured_graph) { destroy(captured_graph); return 0; }

int cublasCreate_v2(void **blas) { *blas = &handle; return 0; }
int cublasSetStream_v2(void *blas, void *stream) { return 0; }
int cublasSetMathMode(void *blas, int mode) { return 0; }
int cublasSetWorkspace_v2(void *blas, void *workspace, size_t bytes) { return 0; }
const char *cublasGetStatusName(int status) { return "CUBLAS_STUB"; }
/// C ← alpha·op(A)·op(B) + beta·C for each of the batch, column-major as cuBLAS has it, summed
/// in double precision; beta 0 ignores C (NaN included), as cuBLAS does.
#define DEFINE_GEMM(NAME, T)                                                                        \
    static void NAME(const gemm_arguments *g) {                                                     \
        for (int batch = 0; batch < g->batches; batch++) {                                          \
            const T *a = (const T *)g->a + batch * g->strideA, *b = (const T *)g->b + batch * g->strideB; \
            T *c = (T *)g->c + batch * g->strideC;                                                  \
            for (int j = 0; j < g->n; j++) {                                                        \
                for (int i = 0; i < g->m; i++) {                                                    \
                    double sum = 0;                                                                 \
                    for (int p = 0; p < g->k; p++) {                                                \
                        double x = g->transA ? a[p + (long)i * g->lda] : a[i + (long)p * g->lda];   \
                        double y = g->transB ? b[j + (long)p * g->ldb] : b[p + (long)j * g->ldb];   \
                        sum += x * y;                                                               \
                    }                                                                               \
                    T *out = &c[i + (long)j * g->ldc];                                              \
                    *out = (T)(g->alpha * sum + (g->beta == 0 ? 0 : g->beta * (double)*out));      \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }
DEFINE_GEMM(run_sgemm, float)
DEFINE_GEMM(run_dgemm, double)
static void run_gemm(int kind, const gemm_arguments *g) { (kind == OP_SGEMM ? run_sgemm : run_dgemm)(g); }

static int product(int kind, void *stream_unused, gemm_arguments g) {
    products++;
    if (tracing())
        fprintf(stderr, "%cgemm %s%s %d×%d×%d\n", kind == OP_SGEMM ? 's' : 'd', g.transA ? "T" : "N", g.transB ? "T" : "N",
                g.m, g.n, g.k);
    if (!run_mode()) return 0;
    if (recording && pthread_equal(pthread_self(), capture_thread)) {
        // cuBLAS is bound to the capture stream on the capturing thread (Descent's rule).
        operation *op = record();
        op->kind = kind, op->gemm = g;
        return 0;
    }
    run_gemm(kind, &g);
    return 0;
}
#define GEMM_SIGNATURE(T)                                                                           \
    void *blas, int transA, int transB, int m, int n, int k, const T *alpha, const T *a, int lda,   \
        long long strideA, const T *b, int ldb, long long strideB, const T *beta, T *c, int ldc,    \
        long long strideC, int batches
#define GEMM_ARGUMENTS                                                                              \
    (gemm_arguments){transA, transB, m, n, k, lda, ldb, ldc, batches, strideA, strideB, strideC,    \
                     run_mode() ? (double)*alpha : 0, run_mode() ? (double)*beta : 0, a, b, c}
int cublasSgemmStridedBatched(GEMM_SIGNATURE(float)) { return product(OP_SGEMM, NULL, GEMM_ARGUMENTS); }
int cublasDgemmStridedBatched(GEMM_SIGNATURE(double)) { return product(OP_DGEMM, NULL, GEMM_ARGUMENTS); }

// NVRTC that compiles nothing: every program "compiles" to a small CUBIN of zeros, which the
// stub's cuModuleLoadData accepts. Linked as libnvrtc.so.13 only where no real NVRTC should be
// needed (the test suite's run of `descent train --device cuda` against this driver); the
// benchmarks' scripts put a real NVRTC beside it, so that the kernels are compiled for real.
// In run mode it compiles with the host's C++ compiler instead (compile_emulated), and says it
// is version 99.0, so that Descent's kernel cache keeps those libraries apart from CUBINs.
enum { STUB_CUBIN_BYTES = 64, NVRTC_ERROR_COMPILATION = 6 };
typedef struct {
    char *source;
    unsigned char *image;  // run mode: the compiled shared library
    size_t size;
    char *log;
} program;

int nvrtcVersion(int *major, int *minor) {
    *major = run_mode() ? 99 : 13;
    *minor = 0;
    return 0;
}
const char *nvrtcGetErrorString(int result) { return "NVRTC_STUB"; }
int nvrtcCreateProgram(void **handle_out, const char *source, const char *name, int headers, const char *const *contents,
                       const char *const *names) {
    program *p = calloc(1, sizeof(program));
    p->source = strdup(source);
    *handle_out = p;
    return 0;
}

/// The contents of file `path` (NUL-terminated; its length in `size`), or NULL.
static char *read_file(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *bytes = malloc((size_t)length + 1);
    size_t got = fread(bytes, 1, (size_t)length, file);
    fclose(file);
    bytes[got] = 0;
    if (size) *size = got;
    return bytes;
}

/// Run mode's compile: the source after the emulator's prelude, preprocessed to find the
/// kernels' names (by the mark the prelude puts on __global__), then compiled with a
/// registration per kernel into a shared library.
static int compile_emulated(program *p) {
    const char *compiler = getenv("STUB_CXX") ? getenv("STUB_CXX") : "c++";
    char folder[] = "/tmp/descent-emulator-XXXXXX", path[4096], command[16384];
    if (!mkdtemp(folder)) return NVRTC_ERROR_COMPILATION;
    snprintf(path, sizeof path, "%s/kernels.cpp", folder);
    FILE *file = fopen(path, "w");
    fprintf(file, "#define EMU_COOPERATIVE %d\n#include \"%s\"\n%s\n", strstr(p->source, "__syncthreads") != NULL,
            run_mode(), p->source);
    fclose(file);
    snprintf(command, sizeof command, "%s -std=c++17 -E -P %s/kernels.cpp -o %s/kernels.ii 2> %s/log.txt", compiler,
             folder, folder, folder);
    int status = system(command);
    size_t size = 0;
    char *preprocessed = status == 0 ? read_file((snprintf(path, sizeof path, "%s/kernels.ii", folder), path), NULL) : NULL;
    if (preprocessed) {
        snprintf(path, sizeof path, "%s/full.cpp", folder);
        file = fopen(path, "w");
        fprintf(file, "#include \"kernels.cpp\"\n");
        const char *mark = "annotate(\"emu_kernel\")))";
        for (char *at = strstr(preprocessed, mark); at; at = strstr(at, mark)) {
            at += strlen(mark);
            while (*at == ' ') at++;
            if (strncmp(at, "void", 4) != 0) continue;
            at += 4;
            while (*at == ' ') at++;
            char *end = at;
            while ((*end >= 'a' && *end <= 'z') || (*end >= 'A' && *end <= 'Z') || (*end >= '0' && *end <= '9') || *end == '_') end++;
            fprintf(file, "EMU_REGISTER(%.*s)\n", (int)(end - at), at);
        }
        fclose(file);
        free(preprocessed);
        snprintf(command, sizeof command,
                 "%s -std=c++17 -O1 -ffp-contract=off -fno-fast-math -fPIC -shared -w %s/full.cpp -o %s/kernels.so 2>> %s/log.txt",
                 compiler, folder, folder, folder);
        status = system(command);
        if (status == 0) p->image = (unsigned char *)read_file((snprintf(path, sizeof path, "%s/kernels.so", folder), path), &size);
    }
    p->size = size;
    free(p->log);
    p->log = read_file((snprintf(path, sizeof path, "%s/log.txt", folder), path), NULL);
    snprintf(command, sizeof command, "rm -rf %s", folder);
    if (system(command) != 0) fprintf(stderr, "stub: could not remove %s\n", folder);
    return p->image ? 0 : NVRTC_ERROR_COMPILATION;
}

int nvrtcCompileProgram(void *handle_in, int count, const char *const *options) {
    return run_mode() ? compile_emulated(handle_in) : 0;
}
int nvrtcGetProgramLogSize(void *handle_in, size_t *size) {
    program *p = handle_in;
    *size = (p->log ? strlen(p->log) : 0) + 1;
    return 0;
}
int nvrtcGetProgramLog(void *handle_in, char *log) {
    program *p = handle_in;
    strcpy(log, p->log ? p->log : "");
    return 0;
}
int nvrtcGetCUBINSize(void *handle_in, size_t *size) {
    program *p = handle_in;
    *size = p->image ? p->size : STUB_CUBIN_BYTES;
    return 0;
}
int nvrtcGetCUBIN(void *handle_in, char *cubin) {
    program *p = handle_in;
    if (p->image) memcpy(cubin, p->image, p->size);
    else memset(cubin, 0, STUB_CUBIN_BYTES);
    return 0;
}
int nvrtcDestroyProgram(void **handle_in) {
    program *p = *handle_in;
    free(p->source);
    free(p->image);
    free(p->log);
    free(p);
    *handle_in = NULL;
    return 0;
}
