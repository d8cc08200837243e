#include "CDescentKernels.h"

int descent_cpu_has_avx2_fma(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int descent_cpu_has_avx512(void) {
#if defined(__x86_64__)
    // The compiler runtime's check includes the OS's: that it saves the zmm registers (XCR0).
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}
