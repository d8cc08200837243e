import ArgumentParser
import Descent
import Foundation

/// `descent inspect`: what a model folder or a safetensors file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the tensors of a model folder or a .safetensors file, or what training will do with a CSV file's columns.")

    @Argument(help: "A model folder, a .safetensors file, or a CSV file (its columns' kinds, missing counts and classes).")
    var path: String
    @Option(help: "For a CSV file: the column to predict (default: the last).")
    var target: String?
    @OptionGroup(title: "Tables (CSV files)")
    var tables: TableOptions

    func run() throws {
        try reported {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationErrorMessage(text: "'\(path)' does not exist")
            }
            var url = URL(fileURLWithPath: path)
            if !isFolder.boolValue, url.pathExtension.lowercased() == "csv" {
                var reading = TableReading(target: target)
                reading.categorical = columnNames(tables.categorical)
                reading.ignored = columnNames(tables.ignore)
                print(try TableSummary(contentsOf: url, reading: reading).text, terminator: "")
                return
            }
            if isFolder.boolValue {
                let loaded = try SavedModel(folder: path)
                print("Model folder \(path): \(counted(loaded.model.layers.count, "layer"))")
                for (index, configuration) in (loaded.model.layerConfigurations ?? []).enumerated() {
                    print("  \(index): \(configuration)")
                }
                if let classNames = loaded.metadata.classNames { print("Classes: \(classNames.joined(separator: ", "))") }
                if loaded.metadata.standardizer != nil { print("Inputs are standardized with the training statistics.") }
                url.appendPathComponent(Sequential.weightsFileName)
            }
            print(try SafeTensorsFile.inspect(url))
        }
    }
}
