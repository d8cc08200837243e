import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite("CSV tables and datasets")
struct CSVTests {
    func url(_ name: String) -> URL { fixtureURL("csv/\(name)", in: .module) }

    @Test func quotingLineBreaksAndBlankLines() throws {
        let table = try CSVTable(contentsOf: url("flowers.csv"))
        #expect(table.columnNames == ["sepal length", "petal, width", "species"])
        #expect(table.rows.count == 4)
        #expect(table.rows[1] == ["7.0", "1.4", "versi\r\ncolor"])
        #expect(table.rowLines == [2, 3, 6, 7])
        #expect(table.rows[3][1] == " 0.2 ")
    }

    @Test func rfc4180Details() throws {
        let table = try CSVTable(parsing: "name,quote\n\"a \"\"b\"\"\",\"\"\n,x\nno\"quote,y")
        #expect(table.rows == [["a \"b\"", ""], ["", "x"], ["no\"quote", "y"]])
        let bom = try CSVTable(bytes: [0xEF, 0xBB, 0xBF] + Array("x,y\n1,2\n".utf8))
        #expect(bom.columnNames == ["x", "y"])
        let lonelyCR = try CSVTable(parsing: "x,y\r1,2\r3,4")
        #expect(lonelyCR.rows == [["1", "2"], ["3", "4"]] && lonelyCR.rowLines == [2, 3])
    }

    @Test func malformedTables() throws {
        let ragged = try #require(throws: DataError.self) { try CSVTable(contentsOf: url("ragged.csv")) }
        #expect(ragged.kind == .raggedRow && ragged.line == 3)
        #expect(ragged.description.hasSuffix("ragged.csv:3: expected 3 cells (as in the header), found 2"))

        let empty = try #require(throws: DataError.self) { try CSVTable(contentsOf: url("empty.csv")) }
        #expect(empty.kind == .emptyFile)

        let unclosed = try #require(throws: DataError.self) { try CSVTable(parsing: "a,b\n1,2\n3,\"x\n\n") }
        #expect(unclosed.kind == .corrupt && unclosed.line == 3 && unclosed.description.contains("never closed"))

        let afterQuote = try #require(throws: DataError.self) { try CSVTable(parsing: "a,b\n\"1\"2,3") }
        #expect(afterQuote.kind == .corrupt && afterQuote.line == 2 && afterQuote.description.contains("found '2'"))

        let duplicate = try #require(throws: DataError.self) { try CSVTable(parsing: "a,b,a\n1,2,3") }
        #expect(duplicate.kind == .corrupt && duplicate.description.contains("'a' is used twice"))
    }

    @Test func stringClassesAreSortedLikeLabelEncoder() throws {
        let data = try Dataset.csv(contentsOf: url("flowers.csv"))
        #expect(data.classNames == ["setosa", "versi\r\ncolor", "virginica"])
        #expect(data.labels.dtype == .int32 && data.labels.scalars(as: Int32.self) == [0, 1, 2, 0])
        #expect(data.task == .classification && data.classCount == 3)
        #expect(data.featureNames == ["sepal length", "petal, width"])
        #expect(data.features.shape == [4, 2])
        #expect(data.features.scalars(as: Float.self) == [5.1, 0.2, 7.0, 1.4, 6.3, 2.5, 4.9, 0.2])
        // Code-point order: upper case before lower case, as NumPy sorts strings.
        let mixed = try Dataset(table: CSVTable(parsing: "x,y\n1,b\n2,B\n3,a\n4,b"))
        #expect(mixed.classNames == ["B", "a", "b"] && mixed.labels.scalars(as: Int32.self) == [2, 0, 1, 2])
        #expect(mixed.task == .classification && mixed.classCount == 3)
    }

    @Test func targetColumnByName() throws {
        let data = try Dataset(table: CSVTable(parsing: "label,f1,f2\nyes,1,2\nno,3,4\nyes,5,6"), target: "label")
        #expect(data.task == .binary)
        #expect(data.classNames == ["no", "yes"] && data.labels.scalars(as: Int32.self) == [1, 0, 1])
        #expect(data.featureNames == ["f1", "f2"] && data.features.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])

        let unknown = try #require(throws: DataError.self) {
            try Dataset(table: CSVTable(parsing: "a,b\n1,2", file: "t.csv"), target: "price")
        }
        #expect(unknown.kind == .unknownColumn)
        #expect(unknown.description == "t.csv: no column named 'price'; the columns are: 'a', 'b'")
    }

    @Test func taskInference() throws {
        let digits = try Dataset(table: CSVTable(parsing: "x,digit\n0.5,3\n0.1,1\n0.2,3\n0.3,0"))
        #expect(digits.task == .classification && digits.classCount == 3)
        #expect(digits.classNames == ["0", "1", "3"] && digits.labels.scalars(as: Int32.self) == [2, 1, 2, 0])

        let binary = try Dataset(table: CSVTable(parsing: "x,y\n1,0\n2,1.0\n3,1"))
        #expect(binary.task == .binary && binary.classNames == ["0", "1"])

        let regression = try Dataset(table: CSVTable(parsing: "x,price\n1,2.5\n2,3.25\n3,1"))
        #expect(regression.task == .regression && regression.classNames == nil)
        #expect(regression.labels.dtype == .float32 && regression.labels.shape == [3, 1])
        #expect(regression.labels.scalars(as: Float.self) == [2.5, 3.25, 1])

        // Many distinct whole numbers: regression.
        let counts = (0..<30).map { "\($0),\($0 * 7)" }.joined(separator: "\n")
        #expect(try Dataset(table: CSVTable(parsing: "x,count\n" + counts)).task == .regression)
        let thirty = try Dataset(table: CSVTable(parsing: "x,count\n" + counts), maximumClassCount: 30)
        #expect(thirty.task == .classification && thirty.classCount == 30)

        // Overrides.
        let forcedRegression = try Dataset(table: CSVTable(parsing: "x,y\n1,0\n2,1"), task: .regression)
        #expect(forcedRegression.task == .regression && forcedRegression.labels.scalars(as: Float.self) == [0, 1])
        let forcedClasses = try Dataset(table: CSVTable(parsing: "x,y\n1,0.5\n2,1.5\n3,0.5"), task: .classification)
        #expect(forcedClasses.task == .binary && forcedClasses.classNames == ["0.5", "1.5"])
        let impossible = try #require(throws: DataError.self) {
            try Dataset(table: CSVTable(parsing: "x,y\n1,a\n2,b"), task: .regression)
        }
        #expect(impossible.kind == .nonNumericCell && impossible.line == 2)
    }

    @Test func savedClassNamesAreReused() throws {
        let data = try Dataset(table: CSVTable(parsing: "x,y\n1,virginica\n2,setosa"),
                               classNames: ["setosa", "versicolor", "virginica"])
        #expect(data.labels.scalars(as: Int32.self) == [2, 0] && data.task == .classification && data.classCount == 3)
        let unknown = try #require(throws: DataError.self) {
            try Dataset(table: CSVTable(parsing: "x,y\n1,setosa\n2,rose"), classNames: ["setosa", "virginica"])
        }
        #expect(unknown.line == 3 && unknown.description.contains("'rose'"))
    }

    @Test func nonNumericFeatureCells() throws {
        let text = try #require(throws: DataError.self) {
            try Dataset(table: CSVTable(parsing: "width,height,kind\n1,2,a\n3,tall,b", file: "shapes.csv"))
        }
        #expect(text.kind == .nonNumericCell && text.line == 3)
        #expect(text.description == "shapes.csv:3: column 'height': expected a number, found 'tall'")
        let missing = try #require(throws: DataError.self) { try Dataset(table: CSVTable(parsing: "w,k\n,a")) }
        #expect(missing.description.contains("empty cell"))
        let notFinite = try #require(throws: DataError.self) { try Dataset(table: CSVTable(parsing: "w,k\nnan,a")) }
        #expect(notFinite.kind == .nonNumericCell)
    }

    @Test func tablesWithoutData() throws {
        let headerOnly = try #require(throws: DataError.self) { try Dataset(table: CSVTable(parsing: "a,b\n")) }
        #expect(headerOnly.kind == .emptyFile && headerOnly.description.contains("no data rows"))
        let oneColumn = try #require(throws: DataError.self) { try Dataset(table: CSVTable(parsing: "a\n1\n")) }
        #expect(oneColumn.kind == .emptyFile)
    }

    @Test("the shared breast-cancer table is binary classification",
          .enabled(if: SharedData.tabular != nil, "the shared tabular folder (shared/data/tabular) is absent"))
    func breastCancer() throws {
        let data = try Dataset.csv(contentsOf: SharedData.tabular!.appendingPathComponent("breast_cancer.csv"))
        #expect(data.count == 569 && data.featureCount == 30)
        #expect(data.task == .binary && data.classNames == ["benign", "malignant"])
        #expect(data.labels.scalars(as: Int32.self).prefix(1) == [1])
    }
}
