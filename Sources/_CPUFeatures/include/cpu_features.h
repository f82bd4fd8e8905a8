#ifndef RNREPRO_CPU_FEATURES_H
#define RNREPRO_CPU_FEATURES_H

/// 1 when this CPU and the operating system support AVX-512 F, CD, BW, DQ and VL (the
/// features LLVM's `skylake-avx512` target assumes), 0 otherwise and on other architectures.
int rnrepro_cpu_supports_avx512(void);

#endif
