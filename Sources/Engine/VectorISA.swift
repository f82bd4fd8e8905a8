import _EngineAVX512

/// The vector instructions the engine's matrix kernels use.
///
/// Both give the same bits: the AVX-512 kernels do each output element's arithmetic in the same
/// order as the AVX2 ones (see `AVX512Kernels`), so golden values and checkpoints do not depend
/// on which one a machine has. The choice changes speed only.
public enum VectorISA: String, Sendable, CaseIterable, CustomStringConvertible {
    /// 8-lane `SIMD8<Float>` kernels, AVX2 and FMA (the whole engine is built for `haswell`).
    case avx2
    /// 16-lane `SIMD16<Float>` kernels for the matrix products, from a module built for
    /// `skylake-avx512`; everything else stays on the AVX2 code.
    case avx512

    /// The widest kind this CPU runs.
    public static let best: VectorISA = AVX512Kernels.isSupported ? .avx512 : .avx2

    /// The environment variable that chooses the kernels (`avx2` or `avx512`); unset means `best`.
    public static let environmentVariable = "RNREPRO_ISA"

    /// Whether this CPU runs the kernels.
    public var isSupported: Bool {
        switch self {
        case .avx2: true
        case .avx512: AVX512Kernels.isSupported
        }
    }

    /// Floats per vector register.
    public var lanes: Int {
        switch self {
        case .avx2: 8
        case .avx512: 16
        }
    }

    public var description: String { rawValue }

    /// The kind called `name`, if this CPU runs it.
    public static func parse(_ name: String) throws -> VectorISA {
        guard let isa = VectorISA(rawValue: name) else { throw VectorISAError.unknown(name) }
        guard isa.isSupported else { throw VectorISAError.unsupported(isa) }
        return isa
    }
}

/// An instruction-set name that is not known, or that this CPU does not run.
public enum VectorISAError: Error, CustomStringConvertible {
    case unknown(String)
    case unsupported(VectorISA)

    public var description: String {
        switch self {
        case .unknown(let name):
            "unknown instruction set '\(name)' (expected \(VectorISA.allCases.map(\.rawValue).joined(separator: " or ")))"
        case .unsupported(let isa):
            "this CPU does not run the \(isa) kernels"
        }
    }
}
