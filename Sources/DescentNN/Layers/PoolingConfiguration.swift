// Reading and writing the sizes of pooling layers in `model.json`: like PyTorch's arguments,
// one integer for both axes or a pair [height, width].

extension LayerConfiguration {
    /// The largest kernel size, stride, dilation or output size a file may give: far beyond
    /// any image, and small enough that no product of sizes overflows.
    static let largestPoolingSize = 1 << 16

    /// The integer or pair [height, width] of integers at `key` (`defaultValue` when absent),
    /// each in `range`.
    func extent(_ key: String, default defaultValue: Size2D? = nil, in range: ClosedRange<Int>) throws -> Size2D {
        let expected = "an integer in \(range.lowerBound)…\(range.upperBound), or a pair [height, width] of them"
        guard let value = self[key] else {
            if let defaultValue { return defaultValue }
            throw invalid(key, expected: expected, found: "nothing")
        }
        func integer(_ value: JSONValue) -> Int? {
            let integer: Int? = switch value {
            case let .integer(number): Int(exactly: number)
            case let .number(number): Int(exactly: number)
            default: nil
            }
            return integer.flatMap { range.contains($0) ? $0 : nil }
        }
        if case let .array(items) = value {
            guard items.count == 2, let height = integer(items[0]), let width = integer(items[1]) else {
                throw invalid(key, expected: expected, found: value.summary)
            }
            return Size2D(height, width)
        }
        guard let size = integer(value) else { throw invalid(key, expected: expected, found: value.summary) }
        return Size2D(size, size)
    }

    /// Stops on a window PyTorch refuses (padding more than half the kernel), naming the field.
    func requireValid(_ window: PoolingWindow2d) throws {
        if window.padding.height > window.kernelSize.height / 2 || window.padding.width > window.kernelSize.width / 2 {
            throw invalid("padding", expected: "at most half the kernel size (\(window.kernelSize))",
                          found: window.padding.jsonValue.summary)
        }
    }
}

extension Size2D {
    /// One integer when square, as PyTorch prints it; [height, width] otherwise.
    var jsonValue: JSONValue {
        height == width ? .integer(Int64(height)) : .array([.integer(Int64(height)), .integer(Int64(width))])
    }
}

extension PoolingWindow2d {
    /// The output shape [C, H', W'] for one example [C, H, W], or the error naming `layer`.
    func outputShape(for inputShape: [Int], layer: String) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw LayerShapeError(expected: "inputs [channels, height, width]", found: inputShape, layer: layer)
        }
        guard let output = outputSize(for: Size2D(inputShape[1], inputShape[2])) else {
            throw LayerShapeError(expected: "images large enough for one window (kernel \(kernelSize), stride \(stride), "
                                  + "padding \(padding), dilation \(dilation))", found: inputShape, layer: layer)
        }
        return [inputShape[0], output.height, output.width]
    }

    /// The fields `model.json` writes: the kernel size, then each setting that differs from
    /// PyTorch's default.
    func fields(dilation includeDilation: Bool) -> [(key: String, value: JSONValue)] {
        var fields: [(key: String, value: JSONValue)] = [(key: "kernel_size", value: kernelSize.jsonValue)]
        if stride != kernelSize { fields.append((key: "stride", value: stride.jsonValue)) }
        if padding != 0 { fields.append((key: "padding", value: padding.jsonValue)) }
        if includeDilation && dilation != 1 { fields.append((key: "dilation", value: dilation.jsonValue)) }
        if ceilMode { fields.append((key: "ceil_mode", value: .bool(true))) }
        return fields
    }
}
