import Descent
import Foundation
import Testing
import _DescentTestSupport

/// Learning rates per epoch, compared with torch.optim.lr_scheduler (Fixtures/make_optimizer_fixtures.py).
struct ScheduleFixture: Decodable {
    struct Options: Decodable {
        var stepSize: Int?
        var gamma: Double?
        var milestones: [Int]?
        var tMax: Int?
        var etaMin: Double?
        var startFactor: Double?
        var endFactor: Double?
        var totalIterations: Int?
        var mode: String?
        var factor: Double?
        var patience: Int?
        var threshold: Double?
        var thresholdMode: String?
        var cooldown: Int?
        var minimumLearningRate: Double?
    }

    struct ClosedFormCase: Decodable {
        var schedule: String
        var options: Options
        var rates: [Double]
    }

    struct PlateauCase: Decodable {
        var options: Options
        var metrics: [Double]
        var rates: [Double]
    }

    var initial: Double
    var epochs: Int
    var closedForm: [ClosedFormCase]
    var plateau: [PlateauCase]
}

private func makeSchedule(_ name: String, _ o: ScheduleFixture.Options) -> (any LearningRateSchedule)? {
    switch name {
    case "StepLR": StepLR(stepSize: o.stepSize!, gamma: o.gamma ?? 0.1)
    case "MultiStepLR": MultiStepLR(milestones: o.milestones!, gamma: o.gamma ?? 0.1)
    case "ExponentialLR": ExponentialLR(gamma: o.gamma!)
    case "CosineAnnealingLR": CosineAnnealingLR(tMax: o.tMax!, etaMin: o.etaMin ?? 0)
    case "LinearLR":
        if let start = o.startFactor, let end = o.endFactor, let total = o.totalIterations {
            LinearLR(startFactor: start, endFactor: end, totalIterations: total)
        } else {
            LinearLR()
        }
    default: nil
    }
}

private func loadScheduleFixture() throws -> ScheduleFixture {
    try JSONDecoder().decode(ScheduleFixture.self, from: Data(contentsOf: fixtureURL("schedules.json", in: .module)))
}

@Test func closedFormSchedulesMatchPyTorch() throws {
    let fixture = try loadScheduleFixture()
    #expect(fixture.closedForm.count == 9)
    for testCase in fixture.closedForm {
        let schedule = try #require(makeSchedule(testCase.schedule, testCase.options), "unknown \(testCase.schedule)")
        let rates = (0..<fixture.epochs).map { schedule.learningRate(atEpoch: $0, initial: fixture.initial) }
        expectClose(rates, testCase.rates, relative: 1e-12, absolute: 1e-15, "\(testCase.schedule) \(testCase.options)")
    }
}

@Test func reduceOnPlateauMatchesPyTorch() throws {
    let fixture = try loadScheduleFixture()
    #expect(fixture.plateau.count == 3)
    for testCase in fixture.plateau {
        let o = testCase.options
        let plateau = ReduceLROnPlateau(
            mode: o.mode == "max" ? .maximize : .minimize, factor: o.factor ?? 0.1, patience: o.patience ?? 10,
            threshold: o.threshold ?? 1e-4, thresholdMode: o.thresholdMode == "abs" ? .absolute : .relative,
            cooldown: o.cooldown ?? 0, minimumLearningRate: o.minimumLearningRate ?? 0)
        var learningRate = fixture.initial
        var rates: [Double] = []
        for metric in testCase.metrics {
            learningRate = plateau.step(metric: metric, learningRate: learningRate)
            rates.append(learningRate)
        }
        expectClose(rates, testCase.rates, relative: 1e-12, absolute: 1e-15, "\(o)")
    }
}

@Test func reduceOnPlateauSetsTheOptimizersLearningRate() {
    let optimizer = SGD(learningRate: 1)
    let plateau = ReduceLROnPlateau(factor: 0.5, patience: 0)
    plateau.step(metric: 1, optimizer: optimizer)
    #expect(optimizer.learningRate == 1)
    #expect(plateau.best == 1)
    plateau.step(metric: 1, optimizer: optimizer)
    #expect(optimizer.learningRate == 0.5)
}

@Test func linearWarmUpReachesTheInitialRate() {
    let warmUp = LinearLR(startFactor: 0.1, totalIterations: 3)
    expectClose((0..<5).map { warmUp.learningRate(atEpoch: $0, initial: 1) }, [0.1, 0.4, 0.7, 1, 1])
}
