import Descent
import Foundation
import Testing

/// `LineFit`: the two CSV columns a cost landscape is drawn for, and the errors that name what is
/// wrong with them.
@Suite struct LineFitTests {
    func table(_ text: String) throws -> CSVTable { try CSVTable(parsing: text, file: "points.csv") }

    @Test func theFirstTwoNumericColumnsAreTakenByDefault() throws {
        let fit = try LineFit(table: table("name,size,price,rooms\na,1,3,2\nb,2,5,3\nc,4,9,3\n"))
        #expect(fit.xName == "size" && fit.yName == "price")
        #expect(fit.x == [1, 2, 4] && fit.y == [3, 5, 9])
        #expect(abs(fit.minimum.x - 2) < 1e-12 && abs(fit.minimum.y - 1) < 1e-12)
        #expect(fit.minimumCost < 1e-20)
    }

    @Test func namedColumnsAreTakenInEitherOrder() throws {
        let csv = "name,size,price,rooms\na,1,3,2\nb,2,5,3\nc,4,9,3\n"
        let fit = try LineFit(table: table(csv), xColumn: "rooms", yColumn: "size")
        #expect(fit.x == [2, 3, 3] && fit.y == [1, 2, 4])
        // Naming y only: x is the first numeric column that is not y.
        let yOnly = try LineFit(table: table(csv), yColumn: "size")
        #expect(yOnly.xName == "price" && yOnly.yName == "size")
    }

    @Test func theShippedExampleIsANoisyLine() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/line.csv")
        let fit = try LineFit(contentsOf: url)
        #expect(fit.count == 40)
        #expect(abs(fit.minimum.x - 2) < 0.3 && abs(fit.minimum.y - 1) < 0.3)
    }

    @Test func badColumnsAreRefusedWithWhatWasFound() throws {
        let csv = "name,size,price\na,1,3\nb,2,five\n"
        #expect {
            try LineFit(table: table(csv), xColumn: "area")
        } throws: { error in
            let error = error as? DataError
            return error?.kind == .unknownColumn && error!.description.contains("'area'") && error!.description.contains("'size'")
        }
        #expect {
            try LineFit(table: table(csv), xColumn: "size", yColumn: "price")
        } throws: { error in
            let error = error as? DataError
            return error?.kind == .nonNumericCell && error?.line == 3 && error!.description.contains("five")
        }
        #expect {
            try LineFit(table: table(csv))
        } throws: { error in
            (error as? DataError)?.description == "points.csv: expected two numeric columns (a number in every cell) for x and y, "
                + "found 'size'; name the columns to use"
        }
    }

    @Test func tooFewOrIdenticalPointsAreRefused() throws {
        #expect {
            try LineFit(table: table("x,y\n1,2\n"))
        } throws: { error in
            (error as? DataError)?.description == "points.csv: a line fit needs at least 2 points, found 1"
        }
        #expect(throws: DataError.self) { try LineFit(table: table("x,y\n")) }
        #expect {
            try LineFit(table: table("x,y\n1,2\n1,3\n"))
        } throws: { error in
            (error as? DataError)?.message.contains("every value of 'x' is 1.0") == true
        }
        #expect(throws: DataError.self) { try LineFit(x: [1, .infinity], y: [1, 2]) }
    }
}
