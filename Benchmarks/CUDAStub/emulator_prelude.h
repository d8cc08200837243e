// What a CUDA kernel source needs to compile as C++ and run on the CPU, for the stub driver's
// run mode (cuda_stub.c, STUB_RUN=<this file>): its NVRTC compiles each kernel group with the
// host's C++ compiler, this header first and a registration line per kernel after, into a shared
// library that its cuLaunchKernel calls. Descent's kernels use little of CUDA: the thread and
// block indices, grid-stride loops, one block-wide reduction with __shared__ memory and
// __syncthreads, one atomicAdd and two bit casts.
//
// Blocks run one after another, and a block's threads one after another on the calling thread:
// each thread is a plain call, except in a group that synchronizes (EMU_COOPERATIVE, set by the
// stub where the source has __syncthreads), where each thread is a ucontext fiber and
// __syncthreads switches to the next one, so that all of a block's threads reach the barrier
// before any passes it. __shared__ arrays are static: one block runs at a time (per calling
// thread: the indices, the fibers and the shared arrays are thread_local, so that two host
// threads may launch at once).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>
#if EMU_COOPERATIVE
#include <ucontext.h>
#endif

using std::exp; using std::log; using std::sqrt; using std::fabs; using std::tanh; using std::log1p; using std::erf;
using std::pow;

#define __device__
#define __forceinline__ inline
// A mark that survives the preprocessor: the stub finds the kernels' names by it.
#define __global__ __attribute__((annotate("emu_kernel")))
#define __shared__ static thread_local

struct emu_dim3 { unsigned x, y, z; };
static thread_local emu_dim3 threadIdx, blockIdx, blockDim, gridDim;

inline float __int_as_float(int bits) { float value; std::memcpy(&value, &bits, sizeof value); return value; }
inline double __longlong_as_double(long long bits) { double value; std::memcpy(&value, &bits, sizeof value); return value; }
// Threads run one at a time: an atomic add is an add.
template <typename T> inline T atomicAdd(T *address, T value) { T old = *address; *address = old + value; return old; }

namespace emu {

/// Runs `thread` for every thread of every block of a 1-D launch.
template <typename Body> void run_grid(unsigned blocks, unsigned threads, Body thread);

#if EMU_COOPERATIVE
struct Fiber { ucontext_t context; std::vector<char> stack; bool finished; };
static thread_local std::vector<Fiber> fibers;
static thread_local ucontext_t scheduler;
static thread_local unsigned running;
static thread_local void (*fiber_body)(void *);
static thread_local void *fiber_argument;

static void fiber_start() {
    fiber_body(fiber_argument);
    fibers[running].finished = true;
}

/// Back to the scheduler, which runs the block's other threads up to the barrier (or their end).
inline void sync_threads() {
    unsigned self = running;
    swapcontext(&fibers[self].context, &scheduler);
    threadIdx.x = self;
}

template <typename Body> void run_grid(unsigned blocks, unsigned threads, Body thread) {
    fibers.resize(threads);
    for (Fiber &fiber : fibers) fiber.stack.resize(256 * 1024);
    fiber_body = [](void *body) { (*static_cast<Body *>(body))(); };
    fiber_argument = &thread;
    for (unsigned block = 0; block < blocks; ++block) {
        blockIdx.x = block;
        for (unsigned t = 0; t < threads; ++t) {
            Fiber &fiber = fibers[t];
            fiber.finished = false;
            getcontext(&fiber.context);
            fiber.context.uc_stack.ss_sp = fiber.stack.data();
            fiber.context.uc_stack.ss_size = fiber.stack.size();
            fiber.context.uc_link = &scheduler;
            makecontext(&fiber.context, fiber_start, 0);
        }
        // Round after round, every unfinished thread runs to its next barrier or its end.
        for (bool left = true; left;) {
            left = false;
            for (unsigned t = 0; t < threads; ++t) {
                if (fibers[t].finished) continue;
                running = t;
                threadIdx.x = t;
                swapcontext(&scheduler, &fibers[t].context);
                left = left || !fibers[t].finished;
            }
        }
    }
}
#define __syncthreads() emu::sync_threads()
#else
template <typename Body> void run_grid(unsigned blocks, unsigned threads, Body thread) {
    for (unsigned block = 0; block < blocks; ++block) {
        blockIdx.x = block;
        for (unsigned t = 0; t < threads; ++t) {
            threadIdx.x = t;
            thread();
        }
    }
}
#define __syncthreads() static_assert(false, "__syncthreads needs EMU_COOPERATIVE")
#endif

/// A kernel's entry for the stub: its launcher and its parameters' sizes.
struct Kernel {
    void (*launch)(void **parameters, unsigned blocks, unsigned threads);
    std::vector<size_t> sizes;
};

inline std::map<std::string, Kernel> &kernels() {
    static std::map<std::string, Kernel> table;
    return table;
}

template <typename... A, size_t... I>
void call(void (*kernel)(A...), void **parameters, std::index_sequence<I...>) {
    kernel(*static_cast<std::remove_cv_t<std::remove_reference_t<A>> *>(parameters[I])...);
}

template <typename... A> constexpr size_t arity(void (*)(A...)) { return sizeof...(A); }

template <typename... A> std::vector<size_t> parameter_sizes(void (*)(A...)) {
    return {sizeof(std::remove_cv_t<std::remove_reference_t<A>>)...};
}

}  // namespace emu

/// Registers kernel NAME: a launcher that unpacks cuLaunchKernel's parameter pointers by the
/// kernel's own parameter types, and those types' sizes (for a captured launch's copy).
#define EMU_REGISTER(NAME)                                                                          \
    static void emu_launch_##NAME(void **parameters, unsigned blocks, unsigned threads) {           \
        blockDim = {threads, 1, 1};                                                                 \
        gridDim = {blocks, 1, 1};                                                                   \
        emu::run_grid(blocks, threads, [&] {                                                        \
            emu::call(NAME, parameters, std::make_index_sequence<emu::arity(NAME)>{});              \
        });                                                                                         \
    }                                                                                               \
    static const bool emu_registered_##NAME = [] {                                                  \
        emu::kernels()[#NAME] = {emu_launch_##NAME, emu::parameter_sizes(NAME)};                    \
        return true;                                                                                \
    }();

/// The stub's way in: runs kernel `name` (0), or says it has no such kernel (1).
extern "C" __attribute__((visibility("default"))) int emu_launch(const char *name, void **parameters, unsigned blocks,
                                                                 unsigned threads) {
    auto found = emu::kernels().find(name);
    if (found == emu::kernels().end()) return 1;
    found->second.launch(parameters, blocks, threads);
    return 0;
}

/// The sizes of kernel `name`'s parameters, at most `capacity` of them; their count, or −1.
extern "C" __attribute__((visibility("default"))) int emu_parameter_sizes(const char *name, size_t *sizes, int capacity) {
    auto found = emu::kernels().find(name);
    if (found == emu::kernels().end()) return -1;
    int count = (int)found->second.sizes.size();
    for (int i = 0; i < count && i < capacity; ++i) sizes[i] = found->second.sizes[i];
    return count;
}
