import Artifacts
import Foundation

/// Makes golden files from finished runs: bands from the spread over seeds, never narrower than
/// 3 binomial standard errors of the test set on either side.
public enum GoldenBands {
    /// The final metrics and curves every run is checked on.
    public static let metricNames = ["test_accuracy.rel", "test_accuracy.nonrel"]

    /// One evaluation of a run, reduced to what golden files hold.
    public struct Evaluation: Equatable, Sendable {
        public var epoch: Double
        public var testAccuracy: PerType<Double>

        public init(epoch: Double, testAccuracy: PerType<Double>) {
            self.epoch = epoch
            self.testAccuracy = testAccuracy
        }

        public init(_ line: MetricsLine) {
            self.init(epoch: line.epoch, testAccuracy: line.testAccuracy)
        }
    }

    public static func value(_ name: String, of evaluation: Evaluation) -> Double {
        name == "test_accuracy.rel" ? evaluation.testAccuracy.rel : evaluation.testAccuracy.nonrel
    }

    /// [min - 3 SE, max + 3 SE] of `values`, within [0, 100]. SE is the binomial standard error
    /// on `questions` test questions at the Agresti-Coull estimate p = (x + 2) / (n + 4) of
    /// their mean, so a band at 0 % or 100 % still has width.
    public static func band(_ values: [Double], questions: Int) -> Band {
        let mean = values.reduce(0, +) / Double(values.count)
        let adjusted = 100 * (mean / 100 * Double(questions) + 2) / Double(questions + 4)
        let margin = VerdictRule.standardErrors * VerdictRule.standardError(percent: adjusted, questions: questions + 4)
        return Band(lo: max(0, values.min()! - margin), hi: min(100, values.max()! + margin))
    }

    /// One seed's runs: run name -> its evaluations.
    public typealias SeedRuns = [String: [Evaluation]]

    /// The golden runs of `plan` (seed offset 0, the plan `check` compares) from each seed's
    /// runs (`seeds[k]` made `runs[k]`); every seed must have every run, with the same
    /// evaluation points. Each golden run records the spec hash of `plan`'s run.
    public static func goldenRuns(of plan: [PlannedRun], runs: [SeedRuns], questions: Int) throws -> [GoldenRun] {
        try plan.map { run in
            let name = run.name
            let curves = try runs.enumerated().map { seed, seedRuns in
                guard let lines = seedRuns[name], !lines.isEmpty else {
                    throw GoldenError("seed \(seed + 1) has no metrics for run \(name)")
                }
                return lines
            }
            let epochs = curves[0].map(\.epoch)
            guard curves.allSatisfy({ $0.map(\.epoch) == epochs }) else {
                throw GoldenError("run \(name): the seeds' evaluation points differ")
            }
            let metrics = metricNames.map { metric in
                let finals = curves.map { value(metric, of: $0.last!) }
                return GoldenMetric(name: metric, band: band(finals, questions: questions), seedValues: finals,
                                    reference: finals[0])
            }
            let curveBands = metricNames.map { metric in
                let perSeed = curves.map { $0.map { value(metric, of: $0) } }
                let bands = epochs.indices.map { i in band(perSeed.map { $0[i] }, questions: questions) }
                return GoldenCurve(name: metric, epochs: epochs, bands: bands, seedValues: perSeed, reference: perSeed[0])
            }
            return GoldenRun(row: name, metrics: metrics, curves: curveBands, specHash: run.spec.hash)
        }
    }

    /// The seeds' runs a golden file was made from, read back from its curves (the inverse of
    /// `goldenRuns`), so that `golden record --add-seed` can make the bands anew with one more seed.
    public static func seedRuns(recordedIn golden: GoldenFile) -> [SeedRuns] {
        golden.seeds.indices.map { seed in
            var runs: SeedRuns = [:]
            for run in golden.runs {
                let curves = metricNames.map { name in run.curves.first { $0.name == name }! }
                runs[run.row] = curves[0].epochs.indices.map { i in
                    Evaluation(epoch: curves[0].epochs[i],
                               testAccuracy: PerType(rel: curves[0].seedValues[seed][i], nonrel: curves[1].seedValues[seed][i]))
                }
            }
            return runs
        }
    }
}

public struct GoldenError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
