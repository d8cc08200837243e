// The fused softmax cross-entropy of classifiers, forward and backward.

extension CPUBackend {
    /// Each row's loss logΣeˣ − x[label] and its softmax probabilities, computed stably (the row
    /// maximum is subtracted before exponentiating).
    func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> (losses: Tensor, probabilities: Tensor) {
        func run<T: FloatingPointScalar>(_: T.Type) -> (Tensor, Tensor) {
            let (rows, classes) = (logits.shape[0], logits.shape[1])
            let losses = TensorStorage(uninitializedCount: rows, dtype: T.dtype, device: .cpu)
            let probabilities = TensorStorage(uninitializedCount: rows * classes, dtype: T.dtype, device: .cpu)
            let x = logits.storage.typed(T.self), p = probabilities.typed(T.self), loss = losses.typed(T.self)
            let label = labels.storage.typed(Int32.self)
            for row in 0..<rows {
                let xs = x + row * classes, ps = p + row * classes
                var maximum = -T.infinity
                for c in 0..<classes where xs[c] > maximum || xs[c].isNaN { maximum = xs[c] }
                var sum: T = 0
                for c in 0..<classes {
                    ps[c] = T.exp(xs[c] - maximum)
                    sum += ps[c]
                }
                for c in 0..<classes { ps[c] /= sum }
                loss[row] = (maximum + T.log(sum)) - xs[Int(label[row])]
            }
            return (Tensor(shape: [rows], storage: losses), Tensor(shape: [rows, classes], storage: probabilities))
        }
        return logits.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    /// (p − onehot(label)) · g for each row: p [n, C], g [n].
    func softmaxCrossEntropyGradient(probabilities: Tensor, labels: Tensor, upstream: Tensor) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (rows, classes) = (probabilities.shape[0], probabilities.shape[1])
            let output = TensorStorage(uninitializedCount: rows * classes, dtype: T.dtype, device: .cpu)
            let p = probabilities.storage.typed(T.self), g = upstream.storage.typed(T.self), y = output.typed(T.self)
            let label = labels.storage.typed(Int32.self)
            for row in 0..<rows {
                let scale = g[row]
                for c in 0..<classes { y[row * classes + c] = p[row * classes + c] * scale }
                y[row * classes + Int(label[row])] -= scale
            }
            return Tensor(shape: [rows, classes], storage: output)
        }
        return probabilities.dtype == .float32 ? run(Float.self) : run(Double.self)
    }
}
