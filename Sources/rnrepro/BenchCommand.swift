import ArgumentParser
import Dispatch
import Engine
import Foundation

/// `rnrepro bench`: measurements, not tests.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the engine's speed.",
        subcommands: [KernelsBench.self, BenchTrain.self]
    )
}

/// `rnrepro bench kernels`: GFLOP/s of the g-layer products and the conv stem, beside the FMA
/// peak measured in the same run.
struct KernelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "GFLOP/s of the GEMM shapes of RN's g layers, of the conv layers, and the FMA peak.",
        discussion: """
            Shapes are those of one RN training step at batch 64: g's products are \
            (64 x 625) x 256 by 256 x 256. Each kernel runs --repeats times, taking turns with \
            the others of its group (the three products, the conv layers); the best time is \
            reported, and the median of the runs beside it (far above the best, it says that a \
            busy neighbour slowed the runs). The FMA peak is the highest of short probes taken \
            before every timed run and three at the end, in the vector width of --isa: each \
            thread runs FMA chains until a common deadline, and their rates are added. The line \
            before the last gives each product's share of it. The last line is machine-readable.
            """
    )

    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: "Timed repetitions per kernel; the best is reported, and their median.")
    var repeats = 10

    @Option(help: "Batch size of the shapes.")
    var batch = 64

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats))") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1 (got \(batch))") }
    }

    func run() throws {
        let pool = try threadOptions.makePool()
        KernelBenchmark(pool: pool, repeats: repeats, batch: batch).run()
    }
}

/// The benchmark body, outside `run()` so no state is main-actor isolated.
final class KernelBenchmark {
    let pool: ThreadPool
    let repeats: Int
    let batch: Int
    /// The highest FMA peak sampled so far.
    private(set) var peak = 0.0
    /// The operands' memory.
    private var slabs: [Slab] = []

    init(pool: ThreadPool, repeats: Int, batch: Int) {
        self.pool = pool
        self.repeats = repeats
        self.batch = batch
    }

    /// The wall times of `repeats` runs of each of `bodies` (one untimed warm-up of each first).
    /// The bodies take turns: each round runs every one of them once.
    ///
    /// These vCPUs are shared, and a busy neighbour can take half the products' throughput for
    /// seconds at a time; run back to back, all the repeats of one kernel could fall in such a
    /// stretch. Taking turns spreads each kernel's runs over the whole measurement. A short FMA
    /// probe runs before each timed run, so the peak is sampled at the same moments as the
    /// kernels (the clock moves by tens of per cent within a minute). The highest sample is
    /// reported, so the kernels' fractions of it are if anything low.
    func timings(_ bodies: [() -> Void]) -> [Timing] {
        for body in bodies { body() }
        var seconds = [[Double]](repeating: [], count: bodies.count)
        for _ in 0..<repeats {
            for (index, body) in bodies.enumerated() {
                peak = max(peak, PeakProbe.fmaGFLOPS(pool: pool, seconds: 0.012))
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                seconds[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
        }
        return seconds.map(Timing.init)
    }

    /// `count` random values in [-1, 1), in a slab of their own as training's tensors are
    /// (aligned, and on huge pages when large); the slab lives as long as the benchmark.
    func randomBuffer(_ count: Int, stream: UInt32) -> UnsafeMutablePointer<Float> {
        let slab = Slab(count: count)
        slabs.append(slab)
        let buffer = slab.base
        var random = RandomStream(seed: 1, domain: .synthetic, stream, 0)
        for index in 0..<count { buffer[index] = random.nextUnitFloat() * 2 - 1 }
        return buffer
    }

    /// Prints a kernel's best time and its rate, then its median time, and returns the rate.
    func line(_ name: String, flop: Double, timing: Timing) -> Double {
        let rate = flop / timing.best / 1e9
        print(
            "\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(format(timing.best * 1e3, 2)) ms  "
                + "\(format(rate, 1)) GFLOP/s  (median \(format(timing.median * 1e3, 2)) ms)")
        return rate
    }

    func format(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    func run() {
        print("threads=\(pool.threadCount) isa=\(pool.isa) repeats=\(repeats) batch=\(batch)")
        let hidden = 256
        let rows = batch * 625
        let flop = 2.0 * Double(rows) * Double(hidden) * Double(hidden)
        let x = randomBuffer(rows * hidden, stream: 1)
        let y = randomBuffer(rows * hidden, stream: 2)
        let dY = randomBuffer(rows * hidden, stream: 3)
        let dX = randomBuffer(rows * hidden, stream: 4)
        let w = randomBuffer(hidden * hidden, stream: 5)
        let dW = randomBuffer(hidden * hidden, stream: 6)
        let bias = randomBuffer(hidden, stream: 7)
        let dBias = randomBuffer(hidden, stream: 8)

        let shape = "\(rows)x\(hidden)x\(hidden)"
        let products = timings([
            { GEMM.forward(x: x, w: w, bias: bias, y: y, m: rows, n: hidden, k: hidden, relu: true, pool: self.pool) },
            // The backward products as g's layers run them: dY arrives with the layer's ReLU
            // mask applied (dZ), and dX is stored with the mask of the layer below, [X > 0].
            {
                GEMM.backwardInput(
                    dY: dY, w: w, dX: dX, m: rows, n: hidden, k: hidden, inputMask: x, pool: self.pool)
            },
            {
                GEMM.backwardWeight(
                    dY: dY, x: x, dW: dW, dBias: dBias, m: rows, n: hidden, k: hidden, pool: self.pool)
            },
        ])
        let forward = line("gemm forward Y=relu(XW^T+b) \(shape)", flop: flop, timing: products[0])
        let backwardInput = line("gemm backward dX=(dZ W).[X>0] \(shape)", flop: flop, timing: products[1])
        let backwardWeight = line("gemm backward dW=dZ^T X, db \(shape)", flop: flop, timing: products[2])

        benchConvolutions()

        for _ in 0..<3 { peak = max(peak, PeakProbe.fmaGFLOPS(pool: pool)) }
        print("fma peak (12 SIMD\(pool.isa.lanes) FMA chains x \(pool.threadCount) threads)".padding(toLength: 56, withPad: " ", startingAt: 0) + "  \(format(peak, 1)) GFLOP/s")
        let shares = [("forward", forward), ("dX", backwardInput), ("dW", backwardWeight)]
            .map { "\($0.0) \(format(100 * $0.1 / peak, 1)) %" }
        print("gemm share of the fma peak: " + shares.joined(separator: ", "))
        print("gemm_fwd_gflops=\(format(forward, 1)) gemm_dx_gflops=\(format(backwardInput, 1)) gemm_dw_gflops=\(format(backwardWeight, 1)) peak_gflops=\(format(peak, 1))")
    }

    /// The four stem layers at the benchmark's batch, forward (with bias and ReLU) and backward
    /// (with the ReLU mask; dX for layers 2-4 only, as in training), all eight taking turns.
    func benchConvolutions() {
        var names: [String] = [], flops: [Double] = [], bodies: [() -> Void] = []
        var side = 75
        for layer in 1...4 {
            let shape = ConvolutionShape(
                batch: batch, inChannels: layer == 1 ? 3 : 24, outChannels: 24, inHeight: side, inWidth: side)
            side = shape.outHeight
            let x = randomBuffer(shape.inputCount, stream: 20)
            let weight = randomBuffer(shape.weightCount, stream: 21)
            let bias = randomBuffer(shape.outChannels, stream: 22)
            let y = randomBuffer(shape.outputCount, stream: 23)
            let dY = randomBuffer(shape.outputCount, stream: 24)
            let dX = randomBuffer(shape.inputCount, stream: 25)
            let dWeight = randomBuffer(shape.weightCount, stream: 26)
            let dBias = randomBuffer(shape.outChannels, stream: 27)
            let flop = 2.0 * Double(shape.multiplyAccumulates)
            let name = "conv\(layer) \(shape.inChannels)x\(shape.inHeight)x\(shape.inWidth) -> 24x\(shape.outHeight)x\(shape.outWidth)"
            names += ["\(name) forward", "\(name) backward"]
            flops += [flop, flop * (layer == 1 ? 1 : 2)]
            bodies.append {
                Convolution.forward(x: x, weight: weight, bias: bias, y: y, shape: shape, relu: true, pool: self.pool)
            }
            bodies.append {
                Convolution.backward(
                    dY: dY, x: x, weight: weight, reluOutput: y, dX: layer == 1 ? nil : dX, dWeight: dWeight,
                    dBias: dBias, shape: shape, pool: self.pool)
            }
        }
        for (index, timing) in timings(bodies).enumerated() {
            _ = line(names[index], flop: flops[index], timing: timing)
        }
    }
}

/// One kernel's wall times over the benchmark's rounds: the best, which the rates are computed
/// from, and the median, which says how steady the rounds were. A neighbour busy in some rounds
/// pulls the median away from the best; one busy through all of them slows every round alike,
/// so a median close to the best does not prove a quiet host.
struct Timing {
    let best: Double
    let median: Double

    /// The lower median of an even count, so that it is always one of the times measured.
    init(_ seconds: [Double]) {
        precondition(!seconds.isEmpty, "a kernel runs at least once")
        let sorted = seconds.sorted()
        best = sorted[0]
        median = sorted[(sorted.count - 1) / 2]
    }
}
