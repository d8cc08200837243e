// CUDA graphs (CUDAInferenceGraph): what is refused before any GPU is touched, what the errors
// say, and — on a machine with a GPU — that a graph's outputs are the forward pass's, bit for bit.
import Descent
import Testing

@Suite struct CUDAGraphTests {
    private static let gpuWorks = (try? Device.cuda(0).checkAvailable()) != nil

    /// The error `body` throws, or `nil`.
    private func graphError(_ body: () throws(CUDAGraphError) -> CUDAInferenceGraph) -> CUDAGraphError.Kind? {
        do { _ = try body(); return nil } catch { return error.kind }
    }

    private func smallModel(on device: Device) -> Sequential {
        var generator = RandomGenerator(seed: 5)
        return Sequential([
            Dense(inputCount: 4, outputCount: 8, activation: .relu, using: &generator),
            Dropout(rate: 0.5, using: &generator),
            Dense(inputCount: 8, outputCount: 3, using: &generator),
        ]).to(device)
    }

    @Test func onlyAGPUHasGraphs() {
        for device in [Device.cpu, .reference] {
            #expect(graphError { () throws(CUDAGraphError) in try CUDAInferenceGraph(inputShape: [1, 4], on: device) { $0 } }
                == .notCUDA(device))
            #expect(graphError { () throws(CUDAGraphError) in try CUDAInferenceGraph(smallModel(on: device), inputShape: [1, 4], on: device) }
                == .notCUDA(device))
        }
    }

    @Test func anEmptyInputShapeIsRefusedBeforeTheGPUIsAskedFor() {
        for shape in [[0, 4], [1, -1]] {
            #expect(graphError { () throws(CUDAGraphError) in try CUDAInferenceGraph(inputShape: shape, on: .cuda(0)) { $0 } }
                == .emptyInputShape(shape))
        }
    }

    @Test func aModelOnAnotherDeviceIsNamed() {
        #expect(graphError { () throws(CUDAGraphError) in try CUDAInferenceGraph(smallModel(on: .cpu), inputShape: [1, 4], on: .cuda(0)) }
            == .modelDevice(.cpu))
    }

    @Test(.enabled(if: !gpuWorks, "a GPU works here: the no-GPU error cannot be seen"))
    func withoutAGPUTheErrorIsCUDAs() {
        guard case .cuda(let error) = graphError({ () throws(CUDAGraphError) in
            try CUDAInferenceGraph(inputShape: [1, 4], on: .cuda(0)) { $0 }
        }) else {
            Issue.record("expected CUDA's error")
            return
        }
        #expect("\(CUDAGraphError(.cuda(error)))" == "\(error)")
    }

    @Test func messagesSayWhatWasExpectedAndFound() {
        #expect("\(CUDAGraphError(.notCUDA(.cpu)))".contains("cpu is not a cuda device"))
        #expect("\(CUDAGraphError(.inputCount(expected: 784, found: 783)))" == "the CUDA graph takes 784 input values (its input shape), not 783")
        #expect("\(CUDAGraphError(.emptyInputShape([0, 3])))".contains("[0, 3]"))
        #expect("\(CUDAGraphError(.outputDType(.float64)))".contains("float64"))
        #expect("\(CUDAGraphError(.outputDevice(.cpu)))".contains("tensor on cpu"))
        #expect("\(CUDAGraphError(.modelDevice(.cpu)))".contains(".to(_:)"))
        #expect("\(CUDAGraphError(.outputShapeChanged(first: [1, 3], captured: [2, 3])))".contains("[1, 3] when it ran, then [2, 3]"))
        #expect("\(CUDAGraphError(.allocationsOutliveCapture(allocated: 5, freed: 4)))".contains("made 5 tensors on the GPU but let go of only 4"))
        #expect("\(CUDAGraphError(.synchronizesEveryLaunch))".contains("DESCENT_CUDA_SYNC=1 or DESCENT_CUDA_PROFILE=1"))
        let driver = CUDAError(.driver(call: "cuStreamEndCapture", code: 901, name: "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
                                       message: "operation failed due to a previous error during capture"))
        #expect("\(CUDAGraphError(.cuda(driver)))".contains("cuStreamEndCapture: CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"))
    }

    // MARK: On a GPU

    @Test(.enabled(if: gpuWorks, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func aGraphGivesTheForwardPassesOutputsBitForBit() throws {
        let model = smallModel(on: .cuda(0))
        let graph = try CUDAInferenceGraph(model, inputShape: [2, 4], on: .cuda(0))
        #expect(graph.outputShape == [2, 3])
        var generator = RandomGenerator(seed: 9)
        for _ in 0..<3 {
            let input = (0..<8).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            let graphed = try graph(hostInput: input)
            let plain = withoutGradients { model.training(false)(Tensor(shape: [2, 4], scalars: input, on: .cuda(0))) }
            #expect(graphed.map(\.bitPattern) == plain.scalars(as: Float.self).map(\.bitPattern))
        }
        #expect(throws: CUDAGraphError(.inputCount(expected: 8, found: 7))) { try graph(hostInput: [Float](repeating: 0, count: 7)) }
    }

    @Test(.enabled(if: gpuWorks, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func aForwardPassThatLeavesTheGPUOrKeepsItsTensorsIsRefused() {
        #expect(graphError { () throws(CUDAGraphError) in try CUDAInferenceGraph(inputShape: [1, 4], on: .cuda(0)) { $0.to(.cpu) } }
            == .outputDevice(.cpu))
        // A tensor kept outside the forward pass outlives the capture: refused, and freed
        // without harm when the list goes.
        var kept: [Tensor] = []
        let kind = graphError { () throws(CUDAGraphError) in
            try CUDAInferenceGraph(inputShape: [1, 4], on: .cuda(0)) { x in
                let doubled = x * 2
                kept.append(doubled)
                return doubled + 1
            }
        }
        guard case .allocationsOutliveCapture(let allocated, let freed)? = kind else {
            Issue.record("expected allocationsOutliveCapture, got \(String(describing: kind))")
            return
        }
        #expect(allocated > freed)
        kept.removeAll()
        #expect(Tensor(shape: [1], scalars: [Float(3)], on: .cuda(0)).scalars(as: Float.self) == [3])
    }
}
