/// A data set read from its file: the header, the content hash and both splits.
public struct SortOfCLEVRDataset: Sendable {
    public let header: DatasetHeader
    /// SHA-256 of the file's content, as printed by `rnrepro generate`.
    public let sha256: String
    public let test: SplitData
    public let train: SplitData

    public func split(_ split: Split) -> SplitData { split == .test ? test : train }
}

/// The images of one split.
public struct SplitData: Sendable {
    public let split: Split
    /// Objects and questions of each image.
    public let scenes: [Scene]
    /// All images, `SceneGeometry.bytesPerImage` bytes each, in the rasteriser's layout.
    public let pixels: [UInt8]

    public var count: Int { scenes.count }

    /// The pixels of image `index`.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        pixels[(index * SceneGeometry.bytesPerImage)..<((index + 1) * SceneGeometry.bytesPerImage)]
    }
}
