#ifndef RNREPRO_PEAK_PROBE_H
#define RNREPRO_PEAK_PROBE_H

/// `iterations` steps of 12 independent FMA chains, c = c * 0.999999 + 1e-7, on 8 lanes
/// (AVX2 + FMA) or 16 (AVX-512 F): the most floating-point work a core can retire, which
/// `rnrepro bench` measures the matrix kernels against. Returns a sum of the chains, so the
/// work cannot be dropped. Call the AVX-512 one only where the CPU has it.
float rnrepro_fma_chains_avx2(long iterations, float seed);
float rnrepro_fma_chains_avx512(long iterations, float seed);

#endif
