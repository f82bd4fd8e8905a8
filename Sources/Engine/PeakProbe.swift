import Dispatch
import _EngineAVX512

/// Measures the machine's fused multiply-add peak, so kernel rates can be read as a fraction of
/// what this CPU does in the same run (clock boost and a busy neighbour move both alike).
public enum PeakProbe {
    /// Runs `iterations` steps of 12 independent FMA chains, of the pool's vector width
    /// (`SIMD8<Float>` for AVX2, `SIMD16<Float>` for AVX-512), on each of the pool's threads and
    /// returns GFLOP/s over all threads (2 FLOP per lane per FMA). Twelve chains cover the FMA
    /// latency (4-5 cycles) times the issue rate (2 per cycle) of every x86 core we run on.
    ///
    /// Each thread times its own chains and the threads' rates are added. Timed together, the
    /// threads would give twice the slower one's rate, and on these shared vCPUs one of the two
    /// is often a few per cent slower than the other, at times a fifth. The products' threads
    /// take their work from a queue, so the faster one does more; against a peak read from the
    /// slower thread, a product could reach more than 100 % of it.
    public static func fmaGFLOPS(pool: ThreadPool, iterations: Int = 20_000_000) -> Double {
        let threads = pool.threadCount
        // Per thread: the sum of its chains (read below, so the work is kept) and its seconds.
        let sinks = UnsafeMutablePointer<Float>.allocate(capacity: threads)
        let seconds = UnsafeMutablePointer<Double>.allocate(capacity: threads)
        defer { sinks.deallocate(); seconds.deallocate() }
        let isa = pool.isa
        pool.forEachChunk(threads) { thread in
            let start = DispatchTime.now().uptimeNanoseconds
            sinks[thread] = isa == .avx512
                ? AVX512Kernels.fmaChains(iterations: iterations, seed: Float(thread))
                : fmaChains(iterations: iterations, seed: Float(thread))
            seconds[thread] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        var total: Float = 0
        var rate = 0.0
        let flop = Double(iterations) * 12 * Double(isa.lanes) * 2
        for thread in 0..<threads {
            total += sinks[thread]
            rate += flop / seconds[thread] / 1e9
        }
        precondition(total.isFinite)
        return rate
    }

    @inline(never)
    static func fmaChains(iterations: Int, seed: Float) -> Float {
        // Multiplier just below one and a tiny addend keep every lane finite for 1e9 steps.
        let a = SIMD8<Float>(repeating: 0.999_999)
        let b = SIMD8<Float>(repeating: 1e-7)
        var c0 = SIMD8<Float>(repeating: seed), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3
        var c4 = c0 + 4, c5 = c0 + 5, c6 = c0 + 6, c7 = c0 + 7
        var c8 = c0 + 8, c9 = c0 + 9, c10 = c0 + 10, c11 = c0 + 11
        for _ in 0..<iterations {
            c0 = b.addingProduct(c0, a); c1 = b.addingProduct(c1, a)
            c2 = b.addingProduct(c2, a); c3 = b.addingProduct(c3, a)
            c4 = b.addingProduct(c4, a); c5 = b.addingProduct(c5, a)
            c6 = b.addingProduct(c6, a); c7 = b.addingProduct(c7, a)
            c8 = b.addingProduct(c8, a); c9 = b.addingProduct(c9, a)
            c10 = b.addingProduct(c10, a); c11 = b.addingProduct(c11, a)
        }
        let sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11))
        return sum.sum()
    }
}
