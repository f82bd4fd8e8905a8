import Dispatch
import Foundation

/// Runs work on a fixed number of threads with a partition of the work that does not depend on
/// that number.
///
/// Determinism rule: callers split their work into `chunks` whose boundaries are a function of
/// the problem size only. Each chunk is computed by exactly one thread, in the same order of
/// operations whatever the thread count, and results are combined by the caller in chunk order.
/// So 1, 2 or 64 threads give the same bits.
///
/// The pool also carries the vector instructions the matrix kernels use, `isa`; like the thread
/// count, it changes the speed and never the bits.
public struct ThreadPool: Sendable {
    /// How many threads run chunks at once.
    public let threadCount: Int
    /// Which matrix kernels run on the threads.
    public let isa: VectorISA
    /// Called by the layers given this pool at the end of each phase of a step ("g2 forward",
    /// "g2 dW", ...), when someone is timing them (`rnrepro bench train`); nil otherwise.
    public var phaseEnded: (@Sendable (_ phase: String) -> Void)?

    public init(threadCount: Int, isa: VectorISA = .best) {
        precondition(threadCount >= 1, "thread count must be at least 1")
        precondition(isa.isSupported, "this CPU does not run the \(isa) kernels")
        self.threadCount = threadCount
        self.isa = isa
    }

    /// The environment variable that sets the default thread count.
    public static let environmentVariable = "RNREPRO_THREADS"

    /// The default: RNREPRO_THREADS when set, all cores otherwise.
    public static func defaultThreadCount(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Int {
        guard let text = environment[environmentVariable] else {
            return ProcessInfo.processInfo.activeProcessorCount
        }
        guard let count = Int(text), count >= 1 else {
            throw ThreadCountError(text: text)
        }
        return count
    }

    /// The default kernels: RNREPRO_ISA when set (and this CPU runs them), the widest otherwise.
    public static func defaultISA(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> VectorISA {
        guard let name = environment[VectorISA.environmentVariable] else { return .best }
        return try VectorISA.parse(name)
    }

    /// Calls `body(chunk)` once for every chunk in `0 ..< chunks`, on up to `threadCount`
    /// threads, which take the chunks in order from a `ChunkQueue`, each the next one when it is
    /// free. A chunk's result must not depend on which thread ran it.
    public func forEachChunk(_ chunks: Int, _ body: (Int) -> Void) {
        guard chunks > 0 else { return }
        let workers = min(threadCount, chunks)
        if workers == 1 {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        let queue = ChunkQueue(count: chunks)
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let chunk = queue.next() { box.value(chunk) }
            }
        }
    }

    /// Splits `0 ..< count` into `parts` contiguous ranges whose bounds depend on `count` and
    /// `parts` only.
    public static func ranges(of count: Int, parts: Int) -> [Range<Int>] {
        precondition(parts >= 1)
        return (0..<parts).map { part in
            (count * part / parts)..<(count * (part + 1) / parts)
        }
    }
}

/// Hands out the chunks `0 ..< count` in order, each once, to whichever thread asks first.
///
/// For work whose chunks give the same result on any thread (the rows of a matrix product, the
/// fixed chunks of a reduction): each thread takes the next chunk when it is free, so a thread
/// slowed by a busy neighbour (these vCPUs are shared) does fewer of them instead of holding the
/// others up. The bits never depend on who took what. A lock guards the count (the package
/// builds for macOS 13, older than the standard library's atomics); a chunk is far more work
/// than taking the lock.
public final class ChunkQueue: @unchecked Sendable {
    private let count: Int
    private let lock = NSLock()
    private var taken = 0

    public init(count: Int) {
        self.count = count
    }

    /// The next chunk, or nil when all are taken.
    public func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
    }
}

/// RNREPRO_THREADS is not a positive integer.
public struct ThreadCountError: Error, CustomStringConvertible {
    public let text: String
    public var description: String {
        "\(ThreadPool.environmentVariable)=\(text) is not a positive integer"
    }
}

/// Carries a value that is not `Sendable` (a closure, a pointer) into `concurrentPerform`.
/// Safe where the threads write disjoint memory, which every caller guarantees.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}
