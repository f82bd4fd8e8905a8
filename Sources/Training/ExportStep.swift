import Artifacts
import Engine
import Foundation
import Models
import SortOfCLEVR
import _RNReproSupport

/// One training step written as NumPy files, so that another framework can check it
/// (docs/export-step.md): the inputs, the parameters before the step, their gradients, the
/// log-probabilities and loss, and the parameters after one optimizer step.
///
/// The batch is the first `batchSize` questions of the first epoch's relational order; dropout
/// is off and batch norm is in training mode, so the step is a deterministic function of the
/// files written.
public enum StepExport {
    public static func write(configuration: RunConfiguration, dataset: SortOfCLEVRDataset, to directory: String,
                             pool: ThreadPool) throws -> Float {
        let spec = configuration.spec
        let (model, optimizer) = configuration.makeModelAndOptimizer(dropout: DropoutMode.none)
        let refs = Shuffle.epochOrder(of: dataset.train, type: .relational, epoch: 0, seed: spec.seed)
        let inputs = InputBuffers(capacity: spec.batchSize)
        let batch = inputs.load(refs[0..<spec.batchSize], from: dataset.train)
        let size = spec.batchSize
        let side = SceneGeometry.side

        func path(_ name: String) -> String { directory + "/" + name }
        func write(_ pointer: UnsafePointer<Float>, _ shape: [Int], _ name: String) throws {
            try NPY.write(UnsafeBufferPointer(start: pointer, count: shape.reduce(1, *)), shape: shape, to: path(name))
        }
        func writeTensors(_ slab: Slab, folder: String) throws {
            for (spec, slot) in zip(model.parameters.specs, model.parameters.slots) {
                try write(slab.base + slot.offset, spec.shape, "\(folder)/\(spec.name).npy")
            }
        }

        try write(batch.images, [size, 3, side, side], "images.npy")
        try write(batch.questions, [size, Question.vectorLength], "questions.npy")
        try AtomicFile.write(NPY.encode((0..<size).map { Int64(batch.answers[$0]) }, shape: [size]), to: path("answers.npy"))
        try writeTensors(model.parameters.values, folder: "params")

        let loss = model.forward(batch, phase: .training(step: 0), pool: pool)
        model.backward(batch, pool: pool)
        try write(model.logProbabilities, [size, ModelConfig.answerCount], "logprobs.npy")
        try [loss].withUnsafeBufferPointer { try NPY.write($0, shape: [], to: path("loss.npy")) }
        try writeTensors(model.parameters.gradients, folder: "grads")
        for output in model.reluOutputs {
            try write(output.values, output.shape, "relu/\(output.name).npy")
        }

        optimizer.step(parameters: model.parameters.values.base, gradients: model.parameters.gradients.base, pool: pool)
        try writeTensors(model.parameters.values, folder: "params_after")
        return loss
    }
}
