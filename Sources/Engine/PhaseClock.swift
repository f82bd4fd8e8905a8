import Dispatch

/// Where the time of a computation goes, phase by phase: the code that orchestrates it calls
/// `lap(_:)` after each phase, on its own thread, and the wall time since the previous lap is
/// added to that phase. A pool may carry one (`ThreadPool.clock`) to every layer it is passed
/// to; without one, a lap is a nil check. `rnrepro bench train` prints what it gathered.
public final class PhaseClock: @unchecked Sendable {
    /// Each phase's seconds, in the order the phases first ended.
    public private(set) var phases: [(name: String, seconds: Double)] = []
    private var last = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// Starts timing from now (the time since the last lap is dropped).
    public func restart() {
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// Ends phase `name`: the time since the last lap (or restart) is added to it.
    public func lap(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - last) / 1e9
        last = now
        if let index = phases.firstIndex(where: { $0.name == name }) {
            phases[index].seconds += seconds
        } else {
            phases.append((name, seconds))
        }
    }

    /// Forgets every phase.
    public func reset() {
        phases = []
        restart()
    }
}
