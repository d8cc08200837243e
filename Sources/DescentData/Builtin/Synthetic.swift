import Foundation

/// Small generated datasets for experiments: two features (x, y) per point, int32 class labels,
/// the same points for the same seed. Their points are shuffled, as scikit-learn's generators
/// shuffle theirs.
extension Dataset {
    /// The four points of XOR, in order (0,0), (0,1), (1,0), (1,1), with labels 0, 1, 1, 0: the
    /// smallest problem that a single layer cannot solve and two layers can.
    public static func xor() -> Dataset {
        Dataset(features: Tensor([[0, 0], [0, 1], [1, 0], [1, 1]] as [[Float]]), labels: Tensor([Int32(0), 1, 1, 0]),
                task: .binary, featureNames: ["x", "y"], classNames: ["0", "1"])
    }

    /// Two interleaving half circles (scikit-learn's `make_moons`): class 0 on the upper arc
    /// centred at (0, 0), class 1 on the lower arc centred at (1, 0.5), each point moved by
    /// Gaussian noise of standard deviation `noise`.
    public static func twoMoons(count: Int = 200, noise: Double = 0.1, seed: UInt64 = 0) -> Dataset {
        precondition(count >= 2, "twoMoons: count must be at least 2, found \(count)")
        let outer = count / 2
        var points: [(Double, Double, Int32)] = []
        for (n, label) in [(outer, Int32(0)), (count - outer, Int32(1))] {
            for i in 0..<n {
                let angle = n > 1 ? Double.pi * Double(i) / Double(n - 1) : 0
                points.append(label == 0 ? (cos(angle), sin(angle), 0) : (1 - cos(angle), 0.5 - sin(angle), 1))
            }
        }
        return synthetic(points, noise: noise, seed: seed, classCount: 2)
    }

    /// Two concentric circles (scikit-learn's `make_circles`): class 0 on the unit circle,
    /// class 1 on a circle of radius `factor`, with Gaussian noise of standard deviation `noise`.
    public static func circles(count: Int = 200, noise: Double = 0.05, factor: Double = 0.5, seed: UInt64 = 0) -> Dataset {
        precondition(count >= 2, "circles: count must be at least 2, found \(count)")
        precondition(factor >= 0 && factor < 1, "circles: factor must be in [0, 1), found \(factor)")
        let outer = count / 2
        var points: [(Double, Double, Int32)] = []
        for (n, radius, label) in [(outer, 1.0, Int32(0)), (count - outer, factor, Int32(1))] {
            for i in 0..<n {
                let angle = 2 * Double.pi * Double(i) / Double(n)
                points.append((radius * cos(angle), radius * sin(angle), label))
            }
        }
        return synthetic(points, noise: noise, seed: seed, classCount: 2)
    }

    /// Interleaved spiral arms, one per class (the CS231n example): arm k holds points at radius
    /// r from 0 to 1 and angle 4k + 4r, the angle moved by Gaussian noise of standard deviation
    /// `noise` (radians). `count` points in all, shared evenly among the arms.
    public static func spirals(count: Int = 300, classes: Int = 3, noise: Double = 0.2, seed: UInt64 = 0) -> Dataset {
        precondition(classes >= 2, "spirals: classes must be at least 2, found \(classes)")
        precondition(count >= classes, "spirals: count (\(count)) must be at least the number of classes (\(classes))")
        var generator = RandomGenerator(seed: seed)
        var points: [(Double, Double, Int32)] = []
        for arm in 0..<classes {
            let n = count / classes + (arm < count % classes ? 1 : 0)
            for i in 0..<n {
                let radius = n > 1 ? Double(i) / Double(n - 1) : 0
                let angle = 4 * (Double(arm) + radius) + noise * generator.nextNormal()
                points.append((radius * sin(angle), radius * cos(angle), Int32(arm)))
            }
        }
        return synthetic(points, noise: 0, seed: seed &+ 1, classCount: classes)
    }

    /// Points with Gaussian noise added, shuffled, as a dataset.
    private static func synthetic(_ points: [(Double, Double, Int32)], noise: Double, seed: UInt64, classCount: Int) -> Dataset {
        var generator = RandomGenerator(seed: seed)
        let order = generator.permutation(count: points.count)
        var features: [Float] = []
        var labels: [Int32] = []
        for index in order {
            let (x, y, label) = points[index]
            features += [Float(x + noise * generator.nextNormal()), Float(y + noise * generator.nextNormal())]
            labels.append(label)
        }
        return Dataset(features: Tensor(shape: [points.count, 2], scalars: features), labels: Tensor(labels),
                       task: .classifying(classCount: classCount), featureNames: ["x", "y"],
                       classNames: (0..<classCount).map(String.init))
    }
}
