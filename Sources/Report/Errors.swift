/// What can stop a report from being rendered, each in one line naming what is missing.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// No gnuplot executable; `searched` is the PATH looked through, or the path given.
    case missingGnuplot(searched: String)
    case gnuplotFailed(status: Int32, message: String)
    case missingFont(String)
    /// The profile's plan exists but no run has written a metrics line.
    case noMetrics(profile: String, directory: String, planned: Int)
    case cannotRender(String)

    public var description: String {
        switch self {
        case .missingGnuplot(let searched):
            return "gnuplot not found (searched \(searched)); install gnuplot-nox (make deps)"
        case .gnuplotFailed(let status, let message):
            return "gnuplot failed (exit \(status)): \(message)"
        case .missingFont(let family):
            return "font \(family) not found; install fonts-nanum (make deps)"
        case .noMetrics(let profile, let directory, let planned):
            return "\(directory): no metrics.jsonl in any of the \(planned) planned runs of profile \(profile); run rnrepro reproduce --profile \(profile) first"
        case .cannotRender(let reason):
            return "cannot render the report: \(reason)"
        }
    }
}
