#include "cpu_features.h"

int rnrepro_cpu_supports_avx512(void) {
#if defined(__x86_64__)
    // The compiler runtime reads CPUID and XGETBV, so the answer is also false when the
    // operating system does not save the ZMM registers.
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}
