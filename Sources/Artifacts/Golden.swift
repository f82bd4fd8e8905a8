/// `golden/<profile>.json`: the tolerance bands a profile's results must fall in. Made only by
/// `rnrepro golden record`; read by `rnrepro check` and by the report.
public struct GoldenFile: Codable, Sendable, Equatable {
    public static let schema = "rnrepro.golden/1"

    public var schema: String = GoldenFile.schema
    public var profile: String
    /// The seed offsets of the plans whose runs made the bands (at least 2): replicate r of a
    /// plan with offset s trains with seed s + r. Offset 0 is the plan `reproduce` runs.
    public var seeds: [UInt64]
    /// How the reference build that made the file was built and run.
    public var provenance: Provenance
    /// Which of the paper's findings show at this profile's scale, with numbers, one each.
    public var notes: [String]
    /// The profile's departures from the paper's scale.
    public var deviations: [String]
    /// SHA-256 of the data set every run trained on: a plan on another data set is another plan.
    public var datasetSHA256: String?
    public var runs: [GoldenRun]

    public init(profile: String, seeds: [UInt64], provenance: Provenance, notes: [String],
                deviations: [String], datasetSHA256: String?, runs: [GoldenRun]) {
        self.profile = profile
        self.seeds = seeds
        self.provenance = provenance
        self.notes = notes
        self.deviations = deviations
        self.datasetSHA256 = datasetSHA256
        self.runs = runs
    }

    enum CodingKeys: String, CodingKey {
        case schema, profile, seeds, provenance, notes, deviations, runs
        case datasetSHA256 = "dataset_sha256"
    }
}

/// The bands of one planned run (a paper row and replicate) at one profile.
public struct GoldenRun: Codable, Sendable, Equatable {
    /// The run's name: its paper row and replicate, e.g. "rn-b64-lr1e-4-r1" (`PlannedRun.name`).
    public var row: String
    /// Final values: "test_accuracy.rel", "test_accuracy.nonrel", ...
    public var metrics: [GoldenMetric]
    /// The per-evaluation curve of each metric, for the figures and for locating drift.
    public var curves: [GoldenCurve]
    /// The spec hash of the run the bands were recorded for (at seed offset 0, the run `check`
    /// compares): a run whose spec changed is another run, never compared with stale bands.
    public var specHash: String?

    public init(row: String, metrics: [GoldenMetric], curves: [GoldenCurve], specHash: String?) {
        self.row = row
        self.metrics = metrics
        self.curves = curves
        self.specHash = specHash
    }

    enum CodingKeys: String, CodingKey {
        case row, metrics, curves
        case specHash = "spec_hash"
    }

    /// Why the bands cannot be used as they are (a band upside down, curves of unequal
    /// lengths), or nil.
    public var fault: String? {
        for metric in metrics where metric.band.lo > metric.band.hi {
            return "run \(row): band of \(metric.name) is upside down (\(metric.band.lo) > \(metric.band.hi))"
        }
        for curve in curves {
            guard curve.bands.count == curve.epochs.count, curve.reference.count == curve.epochs.count else {
                return "run \(row): curve \(curve.name) has \(curve.epochs.count) epochs, \(curve.bands.count) bands and \(curve.reference.count) reference values"
            }
            if let band = curve.bands.first(where: { $0.lo > $0.hi }) {
                return "run \(row): a band of curve \(curve.name) is upside down (\(band.lo) > \(band.hi))"
            }
        }
        return nil
    }
}

/// A closed interval [lo, hi] a value must fall in.
public struct Band: Codable, Sendable, Equatable {
    public var lo: Double
    public var hi: Double

    /// A band read from a file may be upside down; `GoldenRun.fault` says so before any use.
    public init(lo: Double, hi: Double) {
        self.lo = lo
        self.hi = hi
    }

    public func contains(_ value: Double) -> Bool { value >= lo && value <= hi }

    /// `value` minus the nearest edge: 0 inside, negative below, positive above.
    public func excess(of value: Double) -> Double {
        value < lo ? value - lo : value > hi ? value - hi : 0
    }
}

public struct GoldenMetric: Codable, Sendable, Equatable {
    public var name: String
    public var band: Band
    /// The value of each seed's run of the reference build, in `GoldenFile.seeds` order.
    public var seedValues: [Double]
    /// The exact value of the reference build's first seed, for `check --exact`.
    public var reference: Double

    public init(name: String, band: Band, seedValues: [Double], reference: Double) {
        self.name = name
        self.band = band
        self.seedValues = seedValues
        self.reference = reference
    }

    enum CodingKeys: String, CodingKey {
        case name, band, reference
        case seedValues = "seed_values"
    }
}

public struct GoldenCurve: Codable, Sendable, Equatable {
    public var name: String
    /// Training progress of each evaluation, in epochs.
    public var epochs: [Double]
    public var bands: [Band]
    /// Each seed's curve, in `GoldenFile.seeds` order, evaluation by evaluation.
    public var seedValues: [[Double]]
    /// The reference build's first seed, evaluation by evaluation.
    public var reference: [Double]

    public init(name: String, epochs: [Double], bands: [Band], seedValues: [[Double]], reference: [Double]) {
        self.name = name
        self.epochs = epochs
        self.bands = bands
        self.seedValues = seedValues
        self.reference = reference
    }

    enum CodingKeys: String, CodingKey {
        case name, epochs, bands, reference
        case seedValues = "seed_values"
    }
}
