import Engine

enum ThreadPoolFactory {
    typealias Pool = ThreadPool

    /// A pool of `threads` threads, or the default count when nil.
    static func make(_ threads: Int?) throws -> ThreadPool {
        if let threads { return ThreadPool(threadCount: threads) }
        return try ThreadPool.makeDefault()
    }
}
