// Hand-written declarations of the parts of the CUDA driver API, cuBLAS and NVRTC that Descent
// calls. Nothing here links against CUDA: the libraries are opened with dlopen at run time and
// each function is looked up by name (its current, versioned symbol) and called through these
// pointer types, so the package builds and runs on machines without CUDA. The types and values
// are those of the public CUDA 12/13 ABI, which NVIDIA keeps stable.
#ifndef DESCENT_CUDA_H
#define DESCENT_CUDA_H

#include <stddef.h>

// MARK: Driver API (libcuda.so.1)

typedef int DCUresult;                    // CUresult: 0 is CUDA_SUCCESS
typedef int DCUdevice;                    // CUdevice: an ordinal
typedef void *DCUcontext;                 // CUcontext
typedef void *DCUstream;                  // CUstream
typedef void *DCUmodule;                  // CUmodule
typedef void *DCUfunction;                // CUfunction
typedef void *DCUmemoryPool;              // CUmemoryPool
typedef void *DCUgraph;                   // CUgraph
typedef void *DCUgraphExec;               // CUgraphExec
typedef void *DCUgraphNode;               // CUgraphNode
typedef unsigned long long DCUdeviceptr;  // CUdeviceptr (64-bit on every supported platform)

// CUdevice_attribute values used here.
enum {
    DCU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
    DCU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    DCU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
    DCU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115,
};
// CUmemPool_attribute: the bytes a pool keeps reserved when the stream synchronizes.
enum { DCU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4 };
// CUstream_flags: a stream that does not synchronize with the legacy default stream.
enum { DCU_STREAM_NON_BLOCKING = 1 };

typedef DCUresult (*DPFN_cuInit)(unsigned int flags);
typedef DCUresult (*DPFN_cuDriverGetVersion)(int *version);
typedef DCUresult (*DPFN_cuGetErrorName)(DCUresult error, const char **name);
typedef DCUresult (*DPFN_cuGetErrorString)(DCUresult error, const char **string);
typedef DCUresult (*DPFN_cuDeviceGetCount)(int *count);
typedef DCUresult (*DPFN_cuDeviceGet)(DCUdevice *device, int ordinal);
typedef DCUresult (*DPFN_cuDeviceGetName)(char *name, int length, DCUdevice device);
typedef DCUresult (*DPFN_cuDeviceGetAttribute)(int *value, int attribute, DCUdevice device);
typedef DCUresult (*DPFN_cuDeviceTotalMem)(size_t *bytes, DCUdevice device);
typedef DCUresult (*DPFN_cuDevicePrimaryCtxRetain)(DCUcontext *context, DCUdevice device);
typedef DCUresult (*DPFN_cuCtxSetCurrent)(DCUcontext context);
typedef DCUresult (*DPFN_cuStreamCreate)(DCUstream *stream, unsigned int flags);
typedef DCUresult (*DPFN_cuStreamSynchronize)(DCUstream stream);
typedef DCUresult (*DPFN_cuDeviceGetDefaultMemPool)(DCUmemoryPool *pool, DCUdevice device);
typedef DCUresult (*DPFN_cuMemPoolSetAttribute)(DCUmemoryPool pool, int attribute, void *value);
typedef DCUresult (*DPFN_cuMemAllocAsync)(DCUdeviceptr *pointer, size_t bytes, DCUstream stream);
typedef DCUresult (*DPFN_cuMemFreeAsync)(DCUdeviceptr pointer, DCUstream stream);
typedef DCUresult (*DPFN_cuMemcpyHtoDAsync)(DCUdeviceptr destination, const void *source, size_t bytes, DCUstream stream);
typedef DCUresult (*DPFN_cuMemcpyDtoHAsync)(void *destination, DCUdeviceptr source, size_t bytes, DCUstream stream);
typedef DCUresult (*DPFN_cuMemcpyDtoDAsync)(DCUdeviceptr destination, DCUdeviceptr source, size_t bytes, DCUstream stream);
typedef DCUresult (*DPFN_cuMemsetD8Async)(DCUdeviceptr destination, unsigned char value, size_t count, DCUstream stream);
typedef DCUresult (*DPFN_cuMemsetD32Async)(DCUdeviceptr destination, unsigned int value, size_t count, DCUstream stream);
typedef DCUresult (*DPFN_cuModuleLoadData)(DCUmodule *module, const void *image);
typedef DCUresult (*DPFN_cuModuleGetFunction)(DCUfunction *function, DCUmodule module, const char *name);
typedef DCUresult (*DPFN_cuLaunchKernel)(DCUfunction function,
                                         unsigned int gridX, unsigned int gridY, unsigned int gridZ,
                                         unsigned int blockX, unsigned int blockY, unsigned int blockZ,
                                         unsigned int sharedBytes, DCUstream stream, void **parameters, void **extra);

// MARK: Driver API: CUDA graphs and pinned host memory (resolved only when a graph is made)

// CUstreamCaptureMode: what the capturing thread may not call while it captures (see
// CUDAGraphAPI for the choice).
enum {
    DCU_STREAM_CAPTURE_MODE_GLOBAL = 0,
    DCU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1,
    DCU_STREAM_CAPTURE_MODE_RELAXED = 2,
};
// CUgraphNodeType values used here: the graph's memory nodes.
enum { DCU_GRAPH_NODE_TYPE_MEM_ALLOC = 10, DCU_GRAPH_NODE_TYPE_MEM_FREE = 11 };
// CUgraphInstantiate_flags.
enum { DCUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH = 1 };

// cuStreamBeginCapture is #defined to cuStreamBeginCapture_v2 since CUDA 10.1 (the unversioned
// symbol is the old ABI without a mode), cuGraphInstantiate to cuGraphInstantiateWithFlags since
// CUDA 12 (the unversioned symbol takes an error node and a log buffer instead of flags).
typedef DCUresult (*DPFN_cuStreamBeginCapture)(DCUstream stream, int mode);
typedef DCUresult (*DPFN_cuStreamEndCapture)(DCUstream stream, DCUgraph *graph);
typedef DCUresult (*DPFN_cuGraphInstantiateWithFlags)(DCUgraphExec *exec, DCUgraph graph, unsigned long long flags);
typedef DCUresult (*DPFN_cuGraphLaunch)(DCUgraphExec exec, DCUstream stream);
typedef DCUresult (*DPFN_cuGraphExecDestroy)(DCUgraphExec exec);
typedef DCUresult (*DPFN_cuGraphDestroy)(DCUgraph graph);
typedef DCUresult (*DPFN_cuGraphGetNodes)(DCUgraph graph, DCUgraphNode *nodes, size_t *count);
typedef DCUresult (*DPFN_cuGraphNodeGetType)(DCUgraphNode node, int *type);
typedef DCUresult (*DPFN_cuMemHostAlloc)(void **pointer, size_t bytes, unsigned int flags);
typedef DCUresult (*DPFN_cuMemFreeHost)(void *pointer);

// MARK: cuBLAS (libcublas.so.13 or .12)

typedef int DcublasStatus;               // cublasStatus_t: 0 is CUBLAS_STATUS_SUCCESS
typedef void *DcublasHandle;             // cublasHandle_t
enum { DCUBLAS_OP_N = 0, DCUBLAS_OP_T = 1 };
// cublasMath_t: the default keeps float products in float; TF32 tensor cores only when asked.
enum { DCUBLAS_DEFAULT_MATH = 0, DCUBLAS_TF32_TENSOR_OP_MATH = 3 };

typedef DcublasStatus (*DPFN_cublasCreate)(DcublasHandle *handle);
typedef DcublasStatus (*DPFN_cublasSetStream)(DcublasHandle handle, DCUstream stream);
typedef DcublasStatus (*DPFN_cublasSetMathMode)(DcublasHandle handle, int mode);
typedef DcublasStatus (*DPFN_cublasSetWorkspace)(DcublasHandle handle, void *workspace, size_t bytes);
typedef const char *(*DPFN_cublasGetStatusName)(DcublasStatus status);
typedef DcublasStatus (*DPFN_cublasSgemmStridedBatched)(
    DcublasHandle handle, int transA, int transB, int m, int n, int k,
    const float *alpha, const float *a, int lda, long long strideA,
    const float *b, int ldb, long long strideB,
    const float *beta, float *c, int ldc, long long strideC, int batchCount);
typedef DcublasStatus (*DPFN_cublasDgemmStridedBatched)(
    DcublasHandle handle, int transA, int transB, int m, int n, int k,
    const double *alpha, const double *a, int lda, long long strideA,
    const double *b, int ldb, long long strideB,
    const double *beta, double *c, int ldc, long long strideC, int batchCount);

// MARK: NVRTC (libnvrtc.so.13 or .12)

typedef int DnvrtcResult;                // nvrtcResult: 0 is NVRTC_SUCCESS
typedef void *DnvrtcProgram;             // nvrtcProgram

typedef DnvrtcResult (*DPFN_nvrtcVersion)(int *major, int *minor);
typedef const char *(*DPFN_nvrtcGetErrorString)(DnvrtcResult result);
typedef DnvrtcResult (*DPFN_nvrtcCreateProgram)(DnvrtcProgram *program, const char *source, const char *name,
                                               int headerCount, const char *const *headers,
                                               const char *const *includeNames);
typedef DnvrtcResult (*DPFN_nvrtcCompileProgram)(DnvrtcProgram program, int optionCount, const char *const *options);
typedef DnvrtcResult (*DPFN_nvrtcGetProgramLogSize)(DnvrtcProgram program, size_t *size);
typedef DnvrtcResult (*DPFN_nvrtcGetProgramLog)(DnvrtcProgram program, char *log);
typedef DnvrtcResult (*DPFN_nvrtcGetCUBINSize)(DnvrtcProgram program, size_t *size);
typedef DnvrtcResult (*DPFN_nvrtcGetCUBIN)(DnvrtcProgram program, char *cubin);
typedef DnvrtcResult (*DPFN_nvrtcDestroyProgram)(DnvrtcProgram *program);

// MARK: Opening libraries

/// dlopen(path, RTLD_NOW | RTLD_LOCAL); on failure NULL, with dlerror's message copied into
/// `error` (at most `capacity` bytes, NUL-terminated).
void *descent_cuda_open(const char *path, char *error, size_t capacity);
/// dlsym(library, name), or NULL.
void *descent_cuda_symbol(void *library, const char *name);

#endif
