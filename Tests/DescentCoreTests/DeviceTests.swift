// Devices: moving tensors between them, computing where the operands are, gradients across a
// move, read-backs, and the integer dtypes (int64, uint8) on every device.
import Descent
import Foundation
import Testing
import _DescentTestSupport

/// The bits of every element, whatever the dtype: what an exact copy must keep (NaN payloads
/// included).
private func bits(_ x: Tensor) -> [UInt64] {
    switch x.dtype {
    case .float32: x.scalars(as: Float.self).map { UInt64($0.bitPattern) }
    case .float64: x.scalars(as: Double.self).map(\.bitPattern)
    case .int32: x.scalars(as: Int32.self).map { UInt64(UInt32(bitPattern: $0)) }
    case .int64: x.scalars(as: Int64.self).map { UInt64(bitPattern: $0) }
    case .uint8: x.scalars(as: UInt8.self).map { UInt64($0) }
    }
}

/// Every bit pattern's worth of values for `dtype`: NaNs with payloads, infinities, subnormal
/// numbers, ±0, the integer bounds.
private func awkwardValues(_ dtype: DType) -> Tensor {
    var generator = RandomGenerator(seed: 5)
    switch dtype {
    case .float32:
        let special: [Float] = [.nan, Float(bitPattern: 0x7FA0_0001), .infinity, -.infinity, -0.0, .leastNonzeroMagnitude]
        return Tensor(special + (0..<30).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) })
    case .float64:
        let special: [Double] = [.nan, Double(bitPattern: 0x7FF4_0000_0000_0001), .infinity, -.infinity, -0.0, .leastNonzeroMagnitude]
        return Tensor(special + (0..<30).map { _ in Double(bitPattern: generator.next()) })
    case .int32: return Tensor([Int32.min, .max, 0, -1] + (0..<30).map { _ in Int32(truncatingIfNeeded: generator.next()) })
    case .int64: return Tensor([Int64.min, .max, 0, -1] + (0..<30).map { _ in Int64(bitPattern: generator.next()) })
    case .uint8: return Tensor((0...255).map { UInt8($0) })
    }
}

@Suite struct DeviceTests {
    @Test(arguments: DType.allCases)
    func movingRoundTripsEveryBit(dtype: DType) {
        let host = awkwardValues(dtype).reshaped(to: [-1, 1])
        let there = host.to(.reference)
        #expect(there.device == .reference)
        #expect(there.shape == host.shape && there.dtype == dtype)
        let back = there.to(.cpu)
        #expect(back.device == .cpu)
        #expect(bits(back) == bits(host))
        #expect(bits(there) == bits(host))
        // Moving to where a tensor already is changes nothing.
        #expect(bits(host.to(.cpu)) == bits(host))
        #expect(bits(there.to(.reference)) == bits(host))
    }

    @Test func operationsRunWhereTheirOperandsAre() {
        let x = Tensor.randomNormal([3, 4], dtype: .float64, seed: 1)
        let y = Tensor.randomNormal([4], dtype: .float64, seed: 2)
        let (rx, ry) = (x.to(.reference), y.to(.reference))
        let labels = Tensor([0, 3, 1] as [Int32])
        let results: [(String, Tensor, Tensor)] = [
            ("add", rx + ry, x + y),
            ("scalar", 2 * rx - 1, 2 * x - 1),
            ("exp", exp(rx), exp(x)),
            ("comparison", rx .> 0, x .> 0),
            ("select", select(where: rx .> 0, rx, otherwise: ry), select(where: x .> 0, x, otherwise: y)),
            ("matmul", matmul(rx, rx, transposeB: true), matmul(x, x, transposeB: true)),
            ("linear", linear(rx, weight: rx, bias: ry[0..<3]), linear(x, weight: x, bias: y[0..<3])),
            ("sum", rx.sum(alongAxes: [1]), x.sum(alongAxes: [1])),
            ("max", rx.max(), x.max()),
            ("argmax", rx.argmax(), x.argmax()),
            ("permute", rx.transposed(), x.transposed()),
            ("broadcast", ry.broadcasted(to: [2, 4]), y.broadcasted(to: [2, 4])),
            ("gather", rx.gathering(atIndices: [2, 0, 2]), x.gathering(atIndices: [2, 0, 2])),
            ("concatenate", Tensor(concatenating: [rx, rx], alongAxis: 1), Tensor(concatenating: [x, x], alongAxis: 1)),
            ("cast", rx.cast(to: .int64), x.cast(to: .int64)),
            ("softmaxCrossEntropy", softmaxCrossEntropy(logits: rx, labels: labels.to(.reference)),
             softmaxCrossEntropy(logits: x, labels: labels)),
            ("zeros(like:)", Tensor.zeros(like: rx), Tensor.zeros(like: x)),
            ("ones(like:)", Tensor.ones(like: ry), Tensor.ones(like: y)),
            ("randomUniform", Tensor.randomUniform([5], key: RandomKey(seed: 3), on: .reference),
             Tensor.randomUniform([5], key: RandomKey(seed: 3))),
        ]
        for (name, onReference, onCPU) in results {
            #expect(onReference.device == .reference, "\(name)")
            #expect(onCPU.device == .cpu, "\(name)")
            #expect(onReference.dtype == onCPU.dtype && onReference.shape == onCPU.shape, "\(name)")
            expectClose(onReference, onCPU, relative: 1e-12, absolute: 1e-12, "\(name)")
        }
    }

    @Test func zerosLikeKeepsTheDeviceAndDtype() {
        for device in Device.allCases {
            for dtype in DType.allCases {
                let model = Tensor.ones([2, 3], dtype: dtype, on: device)
                let zeros = Tensor.zeros(like: model)
                #expect(zeros.device == device && zeros.dtype == dtype && zeros.shape == [2, 3])
                #expect(zeros.doubles() == Array(repeating: 0, count: 6))
            }
        }
    }

    @Test func gradientsFlowBackThroughAMove() {
        let x = Tensor([1, -2, 3] as [Double])
        let (value, slope) = valueWithGradient(at: x) { x in
            let there = x.to(.reference)
            #expect(there.device == .reference)
            return (there * there * 0.5 + exp(there)).sum()
        }
        #expect(value.device == .reference)
        // d/dx (x²/2 + eˣ) = x + eˣ, back on the CPU where x lives.
        #expect(slope.device == .cpu)
        expectClose(slope.doubles(), x.doubles().map { $0 + Foundation.exp($0) }, relative: 1e-15, absolute: 0)
        // And the other way: a reference tensor's gradient through the CPU stays on the reference.
        let onReference = x.to(.reference)
        let back = gradient(at: onReference) { x in (x.to(.cpu) * 3).sum() }
        #expect(back.device == .reference)
        #expect(back.doubles() == [3, 3, 3])
    }

    @Test func readingBackCountsOncePerRead() {
        let onReference = Tensor([1, 2, 3] as [Float]).to(.reference)
        let onCPU = Tensor([1, 2, 3] as [Float])
        // The count is the process's, and other tests read back from the reference device at the
        // same time. Their reads can only add to an increase, so the smallest increase seen over
        // many tries is this read's own.
        func smallestIncrease(_ read: () -> Void) -> Int {
            (0..<200).map { _ in
                let before = Device.reference.readBackCount
                read()
                return Device.reference.readBackCount - before
            }.min()!
        }
        #expect(smallestIncrease { _ = onReference.scalars(as: Float.self) } == 1)
        #expect(smallestIncrease { _ = onReference.doubles() } == 1)
        #expect(smallestIncrease { _ = onCPU.scalars(as: Float.self) } == 0)
        #expect(Device.cpu.readBackCount == 0)
    }
}

@Suite struct IntegerDTypeTests {
    @Test func int64AndUInt8TensorsHoldTheirValues() {
        let wide = Tensor(shape: [2, 2], scalars: [Int64.max, Int64.min, 0, -5])
        #expect(wide.dtype == .int64)
        #expect(wide.scalars(as: Int64.self) == [Int64.max, Int64.min, 0, -5])
        let bytes = Tensor(shape: [3], scalars: [0, 128, 255] as [UInt8])
        #expect(bytes.dtype == .uint8)
        #expect(bytes.scalars(as: UInt8.self) == [0, 128, 255])
        for device in Device.allCases {
            #expect(Tensor(shape: [2, 2], scalars: [Int64.max, Int64.min, 0, -5], on: device).scalars(as: Int64.self)
                    == [Int64.max, Int64.min, 0, -5])
            #expect(Tensor(shape: [3], scalars: [0, 128, 255] as [UInt8], on: device).scalars(as: UInt8.self) == [0, 128, 255])
        }
    }

    @Test(arguments: Device.allCases)
    func castsBetweenAllDTypesRoundTripSmallValues(device: Device) {
        // 0…100 is exact in every dtype, so any path between two dtypes keeps it.
        for source in DType.allCases {
            let x = Tensor(doubles: [0, 1, 2, 100], shape: [4], dtype: source, on: device)
            for target in DType.allCases {
                let y = x.cast(to: target)
                #expect(y.dtype == target && y.device == device)
                #expect(y.doubles() == [0, 1, 2, 100], "\(source) → \(target)")
                #expect(y.cast(to: source).doubles() == [0, 1, 2, 100], "\(source) → \(target) → \(source)")
            }
        }
    }

    @Test(arguments: Device.allCases)
    func castsToIntegersTruncateAndSaturate(device: Device) {
        let floats: [Double] = [300, -1, .nan, 255.9, 1e30, -1e30, .infinity, -.infinity, 1.9, -1.9, -0.5]
        for dtype in [DType.float32, .float64] {
            let x = Tensor(doubles: floats, shape: [floats.count], dtype: dtype, on: device)
            #expect(x.cast(to: .uint8).scalars(as: UInt8.self) == [255, 0, 0, 255, 255, 0, 255, 0, 1, 0, 0], "\(dtype)")
            #expect(x.cast(to: .int64).scalars(as: Int64.self)
                    == [300, -1, 0, 255, .max, .min, .max, .min, 1, -1, 0], "\(dtype)")
            #expect(x.cast(to: .int32).scalars(as: Int32.self)
                    == [300, -1, 0, 255, .max, .min, .max, .min, 1, -1, 0], "\(dtype)")
        }
        let wide = Tensor(shape: [5], scalars: [Int64.max, Int64.min, -1, 300, 70_000], on: device)
        #expect(wide.cast(to: .int32).scalars(as: Int32.self) == [.max, .min, -1, 300, 70_000])
        #expect(wide.cast(to: .uint8).scalars(as: UInt8.self) == [255, 0, 0, 255, 255])
        let narrow = Tensor(shape: [3], scalars: [Int32.max, -300, 300], on: device)
        #expect(narrow.cast(to: .uint8).scalars(as: UInt8.self) == [255, 0, 255])
        #expect(narrow.cast(to: .int64).scalars(as: Int64.self) == [Int64(Int32.max), -300, 300])
    }

    @Test(arguments: Device.allCases)
    func int64ToFloat32RoundsOnce(device: Device) {
        // 2⁶⁰ + 2³⁶ + 1 is just above halfway between two floats: the nearest is 2⁶⁰ + 2³⁷.
        // Rounded to Double first (2⁶⁰ + 2³⁶, exactly halfway) and then to Float, it became 2⁶⁰.
        let value: Int64 = (1 << 60) + (1 << 36) + 1
        let x = Tensor(shape: [2], scalars: [value, -value], on: device)
        #expect(x.cast(to: .float32).scalars(as: Float.self) == [Float(value), -Float(value)])
        #expect(Float(value) == 0x1p60 + 0x1p37)
        // To float64 it rounds once anyway.
        #expect(x.cast(to: .float64).scalars(as: Double.self) == [Double(value), -Double(value)])
    }

    @Test(arguments: Device.allCases)
    func movementOfInt64AndUInt8(device: Device) {
        let wide = Tensor(shape: [2, 3], scalars: [Int64.max, 1, 2, 3, Int64.min, -1], on: device)
        #expect(wide.transposed().scalars(as: Int64.self) == [Int64.max, 3, 1, Int64.min, 2, -1])
        #expect(wide.gathering(atIndices: [1, 1, 0]).scalars(as: Int64.self)
                == [3, Int64.min, -1, 3, Int64.min, -1, Int64.max, 1, 2])
        #expect(wide.gathering(atIndices: [2, 0], alongAxis: 1).scalars(as: Int64.self) == [2, Int64.max, -1, 3])
        #expect(Tensor(concatenating: [wide, wide[0..<1]]).scalars(as: Int64.self)
                == [Int64.max, 1, 2, 3, Int64.min, -1, Int64.max, 1, 2])
        #expect(Tensor(concatenating: [wide, wide], alongAxis: 1).shape == [2, 6])
        #expect(wide.broadcasted(to: [2, 2, 3]).scalars(as: Int64.self) == wide.scalars(as: Int64.self) + wide.scalars(as: Int64.self))

        let bytes = Tensor(shape: [2, 2, 2], scalars: [0, 1, 2, 3, 252, 253, 254, 255] as [UInt8], on: device)
        #expect(bytes.permuted([2, 0, 1]).scalars(as: UInt8.self) == [0, 2, 252, 254, 1, 3, 253, 255])
        #expect(bytes.gathering(atIndices: [1, 0, 1]).scalars(as: UInt8.self) == [252, 253, 254, 255, 0, 1, 2, 3, 252, 253, 254, 255])
        #expect(Tensor(concatenating: [bytes, bytes], alongAxis: 2).scalars(as: UInt8.self)
                == [0, 1, 0, 1, 2, 3, 2, 3, 252, 253, 252, 253, 254, 255, 254, 255])
        #expect([wide, bytes].allSatisfy { $0.device == device })
    }
}
