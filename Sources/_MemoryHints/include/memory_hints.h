#ifndef RNREPRO_MEMORY_HINTS_H
#define RNREPRO_MEMORY_HINTS_H

/// Memory hints for the matrix kernels, which Swift does not spell: software prefetches (to read
/// or to write) and streaming (non-temporal) stores. They change when data moves between caches
/// and memory, never a value. Inline, so the Swift kernels that call them compile them with their own
/// target (AVX2 for the engine, AVX-512 for `_EngineAVX512`).

typedef float rnrepro_float8 __attribute__((ext_vector_type(8)));
typedef float rnrepro_float16 __attribute__((ext_vector_type(16)));

/// Asks for the cache line at `address` to be brought into L2 (PREFETCHT1 on x86). Never faults,
/// so it may point past the end of a buffer.
static inline __attribute__((always_inline)) void rnrepro_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 2);
}

/// Asks for the cache line at `address` to be brought into L1 (PREFETCHT0): for lines the
/// caller reads within a few thousand cycles, such as a block of C its epilogue adds to.
static inline __attribute__((always_inline)) void rnrepro_prefetch_l1(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Asks for the cache line at `address` in L1 with intent to write (PREFETCHW): for lines the
/// caller overwrites soon, which another core may hold, so the stores need not wait for it.
static inline __attribute__((always_inline)) void rnrepro_prefetch_write(void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// Stores 8 floats at `address` (32-byte aligned) around the caches (VMOVNTPS), for outputs too
/// large to stay in them: no read of the old line first, no eviction of the operands.
static inline __attribute__((always_inline)) void rnrepro_stream8(float *address, rnrepro_float8 value) {
    __builtin_nontemporal_store(value, (rnrepro_float8 *)address);
}

/// The 16-float (64-byte aligned) twin of `rnrepro_stream8`.
static inline __attribute__((always_inline)) void rnrepro_stream16(float *address, rnrepro_float16 value) {
    __builtin_nontemporal_store(value, (rnrepro_float16 *)address);
}

/// Orders streaming stores before every later store (SFENCE): a thread calls it after its last
/// streaming store, so another thread that synchronises with it reads the values.
static inline __attribute__((always_inline)) void rnrepro_store_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_sfence();
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

#endif
