import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite("Dataset, batching and standardization")
struct DatasetTests {
    /// Ten examples whose single feature is their own index, so batches show which rows they hold.
    func numbered(_ count: Int = 10) -> Dataset {
        let rows = (0..<count).map { Float($0) }
        return Dataset(features: Tensor(shape: [count, 2], scalars: rows.flatMap { [$0, -$0] }),
                       labels: Tensor((0..<count).map { Int32($0 % 3) }))
    }

    func firstFeature(_ batch: Batch) -> [Int] {
        batch.inputs.scalars(as: Float.self).enumerated().filter { $0.offset % 2 == 0 }.map { Int($0.element) }
    }

    @Test func basics() {
        let data = numbered()
        #expect(data.count == 10 && data.featureCount == 2)
        #expect(data.task == .classification && data.classCount == 3)
        let binary = Dataset(features: .zeros([2, 1]), labels: Tensor([Int32(0), 1]))
        #expect(binary.task == .binary)
        let named = Dataset(features: .zeros([2, 1]), labels: Tensor([Int32(0), 0]), classNames: ["a", "b", "c", "d"])
        #expect(named.task == .classification && named.classCount == 4)
        #expect(Dataset(features: .zeros([2, 1]), labels: .zeros([2, 1])).task == .regression)
    }

    @Test func subset() {
        let part = numbered().subset([7, 2, 2])
        #expect(part.count == 3)
        #expect(part.features.scalars(as: Float.self) == [7, -7, 2, -2, 2, -2])
        #expect(part.labels.scalars(as: Int32.self) == [1, 2, 2])
        #expect(part.task == .classification && part.classCount == 3)
    }

    @Test func seededSplit() throws {
        let data = numbered(100)
        let (train, validation) = try data.split(validationFraction: 0.2, seed: 42)
        #expect(train.count == 80 && validation.count == 20)
        let trainRows = train.features.scalars(as: Float.self).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let validationRows = validation.features.scalars(as: Float.self).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(Set(trainRows).isDisjoint(with: validationRows))
        #expect(Set(trainRows + validationRows).count == 100)
        #expect(trainRows == trainRows.sorted() && validationRows == validationRows.sorted())
        // Same seed, same split; another seed, another split.
        let again = try data.split(validationFraction: 0.2, seed: 42).validation
        #expect(again.features.scalars(as: Float.self) == validation.features.scalars(as: Float.self))
        let other = try data.split(validationFraction: 0.2, seed: 43).validation
        #expect(other.features.scalars(as: Float.self) != validation.features.scalars(as: Float.self))

        let none = try data.split(validationFraction: 0, seed: 1)
        #expect(none.train.count == 100 && none.validation.count == 0 && none.validation.features.shape == [0, 2])
        for bad in [-0.1, 1, 1.5, .nan] {
            #expect(throws: DataError.self) { try data.split(validationFraction: bad, seed: 1) }
        }
        #expect(throws: DataError.self) { try numbered(1).split(validationFraction: 0.9, seed: 1) }
    }

    @Test func fullBatchIsTheWholeDataset() {
        let data = numbered()
        for shuffled in [false, true] {
            let batches = data.batches(.fullBatch, shuffled: shuffled, seed: 1)
            #expect(batches.count == 1)
            let batch = batches[0]
            #expect(batch.inputs.shape == [10, 2] && firstFeature(batch) == Array(0..<10))
            #expect(batch.labels.scalars(as: Int32.self) == data.labels.scalars(as: Int32.self))
        }
    }

    @Test func stochasticIsOneExampleAtATime() {
        let batches = numbered().batches(.stochastic, shuffled: false)
        #expect(batches.count == 10)
        #expect(batches.map { $0.inputs.shape } == Array(repeating: [1, 2], count: 10))
        #expect(batches.flatMap(firstFeature) == Array(0..<10))
        #expect(batches.map { $0.labels.shape } == Array(repeating: [1], count: 10))
    }

    @Test func miniBatchesKeepTheLastPartialBatch() {
        let batches = numbered().batches(.miniBatch(size: 4), shuffled: false)
        #expect(batches.count == 3)
        #expect(batches.map { $0.inputs.shape[0] } == [4, 4, 2])
        #expect(batches.map(firstFeature) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(batches[2].indices == [8, 9])
        #expect(Batching.miniBatch(size: 4).batchCount(forCount: 10) == 3)
        #expect(Batching.stochastic.batchCount(forCount: 10) == 10)
        #expect(Batching.fullBatch.batchCount(forCount: 10) == 1)
        #expect(numbered(0).batches(.miniBatch(size: 4), shuffled: true).isEmpty)
    }

    @Test func shufflingIsSeededAndChangesEachEpoch() {
        let data = numbered(50)
        func order(seed: UInt64, epoch: Int) -> [Int] {
            data.batches(.miniBatch(size: 8), shuffled: true, seed: seed, epoch: epoch).flatMap(firstFeature)
        }
        let first = order(seed: 7, epoch: 0)
        #expect(first.sorted() == Array(0..<50))   // every example exactly once
        #expect(first != Array(0..<50))
        #expect(order(seed: 7, epoch: 0) == first)   // reproducible
        #expect(order(seed: 7, epoch: 1) != first)   // reshuffled each epoch
        #expect(order(seed: 8, epoch: 0) != first)
        // Labels travel with their features.
        for batch in data.batches(.miniBatch(size: 8), shuffled: true, seed: 7) {
            #expect(batch.labels.scalars(as: Int32.self) == firstFeature(batch).map { Int32($0 % 3) })
        }
    }

    @Test func standardizer() throws {
        let train = Dataset(features: Tensor([[1, 10, 5], [3, 10, 7], [5, 10, 9]] as [[Float]]), labels: .zeros([3, 1]))
        let standardizer = FeatureStandardizer(fitting: train)
        expectClose(standardizer.mean, [3, 10, 7])
        let deviation = (8.0 / 3).squareRoot()
        expectClose(standardizer.scale, [deviation, 1, deviation])   // constant feature: scale 1
        let standardized = try standardizer.apply(to: train)
        expectClose(standardized.features, Tensor([[-1.2247449, 0, -1.2247449], [0, 0, 0], [1.2247449, 0, 1.2247449]] as [[Float]]))
        #expect(standardized.features.dtype == .float32)
        // Applied to other data with the training statistics.
        let other = try standardizer.apply(to: Tensor([[3, 11, 7]] as [[Float]]))
        expectClose(other, Tensor([[0, 1, 0]] as [[Float]]))
        // Saved and loaded with a model.
        let json = try JSONEncoder().encode(standardizer)
        #expect(try JSONDecoder().decode(FeatureStandardizer.self, from: json) == standardizer)
        let mismatch = try #require(throws: DataError.self) { try standardizer.apply(to: Tensor.zeros([2, 4])) }
        #expect(mismatch.kind == .invalidArgument && mismatch.description.contains("3 features"))
    }
}
