import Artifacts
import Engine
import Foundation
import SortOfCLEVR
import Testing
import _RNReproTestSupport

@testable import Training

/// The guard on the bits. A paper-scale run is trained a few hours at a time, and each sitting
/// runs whatever commit is checked out then; it is one computation only while every commit
/// computes the same bits. These tests pin the exact bytes of short trainings at the paper's
/// width, so a change to the numerics (a kernel's summation order, an initialisation, a
/// shuffle) fails loudly here instead of mixing two programs inside one run.
///
/// When such a change is deliberate: the paper campaign's run in flight must be restarted
/// (its folder in results/paper removed) and the golden files re-recorded; then update the
/// hashes below in the same commit, and say so in its message.
@Suite struct BitPinTests {
    /// 40 training images at batch 64: 6 batches of each type per epoch, 12 steps.
    static let dataset: SortOfCLEVRDataset = {
        let directory = try! Scratch.path("bitpin")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/set.bin"
        try! DatasetFile.generate(DatasetHeader(seed: 1, testCount: 8, trainCount: 40), to: path, pool: ThreadPool(threadCount: 2))
        return try! DatasetFile.read(path)
    }()

    /// SHA-256 of the checkpoint after training `model` at width 256, batch 64, lr 1e-4, Adam,
    /// for `epochs` (an evaluation at the end).
    func checkpointHash(model: RunSpec.Model, epochs: Double, pool: ThreadPool) throws -> String {
        let spec = RunSpec(model: model, hidden: 256, batchSize: 64, learningRate: 1e-4, optimizer: .adam, epochs: epochs,
                           evalEvery: epochs, seed: 1, dropout: .train, coordinateTags: .grid,
                           dataset: DatasetRef(seed: 1, trainImages: 40, testImages: 8, exactClosest: false,
                                               sha256: Self.dataset.sha256))
        let trainer = try Trainer(configuration: RunConfiguration(spec), dataset: Self.dataset, pool: pool)
        try trainer.run { _ in }
        return JSONFiles.sha256(try trainer.checkpoint().encoded())
    }

    /// One and two threads with the widest kernels, and two with the AVX2 kernels (the same
    /// as the widest on a CPU without AVX-512): every machine must give the pinned bits.
    static let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2), ThreadPool(threadCount: 2, isa: .avx2)]

    @Test(arguments: pools)
    func relationNetworkBits(pool: ThreadPool) throws {
        // 36 steps (3 epochs of 12).
        let hash = try checkpointHash(model: .rn, epochs: 3, pool: pool)
        #expect(hash == "9c1c1ae7dcb8a53995e1b600c072f712b31a46f74d57834f800a00792a10e401")
    }

    @Test(arguments: pools)
    func cnnMLPBits(pool: ThreadPool) throws {
        // 48 steps (4 epochs of 12).
        let hash = try checkpointHash(model: .cnnMLP, epochs: 4, pool: pool)
        #expect(hash == "118bbda7b3e998fddf970c5aa40ca2f8f4658c78b62c70d9d3a334e8dcf984d9")
    }
}
