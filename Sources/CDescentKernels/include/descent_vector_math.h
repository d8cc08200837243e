#ifndef DESCENT_VECTOR_MATH_H
#define DESCENT_VECTOR_MATH_H

// Square roots of eight values as packed instructions, for Swift code written on SIMD8.
//
// Swift's `Float.squareRoot()` keeps C's errno semantics: a test and a call to `sqrtf` for
// negative inputs around every `sqrtss`. That stops loops from vectorizing, and `SIMD8`'s
// generic `squareRoot()` is that scalar call eight times. Clang's elementwise builtin has no
// errno and compiles to `sqrtps`/`sqrtpd`. These are inline, so they cost no call.
// Swift imports the vector types as SIMD8<Float> and SIMD8<Double>.

typedef float descent_float8 __attribute__((ext_vector_type(8)));
typedef double descent_double8 __attribute__((ext_vector_type(8)));

static inline descent_float8 descent_square_root_float8(descent_float8 x) {
    return __builtin_elementwise_sqrt(x);
}

static inline descent_double8 descent_square_root_double8(descent_double8 x) {
    return __builtin_elementwise_sqrt(x);
}

#endif
