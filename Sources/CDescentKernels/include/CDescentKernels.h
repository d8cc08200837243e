#ifndef CDESCENT_KERNELS_H
#define CDESCENT_KERNELS_H

/// Returns 1 when this CPU can run the AVX2 + FMA kernels, else 0.
int descent_cpu_has_avx2_fma(void);

#endif
