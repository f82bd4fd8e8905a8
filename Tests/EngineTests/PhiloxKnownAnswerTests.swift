import Testing

@testable import Engine

/// Philox4x32-10 against the known-answer vectors published with Random123 (kat_vectors), and
/// `RandomStream` against values this implementation produced when the data set format was
/// fixed: if these change, every data set and run changes.
@Suite struct PhiloxKnownAnswerTests {
    @Test func random123Vectors() {
        #expect(Philox4x32.block(.zero, key: .zero) == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        #expect(
            Philox4x32.block(.init(repeating: .max), key: .init(repeating: .max))
                == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        #expect(
            Philox4x32.block([0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344], key: [0xA409_3822, 0x299F_31D0])
                == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    @Test func streamIsPinned() {
        var stream = RandomStream(seed: 1, domain: .sortOfCLEVRScene, 0, 0)
        let words = (0..<6).map { _ in stream.nextUInt32() }
        // The first four words are one Philox block of counter (0, 0, 0, domain) under key (1, 0).
        let block = Philox4x32.block([0, 0, 0, RandomDomain.sortOfCLEVRScene.rawValue], key: [1, 0])
        #expect(Array(words[0..<4]) == [block[0], block[1], block[2], block[3]])
        #expect(words == Self.pinnedWords)
    }

    /// `RandomStream(seed: 1, domain: .sortOfCLEVRScene, 0, 0)`'s first six words.
    static let pinnedWords: [UInt32] = [2_987_757_568, 2_425_565_948, 2_105_463_005, 3_195_131_605, 3_999_876_430, 4_136_919_824]

    @Test func streamsAreIndependentValues() {
        var a = RandomStream(seed: 7, domain: .shuffle, 3, 1)
        var b = a
        #expect(a.nextUInt32() == b.nextUInt32())
        var other = RandomStream(seed: 7, domain: .shuffle, 3, 2)
        var c = RandomStream(seed: 7, domain: .shuffle, 3, 1)
        #expect(other.nextUInt32() != c.nextUInt32())
    }

    @Test func boundedIntegersAreInRangeAndUnbiased() {
        var stream = RandomStream(seed: 42, domain: .synthetic)
        var counts = [Int](repeating: 0, count: 6)
        let draws = 60_000
        for _ in 0..<draws {
            let value = stream.nextInt(below: 6)
            counts[value] += 1
        }
        // Each count is Binomial(60000, 1/6): mean 10000, sd 91. Six sd either side.
        for count in counts { #expect(abs(count - draws / 6) < 550) }
        for _ in 0..<1000 {
            #expect((5...69).contains(stream.nextInt(in: 5...69)))
            let unit = stream.nextUnitFloat()
            #expect(unit >= 0 && unit < 1)
        }
    }
}
