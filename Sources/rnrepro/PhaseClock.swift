import Dispatch

/// Where the time of a computation goes, phase by phase: the code that orchestrates it calls
/// `lap(_:)` after each phase, on its own thread, and the wall time since the previous lap is
/// added to that phase. `rnrepro bench train` hands it to the model's layers as the pool's
/// `phaseEnded`, and prints what it gathered.
final class PhaseClock: @unchecked Sendable {
    /// Each phase's seconds, in the order the phases first ended.
    private(set) var phases: [(name: String, seconds: Double)] = []
    private var last = DispatchTime.now().uptimeNanoseconds

    init() {}

    /// Starts timing from now (the time since the last lap is dropped).
    func restart() {
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// Ends phase `name`: the time since the last lap (or restart) is added to it.
    func lap(_ name: String) {
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
    func reset() {
        phases = []
        restart()
    }
}
