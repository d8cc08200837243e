extension CUDAKernelSource {
    /// The counter-based random numbers of `CounterRandom`, bit for bit: Philox-4×32-10, the
    /// 32-bit and 16-bit streams' layouts, uniform numbers and dropout masks. The `_live` kernels
    /// read their seed and offset from device memory, for a captured training step whose dropout
    /// masks change from one replay to the next (see ``CUDALiveValues``).
    static let random = """
    __device__ __forceinline__ u32 philox_word(int word, u64 block, u64 seed) {
        u32 c0 = (u32)block, c1 = (u32)(block >> 32), c2 = 0, c3 = 0;
        u32 k0 = (u32)seed, k1 = (u32)(seed >> 32);
        for (int round = 0; round < 10; ++round) {
            if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
            u64 p0 = 0xD2511F53ull * (u64)c0;
            u64 p1 = 0xCD9E8D57ull * (u64)c2;
            u32 n0 = (u32)(p1 >> 32) ^ c1 ^ k0, n1 = (u32)p1;
            u32 n2 = (u32)(p0 >> 32) ^ c3 ^ k1, n3 = (u32)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        }
        return word == 0 ? c0 : (word == 1 ? c1 : (word == 2 ? c2 : c3));
    }

    __device__ __forceinline__ u32 random_bits(u64 seed, u64 position) {
        u64 group = position / 32, rest = position % 32;
        return philox_word((int)(rest / 8), 8 * group + rest % 8, seed);
    }

    __device__ __forceinline__ u32 random_bits16(u64 seed, u64 position) {
        u64 group = position / 64, rest = position % 64;
        u32 word = philox_word((int)(rest / 16), 8 * group + rest % 8, seed);
        return ((rest / 8) % 2 == 0 ? word : word >> 16) & 0xFFFFu;
    }

    __device__ __forceinline__ float unit_f32(u32 bits) { return (float)(bits >> 8) * 5.9604644775390625e-8f; }
    __device__ __forceinline__ double unit_f64(u32 bits) { return (double)bits * 2.3283064365386962890625e-10; }

    #define RANDOM(NAME, T) \\
    extern "C" __global__ void random_uniform_##NAME(T *y, i64 n, u64 seed, u64 offset) { \\
        GRID_LOOP(i, n) y[i] = unit_##NAME(random_bits(seed, offset + (u64)i)); \\
    } \\
    extern "C" __global__ void bernoulli_##NAME(T *y, i64 n, u64 seed, u64 offset, u32 threshold, double value) { \\
        GRID_LOOP(i, n) y[i] = random_bits16(seed, offset + (u64)i) < threshold ? (T)value : T(0); \\
    } \\
    extern "C" __global__ void random_uniform_live_##NAME(T *y, i64 n, const u64 *key) { \\
        u64 seed = key[0], offset = key[1]; \\
        GRID_LOOP(i, n) y[i] = unit_##NAME(random_bits(seed, offset + (u64)i)); \\
    } \\
    extern "C" __global__ void bernoulli_live_##NAME(T *y, i64 n, const u64 *key, u32 threshold, double value) { \\
        u64 seed = key[0], offset = key[1]; \\
        GRID_LOOP(i, n) y[i] = random_bits16(seed, offset + (u64)i) < threshold ? (T)value : T(0); \\
    }
    RANDOM(f32, float)
    RANDOM(f64, double)

    """
}
