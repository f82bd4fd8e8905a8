/// The paper's reported facts, read from `paper/paper.json`. No paper number is written in Swift
/// sources: the plan, the check and the report all read them from here.
public struct PaperFacts: Codable, Sendable, Equatable {
    public static let schema = "rnrepro.paper/1"

    public var schema: String
    public var citation: Citation
    /// Table 1: RN against CNN+MLP.
    public var table1: [PaperRow]
    /// Table 2: RN at each batch size and learning rate.
    public var table2: [PaperRow]
    public var figures: [PaperFigure]
    /// Accuracies of trivial answerers on this data, for reading the numbers (percent).
    public var referencePoints: [ReferencePoint]

    /// Every row of both tables, Table 1 first; rows shared by both tables appear once.
    public var allRows: [PaperRow] {
        var rows = table1
        for row in table2 where !rows.contains(where: { $0.id == row.id }) { rows.append(row) }
        return rows
    }

    public func row(_ id: String) -> PaperRow? { allRows.first { $0.id == id } }

    enum CodingKeys: String, CodingKey {
        case schema, citation, table1, table2, figures
        case referencePoints = "reference_points"
    }
}

public struct Citation: Codable, Sendable, Equatable {
    public var authors: [String]
    public var title: String
    public var institution: String
    public var venue: String
    public var year: Int
}

/// One configuration the paper reports, with its test accuracies (percent).
public struct PaperRow: Codable, Sendable, Equatable {
    /// Stable name, e.g. "rn-b64-lr1e-4"; run directories and golden entries use it.
    public var id: String
    /// "rn" or "cnn-mlp".
    public var model: RunSpec.Model
    public var batchSize: Int
    public var learningRate: Double
    public var epochs: Int
    /// How many training runs the paper's value summarises (Table 1's "87~90" is two runs).
    public var runs: Int
    public var relational: PaperValue
    public var nonRelational: PaperValue

    enum CodingKeys: String, CodingKey {
        case id, model, epochs, runs, relational
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case nonRelational = "non_relational"
    }
}

/// A reported accuracy: a single value (low == high) or a range over runs ("87~90").
public struct PaperValue: Codable, Sendable, Equatable {
    public var low: Double
    public var high: Double

    public var isRange: Bool { low != high }
    /// As the paper prints it: "99" or "87~90".
    public var text: String {
        func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
        return isRange ? "\(number(low))~\(number(high))" : number(low)
    }
}

/// What a figure of the paper shows, in words, with the rows it plots.
public struct PaperFigure: Codable, Sendable, Equatable {
    /// "fig5" or "fig6".
    public var id: String
    public var title: String
    /// The setting that varies between its curves: "batch_size" or "learning_rate".
    public var varies: String
    /// The paper rows it plots, by id.
    public var rows: [String]
    /// The figure's findings, one sentence each, as docs/spec.md section 1 states them.
    public var findings: [String]
}

public struct ReferencePoint: Codable, Sendable, Equatable {
    public var name: String
    public var relational: Double
    public var nonRelational: Double

    enum CodingKeys: String, CodingKey {
        case name, relational
        case nonRelational = "non_relational"
    }
}
