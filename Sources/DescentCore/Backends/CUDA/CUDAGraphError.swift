/// Why a CUDA graph (``CUDAInferenceGraph``, a captured training step) could not be made or run.
public struct CUDAGraphError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The device is not a GPU: CUDA graphs exist only on a ``Device/cuda(_:)`` device.
        case notCUDA(Device)
        /// CUDA refused: the GPU cannot be used, a function is missing, or a call failed (the
        /// driver's, cuBLAS's or NVRTC's message).
        case cuda(CUDAError)
        /// The input shape has no elements, or a negative size.
        case emptyInputShape([Int])
        /// An input of the wrong number of values.
        case inputCount(expected: Int, found: Int)
        /// The forward pass gives a tensor of another dtype than `float32`.
        case outputDType(DType)
        /// The forward pass gives a tensor on another device than the graph's GPU.
        case outputDevice(Device)
        /// The model's parameters or buffers are on another device than the graph's GPU.
        case modelDevice(Device)
        /// The forward pass gave another output shape when it was captured than when it first
        /// ran: it depends on something other than its input's shape.
        case outputShapeChanged(first: [Int], captured: [Int])
        /// Tensors made during the capture outlived it: the graph would allocate memory it never
        /// frees (a tensor kept in a variable outside the forward pass?).
        case allocationsOutliveCapture(allocated: Int, freed: Int)
        /// `DESCENT_CUDA_SYNC=1` or `DESCENT_CUDA_PROFILE=1` waits for the GPU around every
        /// operation, and nothing may wait during a capture.
        case synchronizesEveryLaunch
        /// A captured training step's live values (learning rate, step count, random keys) could
        /// not be captured or written for a replay: what went wrong.
        case trainingStep(String)
        /// A tensor that a captured training step updates in place was replaced by a copy, so
        /// the graph no longer updates the tensor the model holds.
        case parameterMoved(String)
    }

    /// What went wrong, with its details.
    public var kind: Kind

    /// An error of `kind`.
    public init(_ kind: Kind) { self.kind = kind }

    /// What went wrong in words.
    public var description: String {
        switch kind {
        case .notCUDA(let device):
            return "CUDA graphs run on a GPU: \(device) is not a cuda device"
        case .cuda(let error):
            return "\(error)"
        case .emptyInputShape(let shape):
            return "a CUDA graph's input needs at least one value: the shape \(shape) has none"
        case .inputCount(let expected, let found):
            return "the CUDA graph takes \(expected) input values (its input shape), not \(found)"
        case .outputDType(let dtype):
            return "a CUDA inference graph gives float32 outputs, but the forward pass gives \(dtype)"
        case .outputDevice(let device):
            return "a CUDA graph's forward pass must leave its output on the GPU, but it gives a tensor on \(device)"
        case .modelDevice(let device):
            return "the model is on \(device), not on the graph's GPU: move it there with .to(_:) first"
        case .outputShapeChanged(let first, let captured):
            return "the forward pass gave an output of shape \(first) when it ran, then \(captured) when it was captured"
        case .allocationsOutliveCapture(let allocated, let freed):
            return "the captured forward pass made \(allocated) tensors on the GPU but let go of only \(freed): "
                + "a graph must free what it allocates (is a tensor made inside it kept outside?)"
        case .synchronizesEveryLaunch:
            return "CUDA graphs cannot be captured with DESCENT_CUDA_SYNC=1 or DESCENT_CUDA_PROFILE=1 "
                + "(they wait for the GPU around every operation, and nothing may wait during a capture)"
        case .trainingStep(let message):
            return message
        case .parameterMoved(let name):
            return "the parameter '\(name)' was copied while the training step was captured or replayed, "
                + "so the graph would update a tensor the model no longer holds (is a copy of the model kept elsewhere?)"
        }
    }
}
