import Dispatch
import Engine
import _PeakProbe

/// Measures the machine's fused multiply-add peak, so kernel rates can be read as a fraction of
/// what this CPU does in the same run (clock boost and a busy neighbour move both alike).
enum PeakProbe {
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
    static func fmaGFLOPS(pool: ThreadPool, seconds: Double = 0.05) -> Double {
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
                    ? rnrepro_fma_chains_avx512(batch, Float(thread))
                    : rnrepro_fma_chains_avx2(batch, Float(thread))
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
}
