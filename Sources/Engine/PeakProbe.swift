import Dispatch
import _EngineAVX512

/// Measures the machine's fused multiply-add peak, so kernel rates can be read as a fraction of
/// what this CPU does in the same run (clock boost and a busy neighbour move both alike).
public enum PeakProbe {
    /// Runs 12 independent FMA chains, of the pool's vector width (`SIMD8<Float>` for AVX2,
    /// `SIMD16<Float>` for AVX-512), on each of the pool's threads for `seconds`, and returns
    /// GFLOP/s over all threads (2 FLOP per lane per FMA). Twelve chains cover the FMA latency
    /// (4-5 cycles) times the issue rate (2 per cycle) of every x86 core we run on.
    ///
    /// Every thread runs until the same deadline, in short batches, and its rate is its work
    /// over the time from the common start to its own last batch's end; the rates are added.
    /// So a thread slower than the other (on these shared vCPUs one of the two often is, by a
    /// few per cent, at times a fifth) counts at its own speed, as in the products, whose
    /// threads take their work from a queue. Timed together over a fixed amount of work, the
    /// threads would give twice the slower one's rate, which a product could exceed; timed
    /// each over its own fixed work, more threads than cores would run one after another and
    /// each count as a whole core.
    public static func fmaGFLOPS(pool: ThreadPool, seconds: Double = 0.05) -> Double {
        let threads = pool.threadCount
        let isa = pool.isa
        // About 40 to 100 microseconds per batch on the CPUs we run on: a thread overruns the
        // deadline by at most that, and its own end time counts it.
        let batch = 20_000
        let flopPerBatch = Double(batch) * 12 * Double(isa.lanes) * 2
        // Per thread: the sum of its chains (read below, so the work is kept) and its rate.
        let sinks = UnsafeMutablePointer<Float>.allocate(capacity: threads)
        let rates = UnsafeMutablePointer<Double>.allocate(capacity: threads)
        defer { sinks.deallocate(); rates.deallocate() }
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds * 1e9)
        pool.forEachChunk(threads) { thread in
            var sink: Float = 0, batches = 0, now = DispatchTime.now().uptimeNanoseconds
            while now < deadline {
                sink += isa == .avx512
                    ? AVX512Kernels.fmaChains(iterations: batch, seed: Float(thread))
                    : fmaChains(iterations: batch, seed: Float(thread))
                batches += 1
                now = DispatchTime.now().uptimeNanoseconds
            }
            sinks[thread] = sink
            rates[thread] = Double(batches) * flopPerBatch / (Double(now - start) / 1e9) / 1e9
        }
        var total: Float = 0
        var rate = 0.0
        for thread in 0..<threads {
            total += sinks[thread]
            rate += rates[thread]
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
