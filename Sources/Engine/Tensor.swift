import Foundation

/// Flat Float memory: a slab owns one aligned allocation, tensors are shaped windows into it.
///
/// A model sizes three slabs from its config (parameters, gradients, activations), like llm.c's
/// `malloc_and_point_parameters`: a `SlabLayout` hands out offsets, the `Slab` is allocated once,
/// and every layer works on `Tensor` views of it. Views do not own memory: keep the slab alive
/// while its tensors are in use.

/// Where a tensor sits in a slab, and its shape.
public struct TensorSlot: Equatable, Sendable {
    /// Offset in floats from the slab's start; a multiple of `SlabLayout.alignmentFloats`.
    public let offset: Int
    public let shape: [Int]
    public var count: Int { shape.reduce(1, *) }
}

/// Assigns offsets to tensors in the order they are added.
public struct SlabLayout: Sendable {
    /// Every tensor starts on a 64-byte boundary (a cache line), so SIMD loads of a tensor's
    /// first elements never straddle lines and two tensors never share one.
    public static let alignmentFloats = 16

    public private(set) var slots: [TensorSlot] = []
    /// Floats needed, padding included.
    public private(set) var count = 0

    public init() {}

    /// Reserves room for a tensor of `shape` and returns its slot.
    public mutating func add(_ shape: [Int]) -> TensorSlot {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let slot = TensorSlot(offset: count, shape: shape)
        let rounded = (slot.count + Self.alignmentFloats - 1) / Self.alignmentFloats * Self.alignmentFloats
        count += rounded
        slots.append(slot)
        return slot
    }
}

/// One zero-initialised, 64-byte aligned block of Floats.
///
/// A slab of `hugePageBytes` or more (RN's pair activations are 41 MB at batch 64) starts on a
/// huge-page boundary and, on Linux, asks for transparent huge pages (`MADV_HUGEPAGE`; the
/// kernel's default here is to use them only where asked). The products stream through such
/// slabs, and dW reads dZ a row of 1 KB per depth step: with 4 KB pages every fourth step
/// would land on another page. A hint: where it is refused, the slab works the same.
public final class Slab: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    /// The x86-64 huge page, 2 MB.
    static let hugePageBytes = 2 << 20

    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let huge = bytes >= Self.hugePageBytes
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge ? Self.hugePageBytes : 64)
        #if os(Linux)
        if huge { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        #endif
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(layout: SlabLayout) {
        self.init(count: layout.count)
    }

    deinit { base.deallocate() }

    /// The view of `slot`.
    public func tensor(_ slot: TensorSlot) -> Tensor {
        precondition(slot.offset + slot.count <= count, "slot outside the slab")
        return Tensor(base + slot.offset, shape: slot.shape)
    }

    /// All floats of the slab, e.g. for an optimizer step over every parameter at once.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    /// Sets every float to zero (gradients before a backward pass).
    public func zero() { base.update(repeating: 0, count: count) }
}

/// A shaped view of Floats in row-major order (the last dimension is contiguous).
public struct Tensor: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let shape: [Int]

    public init(_ base: UnsafeMutablePointer<Float>, shape: [Int]) {
        self.base = base
        self.shape = shape
    }

    public var count: Int { shape.reduce(1, *) }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }
    public var array: [Float] { Array(buffer) }
}

// MARK: - SIMD load and store

/// Eight floats from any address: kernels read caller buffers whose alignment they do not control.
@inlinable @inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inlinable @inline(__always)
func loadVector(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inlinable @inline(__always)
func storeVector(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
}

/// A 64-byte aligned scratch buffer owned by one kernel call.
///
/// Buffers come from `ScratchCache` and go back to it: a training step makes thousands of these
/// (packed panels, partial sums), and glibc's aligned allocation and free of them cost 8 % of an
/// RN step. The contents are never assumed: every kernel writes a buffer before reading it.
@usableFromInline
struct Scratch {
    @usableFromInline let base: UnsafeMutablePointer<Float>
    @usableFromInline let count: Int
    let capacity: Int

    @usableFromInline init(count: Int) {
        self.count = count
        (base, capacity) = ScratchCache.shared.take(max(count, 1))
    }

    @usableFromInline func free() { ScratchCache.shared.give(base, capacity: capacity) }
}

/// Freed scratch buffers, kept for the next kernel call that needs one as large; a lock guards
/// the list, taken twice per buffer, which the kernels' work dwarfs.
final class ScratchCache: @unchecked Sendable {
    static let shared = ScratchCache()

    /// At most this many floats (256 MB) wait in the cache; a buffer beyond that is freed.
    static let limit = 64 << 20

    private let lock = NSLock()
    private var buffers: [(base: UnsafeMutablePointer<Float>, capacity: Int)] = []
    private var cached = 0

    /// The smallest cached buffer of at least `count` floats, else a new one.
    func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        lock.lock()
        var best: Int?
        for (index, buffer) in buffers.enumerated() where buffer.capacity >= count {
            if best.map({ buffer.capacity < buffers[$0].capacity }) ?? true { best = index }
        }
        if let best {
            let buffer = buffers.remove(at: best)
            cached -= buffer.capacity
            lock.unlock()
            return (buffer.base, buffer.capacity)
        }
        lock.unlock()
        let base = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        return (base, count)
    }

    func give(_ base: UnsafeMutablePointer<Float>, capacity: Int) {
        lock.lock()
        if cached + capacity <= Self.limit {
            buffers.append((base, capacity))
            cached += capacity
            lock.unlock()
        } else {
            lock.unlock()
            base.deallocate()
        }
    }
}
