extension CUDAKernelSource {
    /// The fused optimizer steps, each the reference backend's formulas in the same order (the
    /// build turns off fused multiply-add, so each operation rounds as Swift's does). Settings
    /// arrive as doubles in `Scalars` and are rounded once to the parameter's type, as
    /// `S(settings.x)` does; differences such as 1 − β are taken in double on the host.
    ///
    /// Scalars — SGD: lr, momentum, 1 − dampening, weight decay, nesterov, first step.
    /// RMSProp: lr, α, 1 − α, ε, weight decay, momentum, centered.
    /// Adam: β₂, 1 − β₁, 1 − β₂, ε, weight decay, amsgrad, decoupled, 1 − ηλ, step size, √(1 − β₂ᵗ).
    /// Adadelta: lr, ρ, 1 − ρ, ε, weight decay.
    /// Adagrad: the step's lr, ε, weight decay.
    /// Adamax: step size, 1 − β₁, β₂, ε, weight decay.
    /// NAdam: gradient step, average step, 1 − β₁, β₂, 1 − β₂, 1 − β₂ᵗ, ε, weight decay, decoupled, 1 − ηλ.
    ///
    /// Each rule has two kernels: `adam_f32` takes its `Scalars` by value, `adam_live_f32` reads
    /// them from device memory — the form a CUDA graph of a training step captures, so that the
    /// learning rate and Adam's step count can change between replays (see ``CUDALiveValues``).
    /// `live_store` writes those values: a launch whose arguments carry them, so the host never
    /// waits for the GPU to finish reading the previous ones.
    static let optimizer = """
    template <typename T> __device__ __forceinline__ T lerp(T a, T b, T weight) {
        return (weight < T(0) ? -weight : weight) < T(0.5) ? a + weight * (b - a) : b - (b - a) * (T(1) - weight);
    }

    template <typename T> __device__ __forceinline__ void sgd_step(T *theta, const T *gradient, T *b, i64 n, const Scalars &s) {
        GRID_LOOP(i, n) {
            T g = gradient[i];
            if (s.v[3] != 0) g += (T)s.v[3] * theta[i];
            if (s.v[1] != 0) {
                b[i] = s.v[5] != 0 ? g : (T)s.v[1] * b[i] + (T)s.v[2] * g;
                g = s.v[4] != 0 ? g + (T)s.v[1] * b[i] : b[i];
            }
            theta[i] -= (T)s.v[0] * g;
        }
    }

    template <typename T> __device__ __forceinline__ void rmsprop_step(T *theta, const T *gradient, T *v, T *average, T *b,
                                                                   i64 n, const Scalars &s) {
        GRID_LOOP(i, n) {
            T g = gradient[i];
            if (s.v[4] != 0) g += (T)s.v[4] * theta[i];
            v[i] = v[i] * (T)s.v[1] + (T)s.v[2] * g * g;
            T a;
            if (s.v[6] != 0) {
                average[i] = lerp<T>(average[i], g, (T)s.v[2]);
                a = m_sqrt(v[i] - average[i] * average[i]);
            } else {
                a = m_sqrt(v[i]);
            }
            a += (T)s.v[3];
            if (s.v[5] > 0) {
                b[i] = b[i] * (T)s.v[5] + g / a;
                theta[i] -= (T)s.v[0] * b[i];
            } else {
                theta[i] -= (T)s.v[0] * (g / a);
            }
        }
    }

    template <typename T> __device__ __forceinline__ void adam_step(T *theta, const T *gradient, T *m, T *v, T *vMax,
                                                                i64 n, const Scalars &s) {
        GRID_LOOP(i, n) {
            T g = gradient[i];
            if (s.v[4] != 0) {
                if (s.v[6] != 0) theta[i] *= (T)s.v[7];
                else g += (T)s.v[4] * theta[i];
            }
            m[i] = lerp<T>(m[i], g, (T)s.v[1]);
            v[i] = v[i] * (T)s.v[0] + (T)s.v[2] * g * g;
            T second = v[i];
            if (s.v[5] != 0) {
                vMax[i] = v[i] >= vMax[i] ? v[i] : vMax[i];
                second = vMax[i];
            }
            T denominator = m_sqrt(second) / (T)s.v[9] + (T)s.v[3];
            theta[i] -= (T)s.v[8] * (m[i] / denominator);
        }
    }

    template <typename T> __device__ __forceinline__ void adadelta_step(T *theta, const T *gradient, T *v, T *u, i64 n,
                                                                    const Scalars &s) {
        GRID_LOOP(i, n) {
            T g = gradient[i];
            if (s.v[4] != 0) g += (T)s.v[4] * theta[i];
            v[i] = v[i] * (T)s.v[1] + (T)s.v[2] * g * g;
            T e = (T)s.v[3];
            T delta = m_sqrt(u[i] + e) / m_sqrt(v[i] + e) * g;
            u[i] = u[i] * (T)s.v[1] + (T)s.v[2] * delta * delta;
            theta[i] -= (T)s.v[0] * delta;
        }
    }

    template <typename T> __device__ __forceinline__ void adagrad_step(T *theta, const T *gradient, T *sum, i64 n,
                                                                   const Scalars &s) {
        GRID_LOOP(i, n) {
            T g = gradient[i];
            if (s.v[2] != 0) g += (T)s.v[2] * theta[i];
            sum[i] = sum[i] + g * g;
            theta[i] -= (T)s.v[0] * (g / (m_sqrt(sum[i]) + (T)s.v[1]));
        }
    }

    template <typename T> __device__ __forceinline__ void adamax_step(T *theta, const T *gradient, T *m, T *u, i64 n,
                                                                  const Scalars &s) {
        GRID_LOOP(i, n) {
            T g = gradient[i];
            if (s.v[4] != 0) g += (T)s.v[4] * theta[i];
            m[i] = lerp<T>(m[i], g, (T)s.v[1]);
            T decayed = u[i] * (T)s.v[2], fresh = (g < T(0) ? -g : g) + (T)s.v[3];
            u[i] = decayed != decayed || decayed > fresh ? decayed : fresh;
            theta[i] -= (T)s.v[0] * (m[i] / u[i]);
        }
    }

    template <typename T> __device__ __forceinline__ void nadam_step(T *theta, const T *gradient, T *m, T *v, i64 n,
                                                                 const Scalars &s) {
        GRID_LOOP(i, n) {
            T g = gradient[i];
            if (s.v[7] != 0) {
                if (s.v[8] != 0) theta[i] *= (T)s.v[9];
                else g += (T)s.v[7] * theta[i];
            }
            m[i] = lerp<T>(m[i], g, (T)s.v[2]);
            v[i] = v[i] * (T)s.v[3] + (T)s.v[4] * g * g;
            T d = m_sqrt(v[i] / (T)s.v[5]) + (T)s.v[6];
            theta[i] -= (T)s.v[0] * (g / d);
            theta[i] -= (T)s.v[1] * (m[i] / d);
        }
    }

    #define OPTIMIZERS(NAME, T) \\
    extern "C" __global__ void sgd_##NAME(T *theta, const T *gradient, T *b, i64 n, Scalars s) { \\
        sgd_step<T>(theta, gradient, b, n, s); \\
    } \\
    extern "C" __global__ void sgd_live_##NAME(T *theta, const T *gradient, T *b, i64 n, const Scalars *s) { \\
        sgd_step<T>(theta, gradient, b, n, *s); \\
    } \\
    extern "C" __global__ void rmsprop_##NAME(T *theta, const T *gradient, T *v, T *average, T *b, i64 n, Scalars s) { \\
        rmsprop_step<T>(theta, gradient, v, average, b, n, s); \\
    } \\
    extern "C" __global__ void rmsprop_live_##NAME(T *theta, const T *gradient, T *v, T *average, T *b, i64 n, \\
                                                   const Scalars *s) { \\
        rmsprop_step<T>(theta, gradient, v, average, b, n, *s); \\
    } \\
    extern "C" __global__ void adam_##NAME(T *theta, const T *gradient, T *m, T *v, T *vMax, i64 n, Scalars s) { \\
        adam_step<T>(theta, gradient, m, v, vMax, n, s); \\
    } \\
    extern "C" __global__ void adam_live_##NAME(T *theta, const T *gradient, T *m, T *v, T *vMax, i64 n, const Scalars *s) { \\
        adam_step<T>(theta, gradient, m, v, vMax, n, *s); \\
    } \\
    extern "C" __global__ void adadelta_##NAME(T *theta, const T *gradient, T *v, T *u, i64 n, Scalars s) { \\
        adadelta_step<T>(theta, gradient, v, u, n, s); \\
    } \\
    extern "C" __global__ void adadelta_live_##NAME(T *theta, const T *gradient, T *v, T *u, i64 n, const Scalars *s) { \\
        adadelta_step<T>(theta, gradient, v, u, n, *s); \\
    } \\
    extern "C" __global__ void adagrad_##NAME(T *theta, const T *gradient, T *sum, i64 n, Scalars s) { \\
        adagrad_step<T>(theta, gradient, sum, n, s); \\
    } \\
    extern "C" __global__ void adagrad_live_##NAME(T *theta, const T *gradient, T *sum, i64 n, const Scalars *s) { \\
        adagrad_step<T>(theta, gradient, sum, n, *s); \\
    } \\
    extern "C" __global__ void adamax_##NAME(T *theta, const T *gradient, T *m, T *u, i64 n, Scalars s) { \\
        adamax_step<T>(theta, gradient, m, u, n, s); \\
    } \\
    extern "C" __global__ void adamax_live_##NAME(T *theta, const T *gradient, T *m, T *u, i64 n, const Scalars *s) { \\
        adamax_step<T>(theta, gradient, m, u, n, *s); \\
    } \\
    extern "C" __global__ void nadam_##NAME(T *theta, const T *gradient, T *m, T *v, i64 n, Scalars s) { \\
        nadam_step<T>(theta, gradient, m, v, n, s); \\
    } \\
    extern "C" __global__ void nadam_live_##NAME(T *theta, const T *gradient, T *m, T *v, i64 n, const Scalars *s) { \\
        nadam_step<T>(theta, gradient, m, v, n, *s); \\
    }
    OPTIMIZERS(f32, float)
    OPTIMIZERS(f64, double)

    struct LiveWords { u64 w[\(CUDAKernelArgument.liveWordCapacity)]; };

    extern "C" __global__ void live_store(u64 *block, i64 first, i64 count, LiveWords words) {
        GRID_LOOP(i, count) block[first + i] = words.w[i];
    }

    """
}
