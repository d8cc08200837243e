import Descent
import Foundation
import Testing

/// The library pieces the command line is built on.
@Suite struct CommandLineSupportTests {
    @Test func layerListInfersInputAndOutput() throws {
        let layers = try LayerList.parse("16,relu,dropout=0.25", inputCount: 4, outputCount: 3)
        #expect(layers == [
            .dense(inputCount: 4, outputCount: 16, activation: .identity, useBias: true),
            .activation(.relu), .dropout(rate: 0.25),
            .dense(inputCount: 16, outputCount: 3, activation: .identity, useBias: true),
        ])
        // A list that already ends with the output layer gets none appended.
        #expect(try LayerList.parse("8,tanh,3", inputCount: 2, outputCount: 3).count == 3)
        // A cost that takes probabilities gets its sigmoid after the output layer, once.
        let sigmoidOutput: [LayerConfiguration] = [
            .dense(inputCount: 2, outputCount: 8, activation: .identity, useBias: true), .activation(.tanh),
            .dense(inputCount: 8, outputCount: 1, activation: .identity, useBias: true), .activation(.sigmoid),
        ]
        for list in ["8,tanh", "8,tanh,1", "8,tanh,1,sigmoid"] {
            #expect(try LayerList.parse(list, inputCount: 2, outputCount: 1, outputActivation: .sigmoid) == sigmoidOutput)
        }
        #expect(throws: TrainingError.self) { try LayerList.parse("8,swish", inputCount: 2, outputCount: 3) }
        #expect(throws: TrainingError.self) { try LayerList.parse("dropout=1.5", inputCount: 2, outputCount: 3) }
    }

    @Test func optimizerSettingsBuildEveryOptimizer() throws {
        // Each name builds its own optimizer (none falls through to another).
        let expected: [OptimizerSettings.Name: any Optimizer.Type] = [
            .sgd: SGD.self, .rmsprop: RMSProp.self, .adam: Adam.self, .adamw: AdamW.self, .adagrad: Adagrad.self,
            .adadelta: Adadelta.self, .adamax: Adamax.self, .nadam: NAdam.self,
        ]
        for name in OptimizerSettings.Name.allCases {
            let optimizer = try OptimizerSettings(name: name, learningRate: 0.05).makeOptimizer()
            #expect(optimizer.learningRate == 0.05)
            #expect(type(of: optimizer) == expected[name], "\(name): \(type(of: optimizer))")
        }
        #expect(try OptimizerSettings(name: .adam).makeOptimizer().learningRate == 1e-3)
        #expect(throws: SettingError(.momentum, .notApplicable(choice: .optimizer, chosen: "adam", applicableTo: ["sgd", "rmsprop"]))) {
            try OptimizerSettings(name: .adam, momentum: 0.9).makeOptimizer()
        }
        #expect(throws: SettingError(.nesterov, .needs(other: .momentum, expected: "above 0", found: "0.0"))) {
            try OptimizerSettings(name: .sgd, nesterov: true).makeOptimizer()
        }
        let negative = try #require(throws: SettingError.self) {
            try OptimizerSettings(name: .sgd, learningRate: -1).makeOptimizer()
        }
        #expect(negative.description == "the learning rate must be a finite number of at least 0, found -1.0")
        #expect(OptimizerSettings.Name(rawValue: "lbfgs") == nil)
    }

    @Test func recipeFollowsTheTask() throws {
        let classes = Tensor(shape: [4], scalars: [Int32(0), 1, 1, 0])
        let data = Dataset(features: .zeros([4, 2]), labels: classes)
        #expect(data.task == .binary)
        let binary = try TrainingRecipe(for: data, loss: .binaryCrossEntropyWithLogits)
        #expect(binary.outputCount == 1)
        #expect(binary.prepare(data).labels.shape == [4, 1])
        #expect(binary.outputActivation == nil)
        #expect(try TrainingRecipe(for: data).loss == .binaryCrossEntropyWithLogits)
        #expect(try TrainingRecipe(for: data, loss: .binaryCrossEntropy).outputActivation == .sigmoid)
        let three = Dataset(features: .zeros([4, 2]), labels: classes, task: .classification, classCount: 3)
        let multi = try TrainingRecipe(for: three)
        #expect(multi.loss == .crossEntropy() && multi.outputCount == 3 && multi.metrics == [.accuracy])
        let numbers = Dataset(features: .zeros([4, 2]), labels: .zeros([4, 2]))
        let regression = try TrainingRecipe(for: numbers)
        #expect(regression.loss == .meanSquaredError && regression.outputCount == 2)
        #expect(throws: TrainingError.self) { try TrainingRecipe(for: numbers, loss: .crossEntropy()) }
    }

    @Test func metadataRoundTrips() throws {
        let metadata = ModelMetadata(classNames: ["no", "yes"], standardizer: FeatureStandardizer(mean: [1, 2], scale: [3, 4]),
                                     lossName: "cross-entropy", target: "label")
        #expect(try ModelMetadata(json: metadata.json, preprocessing: metadata.preprocessing, path: "m") == metadata)
        #expect(throws: ModelFileError.self) { try ModelMetadata(json: ["class_names": "[1"], preprocessing: [], path: "m") }
    }

    @Test func historyChartHasAPolylinePerSeries() {
        var history = History()
        history.record([("loss", 1), ("accuracy", 0.5), ("val_loss", 1.2), ("val_accuracy", 0.4)])
        history.record([("loss", 0.5), ("accuracy", 0.8), ("val_loss", 0.7), ("val_accuracy", 0.7)])
        let svg = history.svg()
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(svg.contains("loss per epoch") && svg.contains("accuracy per epoch"))
    }

    @Test func predictionsNameTheClasses() {
        let outputs = Tensor(shape: [2, 2], scalars: [Float(2), -2, -1, 3])
        let predictions = PredictionOutputs(outputs: outputs, classNames: ["cat", "dog"], lossName: "cross-entropy")
        #expect(predictions.tensor.scalars(as: Int32.self) == [0, 1])
        let lines = predictions.csv().split(separator: "\n")
        #expect(lines.first == "prediction,p_cat,p_dog")
        #expect(lines[1].hasPrefix("cat,0.98"))
    }
}
