#include "CDescentKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

// MXCSR bits: flush-to-zero (15) makes denormal results 0; denormals-are-zero (6) reads
// denormal inputs as 0.
#define DESCENT_FLUSH_BITS 0x8040u

unsigned long descent_flush_denormals_set(int flush) {
    unsigned int previous = _mm_getcsr();
    _mm_setcsr(flush ? (previous | DESCENT_FLUSH_BITS) : (previous & ~DESCENT_FLUSH_BITS));
    return previous;
}

void descent_flush_denormals_end(unsigned long previous) {
    _mm_setcsr((unsigned int)previous);
}

int descent_denormals_are_flushed(void) {
    return (_mm_getcsr() & DESCENT_FLUSH_BITS) != 0;
}

#elif defined(__aarch64__)

// FPCR bit 24 (FZ) flushes denormal inputs and results to zero.
unsigned long descent_flush_denormals_set(int flush) {
    unsigned long previous;
    __asm__ volatile("mrs %0, fpcr" : "=r"(previous));
    unsigned long next = flush ? (previous | (1ul << 24)) : (previous & ~(1ul << 24));
    __asm__ volatile("msr fpcr, %0" : : "r"(next));
    return previous;
}

void descent_flush_denormals_end(unsigned long previous) {
    __asm__ volatile("msr fpcr, %0" : : "r"(previous));
}

int descent_denormals_are_flushed(void) {
    unsigned long fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    return (fpcr >> 24) & 1;
}

#else

unsigned long descent_flush_denormals_set(int flush) { (void)flush; return 0; }
void descent_flush_denormals_end(unsigned long previous) { (void)previous; }
int descent_denormals_are_flushed(void) { return 0; }

#endif

unsigned long descent_flush_denormals_begin(void) { return descent_flush_denormals_set(1); }
