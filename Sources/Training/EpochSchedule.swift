import Models
import SortOfCLEVR

/// The shape of one training epoch (docs/spec.md section 4): the relational and the non-relational
/// training questions are shuffled separately and split into pure batches; steps alternate a
/// relational and a non-relational batch; the tail that does not fill a batch is dropped.
public struct EpochSchedule: Equatable, Sendable {
    public let questionsPerType: Int
    public let batchSize: Int

    public init(trainImages: Int, batchSize: Int) {
        precondition(batchSize >= 1)
        self.questionsPerType = trainImages * SceneGeometry.questionsPerType
        self.batchSize = batchSize
    }

    /// Full batches of each question type.
    public var batchesPerType: Int { questionsPerType / batchSize }
    /// Optimizer steps per epoch: one per batch, both types.
    public var steps: Int { 2 * batchesPerType }
}
