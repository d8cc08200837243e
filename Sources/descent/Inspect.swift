import ArgumentParser
import Descent
import Foundation

/// `descent inspect`: what a model folder or a safetensors file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the tensors (names, shapes, dtypes, parameter counts) of a model folder or a .safetensors file.")

    @Argument(help: "A model folder or a .safetensors file.")
    var path: String

    func run() throws {
        try reported {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationErrorMessage(text: "'\(path)' does not exist")
            }
            var url = URL(fileURLWithPath: path)
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
