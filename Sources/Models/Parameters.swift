import Engine

/// A model's trainable tensors in one slab and their gradients in another, laid out in
/// `ModelConfig.parameterTensors` order (llm.c's `malloc_and_point_parameters`).
public final class ParameterSet: @unchecked Sendable {
    public let specs: [TensorSpec]
    public let slots: [TensorSlot]
    public let values: Slab
    public let gradients: Slab

    public init(config: ModelConfig) {
        specs = config.parameterTensors
        var layout = SlabLayout()
        slots = specs.map { layout.add($0.shape) }
        values = Slab(layout: layout)
        gradients = Slab(layout: layout)
    }

    /// Floats in each slab, alignment padding included (the padding stays zero).
    public var slabCount: Int { values.count }

    public func index(of name: String) -> Int {
        guard let index = specs.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("no parameter named \(name)")
        }
        return index
    }

    public func value(_ name: String) -> UnsafeMutablePointer<Float> { values.base + slots[index(of: name)].offset }
    public func gradient(_ name: String) -> UnsafeMutablePointer<Float> { gradients.base + slots[index(of: name)].offset }

    /// PyTorch's default initialisation: Linear and Conv2d weights and biases uniform in
    /// ±1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5) gives the same bound), BatchNorm scale
    /// 1 and shift 0. Tensor t draws from stream (seed, initialisation, t).
    public func initialise(seed: UInt64) {
        for (t, spec) in specs.enumerated() {
            let destination = values.base + slots[t].offset
            if spec.name.hasPrefix("bn") {
                destination.update(repeating: spec.name.hasSuffix(".weight") ? 1 : 0, count: spec.count)
                continue
            }
            let weightShape = specs[spec.name.hasSuffix(".bias") ? t - 1 : t].shape
            let fanIn = weightShape.dropFirst().reduce(1, *)
            let bound = 1 / Float(fanIn).squareRoot()
            var random = RandomStream(seed: seed, domain: .initialisation, UInt32(t))
            for e in 0..<spec.count {
                destination[e] = (2 * random.nextUnitFloat() - 1) * bound
            }
        }
    }

    /// The values of every tensor, concatenated without padding, in order.
    public func flatValues() -> [Float] { flatten(values) }

    /// Restores values written by `flatValues()`.
    public func load(flatValues flat: [Float]) {
        precondition(flat.count == specs.reduce(0) { $0 + $1.count })
        var offset = 0
        for (spec, slot) in zip(specs, slots) {
            flat.withUnsafeBufferPointer { source in
                (values.base + slot.offset).update(from: source.baseAddress! + offset, count: spec.count)
            }
            offset += spec.count
        }
    }

    private func flatten(_ slab: Slab) -> [Float] {
        var flat: [Float] = []
        flat.reserveCapacity(specs.reduce(0) { $0 + $1.count })
        for (spec, slot) in zip(specs, slots) {
            flat.append(contentsOf: UnsafeBufferPointer(start: slab.base + slot.offset, count: spec.count))
        }
        return flat
    }
}
