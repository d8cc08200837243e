import Foundation

extension Dataset {
    /// The 8×8 handwritten digits: 1,797 images of the digits 0–9, embedded in the package so
    /// that nothing needs downloading.
    ///
    /// From the UCI "Optical Recognition of Handwritten Digits" set as scikit-learn ships it
    /// (`load_digits`). Each image's 64 grey levels (0–16, row by row; features named
    /// `pixel_ROW_COL`) are divided by 16 so the features lie in [0, 1]; labels are the digits as
    /// int32 class indices, class names "0"…"9". The examples are in the file's order: split
    /// them with ``split(validationFraction:seed:)``.
    public static func digits() throws -> Dataset {
        try digitsResult.get()
    }

    /// Parsed once per process: the table is small but parsing it in a debug build is not free.
    private static let digitsResult = Result(catching: loadDigits)

    private static func loadDigits() throws(DataError) -> Dataset {
        do {
            guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv") else {
                throw DataError(.fileNotFound, file: "digits.csv",
                                "the built-in digits table is missing from DescentData's resource bundle")
            }
            var data = try Dataset.csv(contentsOf: url, target: "digit", task: .classification)
            data.features = data.features / 16
            // A built-in set, not a user's table: its models take rows of 64 scaled pixels.
            data.tableEncoding = nil
            return data
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError(.fileNotFound, file: "digits.csv", "cannot read the built-in digits table: \(error)")
        }
    }
}
