#include "peak_probe.h"

#if defined(__x86_64__)
#include <immintrin.h>

// Twelve chains fill the FMA pipes' latency (4 cycles x 2 pipes, with room); the multiplier
// just below one and the tiny addend keep every lane finite for billions of steps.
#define CHAINS(VEC, SET1, FMADD, ADD)                                            \
    const VEC a = SET1(0.999999f), b = SET1(1e-7f);                               \
    VEC c0 = SET1(seed), c1 = SET1(seed + 1), c2 = SET1(seed + 2), c3 = SET1(seed + 3);      \
    VEC c4 = SET1(seed + 4), c5 = SET1(seed + 5), c6 = SET1(seed + 6), c7 = SET1(seed + 7);  \
    VEC c8 = SET1(seed + 8), c9 = SET1(seed + 9), c10 = SET1(seed + 10), c11 = SET1(seed + 11); \
    for (long n = 0; n < iterations; n++) {                                      \
        c0 = FMADD(c0, a, b); c1 = FMADD(c1, a, b); c2 = FMADD(c2, a, b);        \
        c3 = FMADD(c3, a, b); c4 = FMADD(c4, a, b); c5 = FMADD(c5, a, b);        \
        c6 = FMADD(c6, a, b); c7 = FMADD(c7, a, b); c8 = FMADD(c8, a, b);        \
        c9 = FMADD(c9, a, b); c10 = FMADD(c10, a, b); c11 = FMADD(c11, a, b);    \
    }                                                                            \
    VEC sum = ADD(ADD(ADD(c0, c1), ADD(c2, c3)), ADD(ADD(c4, c5), ADD(c6, c7))); \
    sum = ADD(sum, ADD(ADD(c8, c9), ADD(c10, c11)));

__attribute__((target("avx2,fma"), noinline))
float rnrepro_fma_chains_avx2(long iterations, float seed) {
    CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps)
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    float total = 0;
    for (int i = 0; i < 8; i++) total += lanes[i];
    return total;
}

__attribute__((target("avx512f"), noinline))
float rnrepro_fma_chains_avx512(long iterations, float seed) {
    CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps)
    return _mm512_reduce_add_ps(sum);
}

#else

// Elsewhere the probe has no vector units to measure.
float rnrepro_fma_chains_avx2(long iterations, float seed) { (void)iterations; return seed; }
float rnrepro_fma_chains_avx512(long iterations, float seed) { (void)iterations; return seed; }

#endif
