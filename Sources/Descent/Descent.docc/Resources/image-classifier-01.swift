import Descent
import Foundation

// The folder of photos: its path as the program's argument, or faces here.
let folder = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "faces")
// One class per subfolder, in name order; pixels kept as bytes, [N, channels, height, width].
let photos = try Dataset.imageFolder(at: folder)
print(photos.count, "photos of shape", photos.features.shape.dropFirst(), "classes:", photos.classNames!)
let (train, validation) = try photos.split(validationFraction: 0.2, seed: 0)
