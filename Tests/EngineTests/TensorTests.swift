import Engine
import Testing

@Suite struct TensorTests {
    @Test func layoutAlignsEveryTensorAndSlabsStartZeroed() {
        var layout = SlabLayout()
        let a = layout.add([3, 5])
        let b = layout.add([24, 3, 3, 3])
        let c = layout.add([7])
        #expect(a.offset == 0 && b.offset == 16 && c.offset == 16 + 656)
        #expect(layout.count == 16 + 656 + 16)
        let slab = Slab(layout: layout)
        #expect(Int(bitPattern: slab.base) % 64 == 0)
        #expect(slab.buffer.allSatisfy { $0 == 0 })
        let view = slab.tensor(b)
        #expect(view.shape == [24, 3, 3, 3] && view.count == 648)
        #expect(view.base == slab.base + 16)
        view.base[0] = 5
        #expect(slab.base[16] == 5)
        slab.zero()
        #expect(slab.base[16] == 0)
    }
}
