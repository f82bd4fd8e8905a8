/// Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3", SC 2011).
///
/// Every random draw in RNRepro is a pure function of (key, counter). The key is the run's or the
/// data set's seed; the counter names what is being drawn (a domain, a split, an image index, a
/// draw number). So image 4711 of the training split can be regenerated alone, any number of
/// threads produce the same numbers, and no draw depends on how many draws came before it in
/// another part of the program. The known-answer tests pin the bits to the reference vectors
/// published with Random123.
public enum Philox4x32 {
    public typealias Counter = SIMD4<UInt32>
    public typealias Key = SIMD2<UInt32>

    @usableFromInline static let multiplier0: UInt32 = 0xD251_1F53
    @usableFromInline static let multiplier1: UInt32 = 0xCD9E_8D57
    @usableFromInline static let weyl0: UInt32 = 0x9E37_79B9
    @usableFromInline static let weyl1: UInt32 = 0xBB67_AE85

    /// The ten-round bijection of `counter` under `key`.
    @inlinable
    public static func block(_ counter: Counter, key: Key) -> Counter {
        var x = counter
        var k = key
        for round in 0..<10 {
            if round > 0 {
                k &+= Key(weyl0, weyl1)
            }
            let product0 = UInt64(multiplier0) &* UInt64(x[0])
            let product1 = UInt64(multiplier1) &* UInt64(x[2])
            x = Counter(
                UInt32(truncatingIfNeeded: product1 >> 32) ^ x[1] ^ k[0],
                UInt32(truncatingIfNeeded: product1),
                UInt32(truncatingIfNeeded: product0 >> 32) ^ x[3] ^ k[1],
                UInt32(truncatingIfNeeded: product0)
            )
        }
        return x
    }
}

/// A sequence of random words for one purpose, e.g. "the draws of training image 17".
///
/// The counter's last three words identify the stream; its first word counts blocks of four
/// words within it. A stream is a value: copying it forks an identical sequence.
public struct RandomStream: Sendable {
    public let key: Philox4x32.Key
    public let streamID: SIMD3<UInt32>
    @usableFromInline var blockIndex: UInt32 = 0
    @usableFromInline var buffered: Philox4x32.Counter = .zero
    @usableFromInline var bufferedCount = 0

    /// - Parameters:
    ///   - seed: the 64-bit seed of the run or data set (becomes the Philox key).
    ///   - domain: what the numbers are for (see `RandomDomain`), so two uses of one seed never
    ///     share a stream.
    ///   - indices: up to two indices within the domain (split, image, step, ...).
    public init(seed: UInt64, domain: RandomDomain, _ index0: UInt32 = 0, _ index1: UInt32 = 0) {
        key = Philox4x32.Key(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        streamID = SIMD3(index0, index1, domain.rawValue)
    }

    /// The next 32 random bits.
    @inlinable
    public mutating func nextUInt32() -> UInt32 {
        if bufferedCount == 0 {
            precondition(blockIndex != .max, "random stream exhausted (2^34 words)")
            buffered = Philox4x32.block(
                Philox4x32.Counter(blockIndex, streamID.x, streamID.y, streamID.z), key: key)
            blockIndex &+= 1
            bufferedCount = 4
        }
        let word = buffered[4 - bufferedCount]
        bufferedCount -= 1
        return word
    }

    /// A uniform integer in `0 ..< bound`, without modulo bias (Lemire's multiply-and-reject).
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= Int(UInt32.max), "bound out of range: \(bound)")
        let range = UInt32(bound)
        let threshold = (0 &- range) % range  // 2^32 mod range
        while true {
            let product = UInt64(nextUInt32()) &* UInt64(range)
            if UInt32(truncatingIfNeeded: product) >= threshold {
                return Int(product >> 32)
            }
        }
    }

    /// A uniform integer in `range` (inclusive).
    @inlinable
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }
}

/// The purposes random numbers are drawn for. Each has its own streams, so adding a draw for
/// one purpose never shifts the numbers of another. Values are part of the data and
/// checkpoint formats: never renumber.
public enum RandomDomain: UInt32, Sendable {
    /// Sort-of-CLEVR scenes: index0 = split, index1 = image.
    case sortOfCLEVRScene = 0x534F_4331  // "SOC1"
    /// Parameter initialisation: index0 = parameter tensor.
    case initialisation = 0x494E_4954  // "INIT"
    /// Epoch shuffles: index0 = epoch, index1 = question type.
    case shuffle = 0x5348_5546  // "SHUF"
    /// Dropout masks: index0 = step, index1 = layer.
    case dropout = 0x4452_4F50  // "DROP"
    /// Synthetic inputs of tests and benchmarks.
    case synthetic = 0x5359_4E54  // "SYNT"
}
