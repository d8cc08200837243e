import Descent
import Foundation
import Testing

/// Issue 14: each kind of column (numeric, categorical, two categories, forced categorical,
/// ignored, target) and each missing-value policy.
@Suite struct TableColumnTests {
    private let cars = """
        weight,colour,cylinders,zip,price
        1.5,red,4,02134,10.5
        2.5,blue,6,02134,20.25
        3.5,red,rotary,10001,30
        4.5,red,4,10001,40
        """

    @Test func textColumnsBecomeOneHotFeatures() throws {
        let data = try Dataset.csv(parsing: cars)
        let encoding = try #require(data.tableEncoding)
        #expect(encoding.columns.map(\.name) == ["weight", "colour", "cylinders", "zip"])
        // Two values: one 0/1 feature (1 for the second, "red"); numbers and words: one-hot,
        // numbers first by value.
        #expect(encoding.columns[1].categories == ["blue", "red"])
        #expect(encoding.columns[2].categories == ["4", "6", "rotary"])
        #expect(encoding.columns[3].categories == nil)
        #expect(data.featureNames == ["weight", "colour=red", "cylinders=4", "cylinders=6", "cylinders=rotary", "zip"])
        #expect(data.features.shape == [4, 6])
        #expect(data.features.scalars(as: Float.self) == [1.5, 1, 1, 0, 0, 2134,
                                                          2.5, 0, 0, 1, 0, 2134,
                                                          3.5, 1, 0, 0, 1, 10001,
                                                          4.5, 1, 1, 0, 0, 10001])
        #expect(data.task == .regression && data.labels.scalars(as: Float.self) == [10.5, 20.25, 30, 40])
    }

    @Test func forcedCategoricalAndIgnoredColumns() throws {
        var reading = TableReading(target: "price")
        reading.categorical = ["zip"]
        reading.ignored = ["weight", "cylinders"]
        let data = try Dataset.csv(parsing: cars, reading: reading)
        // The zip code's categories are spelled as in the file, leading zero and all.
        #expect(data.tableEncoding?.columns.map(\.name) == ["colour", "zip"])
        #expect(data.featureNames == ["colour=red", "zip=10001"])
        #expect(data.tableEncoding?.columns[1].categories == ["02134", "10001"])
        #expect(data.features.scalars(as: Float.self) == [1, 0, 0, 0, 1, 1, 1, 1])

        reading.ignored = ["nope"]
        let unknown = try #require(throws: DataError.self) { try Dataset.csv(parsing: cars, reading: reading) }
        #expect(unknown.kind == .unknownColumn && unknown.message.contains("--ignore: no column named 'nope'"))
    }

    @Test func tooManyCategoriesSuggestIgnoreOrCategorical() throws {
        let names = (0..<60).map { "id,\("name\($0)"),\($0 % 2)" }
        let text = "id,name,y\n" + names.enumerated().map { "\($0.offset),name\($0.offset),\($0.offset % 2)" }.joined(separator: "\n")
        let error = try #require(throws: DataError.self) { try Dataset.csv(parsing: text, file: "people.csv") }
        #expect(error.message.contains("column 'name' holds text with 60 different values"))
        #expect(error.message.contains("--ignore name") && error.message.contains("--categorical name"))
        var reading = TableReading()
        reading.categorical = ["name"]
        #expect(try Dataset.csv(parsing: text, reading: reading).featureCount == 61)
        reading = TableReading()
        reading.ignored = ["name"]
        #expect(try Dataset.csv(parsing: text, reading: reading).featureNames == ["id"])
    }

    private let gaps = """
        size,kind,y
        1,a,0
        ,b,1
        3,NA,0
        NaN,a,1
        9,?,0
        4,a,1
        """

    @Test func missingValuesAreAnErrorByDefault() throws {
        let error = try #require(throws: DataError.self) { try Dataset.csv(parsing: gaps, file: "gaps.csv") }
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("gaps.csv:3: row 2, column 'size': a missing value"))
        #expect(error.message.contains("--missing mean, median, most-frequent or drop-rows"))
    }

    @Test func dropRowsLeavesOutIncompleteRows() throws {
        var reading = TableReading()
        reading.missing = .dropRows
        let data = try Dataset.csv(parsing: gaps, reading: reading)
        #expect(data.count == 2 && data.features.scalars(as: Float.self) == [1, 0, 4, 0])
        #expect(data.tableEncoding?.columns[1].categories == ["a", "b"])
    }

    @Test(arguments: [(MissingValuePolicy.mean, Float(17) / 4), (.median, 3.5), (.mostFrequent, 1)])
    func fillingPoliciesUseTheTrainingRows(_ policy: MissingValuePolicy, _ expectedSize: Float) throws {
        var reading = TableReading()
        reading.missing = policy
        let data = try Dataset.csv(parsing: gaps, reading: reading)
        // Missing cells stay NaN until the statistics of the training rows are known.
        #expect(data.features.scalars(as: Float.self).filter(\.isNaN).count == 4)
        let encoding = try #require(data.tableEncoding).fittingFills(to: data.features)
        #expect(encoding.columns[0].fill == .number(Double(expectedSize)))
        #expect(encoding.columns[1].fill == .category("a"))  // categorical columns: most frequent
        let filled = try encoding.fillingMissingValues(in: data.features).scalars(as: Float.self)
        #expect(filled == [1, 0, expectedSize, 1, 3, 0, expectedSize, 0, 9, 0, 4, 0])
    }

    @Test func aMissingTargetIsNeverFilled() throws {
        var reading = TableReading()
        reading.missing = .mean
        let error = try #require(throws: DataError.self) { try Dataset.csv(parsing: "x,y\n1,2\n2,\n", reading: reading) }
        #expect(error.line == 3 && error.message.contains("target column 'y'"))
        reading.missing = .dropRows
        #expect(try Dataset.csv(parsing: "x,y\n1,2\n2,\n3,4\n", reading: reading).count == 2)
    }

    @Test func newFilesAreEncodedByColumnName() throws {
        let encoding = try #require(try Dataset.csv(parsing: cars).tableEncoding)
        // Other order, the target left out, an extra column ignored.
        let shuffled = "zip,extra,cylinders,colour,weight\n10001,x,6,blue,2\n02134,y,rotary,red,1\n"
        #expect(try encoding.features(parsing: shuffled).scalars(as: Float.self) == [2, 0, 0, 1, 0, 10001, 1, 1, 0, 0, 1, 2134])

        let unseen = "weight,colour,cylinders,zip\n1,red,4,1\n2,green,4,1\n"
        let error = try #require(throws: DataError.self) { try encoding.features(parsing: unseen, file: "new.csv") }
        #expect(error.description == "new.csv:3: row 2, column 'colour': 'green' is not one of the categories learned in training "
                    + "('blue', 'red'); --unknown-category ignore encodes it as all zeros")
        let ignored = try encoding.features(parsing: unseen, unknownCategory: .ignore).scalars(as: Float.self)
        #expect(Array(ignored[6...]) == [2, 0, 1, 0, 0, 1])

        let lacking = try #require(throws: DataError.self) { try encoding.features(parsing: "weight,colour\n1,red\n") }
        #expect(lacking.kind == .unknownColumn && lacking.message.contains("'cylinders'"))

        // Without saved fills a prediction refuses a missing cell rather than dropping its row.
        let missing = try #require(throws: DataError.self) { try encoding.features(parsing: "weight,colour,cylinders,zip\n,red,4,1\n") }
        #expect(missing.message.contains("row 1, column 'weight'") && missing.message.contains("no values to fill in"))
    }

    @Test func summaryShowsKindsMissingCountsAndClasses() throws {
        var reading = TableReading()
        reading.ignored = ["kind"]
        let summary = try TableSummary(parsing: gaps, reading: reading)
        #expect(summary.columns.map(\.kind) == [.numeric, .ignored, .target])
        #expect(summary.columns.map(\.missingCount) == [2, 2, 0])
        #expect(summary.rowCount == 6 && summary.task == .binary && summary.classNames == ["0", "1"])
        let cars = try TableSummary(parsing: cars)
        #expect(cars.columns.map(\.kind) == [.numeric, .categorical, .categorical, .numeric, .target])
        #expect(cars.featureCount == 6 && cars.text.contains("cylinders  categorical  0        3         '4', '6', 'rotary'"))
    }
}
