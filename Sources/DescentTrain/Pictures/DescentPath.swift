/// The way one method of gradient descent went down a ``LineFit``'s cost surface: the
/// parameters (w, b) it started from and reached after every step.
public struct DescentPath: Sendable {
    /// The method.
    public var method: DescentMethod
    /// (w, b) at the start, then after each step: `steps + 1` points, fewer when the run was
    /// stopped because it diverged.
    public var points: [PlanePoint]
    /// C(w, b) over all the points at each of ``points``.
    public var costs: [Double]
    /// Whether the run went up the surface instead of down: its cost became too large to
    /// compute or ended above where it started (a learning rate too large for the surface).
    public var diverged: Bool

    /// The run of `method` on `fit`, made by the library's optimizers (`SGD` without and with
    /// momentum, `Adam`) from gradients computed by autodiff, as training computes them.
    ///
    /// - Throws: what ``LandscapeSettings/check()`` throws.
    public init(_ method: DescentMethod, on fit: LineFit, settings: LandscapeSettings) throws {
        try settings.check()
        switch method {
        case .fullBatch:
            self.init(method, on: fit, settings: settings, optimizer: SGD(learningRate: settings.learningRate), batching: .fullBatch)
        case .stochastic:
            self.init(method, on: fit, settings: settings, optimizer: SGD(learningRate: settings.learningRate), batching: .stochastic)
        case .miniBatch:
            self.init(method, on: fit, settings: settings, optimizer: SGD(learningRate: settings.learningRate),
                      batching: .miniBatch(size: settings.miniBatchSize))
        case .momentum:
            self.init(method, on: fit, settings: settings,
                      optimizer: SGD(learningRate: settings.learningRate, momentum: settings.momentum), batching: .fullBatch)
        case .adam:
            self.init(method, on: fit, settings: settings, optimizer: Adam(learningRate: settings.learningRate), batching: .fullBatch)
        }
    }

    /// Runs `optimizer` on batches of the points for `settings.steps` steps.
    private init(_ method: DescentMethod, on fit: LineFit, settings: LandscapeSettings, optimizer: some Optimizer,
                 batching: Batching) {
        // Float64, so that the picture shows the methods and not float32's rounding.
        let data = Dataset(features: Tensor(doubles: fit.x, shape: [fit.count, 1], dtype: .float64),
                           labels: Tensor(doubles: fit.y, shape: [fit.count], dtype: .float64), task: .regression)
        var parameters = ["w": Tensor(doubles: [settings.start.x], shape: [1], dtype: .float64),
                          "b": Tensor(doubles: [settings.start.y], shape: [1], dtype: .float64)]
        var points = [settings.start]
        var costs = [fit.cost(w: settings.start.x, b: settings.start.y)]
        var epoch = 0
        running: while true {
            for batch in data.batches(batching, shuffled: true, seed: settings.seed, epoch: epoch) {
                let x = batch.inputs.reshaped(to: [batch.inputs.shape[0]])
                let (_, slopes) = valueWithGradient(at: [parameters["w"]!, parameters["b"]!]) { wb in
                    meanSquaredError(predicted: wb[0] * x + wb[1], expected: batch.labels)
                }
                optimizer.update(&parameters, along: Gradients(["w": slopes[0], "b": slopes[1]]))
                let point = PlanePoint(x: parameters["w"]!.scalars(as: Double.self)[0], y: parameters["b"]!.scalars(as: Double.self)[0])
                let cost = fit.cost(w: point.x, b: point.y)
                // Past an overflow there is nothing left to draw: the next step is NaN.
                guard point.isFinite, cost.isFinite else { break running }
                points.append(point)
                costs.append(cost)
                if points.count > settings.steps { break running }
            }
            epoch += 1
        }
        self.method = method
        self.points = points
        self.costs = costs
        diverged = points.count <= settings.steps || costs[costs.count - 1] > costs[0]
    }

    /// Where the run ended.
    public var end: PlanePoint { points[points.count - 1] }
}
