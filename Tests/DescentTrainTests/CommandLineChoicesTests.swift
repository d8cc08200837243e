import Descent
import Foundation
import Testing
import _DescentTestSupport

/// The choices `descent train` offers as library values: model presets and files, schedules,
/// task overrides and validation files.
@Suite struct ModelChoiceTests {
    private func dense(_ inputs: Int, _ outputs: Int) -> LayerConfiguration {
        .dense(inputCount: inputs, outputCount: outputs, activation: .identity, useBias: true)
    }

    @Test func presetsBuildTheirLayers() throws {
        let mlp = try ModelArchitecture(model: "mlp", layers: nil).layers(inputCount: 784, outputCount: 10)
        #expect(mlp == [dense(784, 512), .activation(.relu), .dropout(rate: 0.2),
                        dense(512, 512), .activation(.relu), .dropout(rate: 0.2), dense(512, 10)])
        let linear = try ModelArchitecture(model: "linear", layers: nil).layers(inputCount: 4, outputCount: 3)
        #expect(linear == [dense(4, 3)])
        // Neither option: the small preset, the command line's default.
        #expect(try ModelArchitecture(model: nil, layers: nil) == .layerList("64,relu,64,relu"))
        #expect(try ModelArchitecture(model: "small", layers: nil) == .default)
        #expect(try ModelArchitecture(model: nil, layers: "8,tanh") == .layerList("8,tanh"))
        #expect(try ModelArchitecture(model: "net.json", layers: nil) == .file(path: "net.json"))
    }

    @Test func conflictingOrUnknownModelsAreErrors() {
        #expect(throws: TrainingError.invalidSetting("use either a model or a layer list, not both")) {
            try ModelArchitecture(model: "mlp", layers: "8")
        }
        #expect(throws: TrainingError.invalidSetting(
            "unknown model \"resnet\": expected a preset (small, mlp, linear, cnn) or a .json model file")) {
            try ModelArchitecture(model: "resnet", layers: nil)
        }
    }

    @Test func aSavedModelJSONIsAModelFile() throws {
        let folder = scratchFolder.appendingPathComponent("descent-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let layers: [LayerConfiguration] = [dense(3, 5), .activation(.tanh), .dropout(rate: 0.1),
                                            .dense(inputCount: 5, outputCount: 2, activation: .sigmoid, useBias: false)]
        try Sequential(layers: layers).save(to: folder, metadata: ["loss": "mse"])
        let path = folder.appendingPathComponent("model.json").path
        #expect(try ModelArchitecture.file(path: path).layers(inputCount: 3, outputCount: 2) == layers)
    }

    @Test func modelFilesAreCheckedAgainstTheData() throws {
        let folder = scratchFolder.appendingPathComponent("descent-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("net.json")
        // The documented format, written by hand.
        try """
            { "layers": [
                { "dense": { "inputCount": 4, "outputCount": 16, "activation": { "relu": {} }, "useBias": true } },
                { "dropout": { "rate": 0.2 } },
                { "activation": { "_0": { "leakyReLU": { "negativeSlope": 0.1 } } } },
                { "dense": { "inputCount": 16, "outputCount": 3, "activation": { "identity": {} }, "useBias": true } }
            ] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let architecture = ModelArchitecture.file(path: file.path)
        let layers = try architecture.layers(inputCount: 4, outputCount: 3)
        #expect(layers.count == 4 && layers[2] == .activation(.leakyReLU(negativeSlope: 0.1)))

        #expect(throws: TrainingError.incompatibleData(
            "'\(file.path)': the model expects 4 input features (layer 0), but the data have 5")) {
            try architecture.layers(inputCount: 5, outputCount: 3)
        }
        #expect(throws: TrainingError.incompatibleData(
            "'\(file.path)': the model has 3 outputs, but the data and cost function need 2")) {
            try architecture.layers(inputCount: 4, outputCount: 2)
        }
        #expect(throws: TrainingError.incompatibleData(
            "'net.json': layer 2 (dense) expects 5 inputs, but the layer before it gives 6")) {
            try ModelFile.check([dense(4, 6), .activation(.relu), dense(5, 3)], inputCount: 4, outputCount: 3, path: "net.json")
        }
        #expect(throws: TrainingError.self) {
            try ModelFile.check([dense(4, 3), .dropout(rate: 1.5)], inputCount: 4, outputCount: 3, path: "net.json")
        }

        try #"{ "layers": [ { "dense": { "inputCount": 4 } } ] }"#.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ModelFileError.invalidValue(path: file.path, location: "layers[0].out_features",
                                                    expected: "an integer in 1…", found: "null")) {
            try ModelFile.layers(contentsOf: file)
        }
        try #"{ "format": "keras", "layers": [] }"#.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ModelFileError.invalidValue(path: file.path, location: "format", expected: "\"descent.sequential\"",
                                                    found: "\"keras\"")) {
            try ModelFile.layers(contentsOf: file)
        }
    }
}

@Suite struct ScheduleSettingsTests {
    private func rates(_ settings: ScheduleSettings, epochs: Int) throws -> [Double] {
        let schedule = try #require(try settings.makeSchedule(epochs: epochs).schedule)
        return (0..<epochs).map { schedule.learningRate(atEpoch: $0, initial: 0.1) }
    }

    @Test func eachScheduleFollowsPyTorch() throws {
        expectClose(try rates(ScheduleSettings(name: .step, stepSize: 2, gamma: 0.5), epochs: 5),
                    [0.1, 0.1, 0.05, 0.05, 0.025])
        expectClose(try rates(ScheduleSettings(name: .step, stepSize: 1), epochs: 2), [0.1, 0.01])
        expectClose(try rates(ScheduleSettings(name: .multistep, milestones: [1, 3]), epochs: 4), [0.1, 0.01, 0.01, 0.001])
        expectClose(try rates(ScheduleSettings(name: .exponential, gamma: 0.5), epochs: 3), [0.1, 0.05, 0.025])
        // T_max defaults to the number of epochs.
        expectClose(try rates(ScheduleSettings(name: .cosine), epochs: 3), [0.1, 0.075, 0.025])
        expectClose(try rates(ScheduleSettings(name: .cosine, tMax: 2, etaMin: 0.02), epochs: 3), [0.1, 0.06, 0.02])
        expectClose(try rates(ScheduleSettings(name: .linear), epochs: 7),
                    [0.1 / 3, 0.1 * 7 / 15, 0.1 * 9 / 15, 0.1 * 11 / 15, 0.1 * 13 / 15, 0.1, 0.1])
        expectClose(try rates(ScheduleSettings(name: .linear, startFactor: 0.5, endFactor: 0.25, totalIterations: 1), epochs: 2),
                    [0.05, 0.025])

        let plateau = try #require(try ScheduleSettings(name: .plateau, factor: 0.5, patience: 1).makeSchedule(epochs: 5).plateau)
        #expect(plateau.factor == 0.5 && plateau.patience == 1)
        let defaults = try #require(try ScheduleSettings(name: .plateau).makeSchedule(epochs: 5).plateau)
        #expect(defaults.factor == 0.1 && defaults.patience == 10)
        let none = try ScheduleSettings().makeSchedule(epochs: 5)
        #expect(none.schedule == nil && none.plateau == nil)
    }

    /// Each error names the setting in words (the command line words it with its options:
    /// `ScheduleOptionTests`, `BadOptionValueTests`).
    @Test func badSettingsSayWhatWasExpected() throws {
        let cases: [(ScheduleSettings, String)] = [
            (ScheduleSettings(gamma: 0.5),
             "the decay factor gamma needs the schedule step, multistep or exponential, but none was chosen"),
            (ScheduleSettings(name: .cosine, patience: 3), "the patience applies to the schedule plateau, not cosine"),
            (ScheduleSettings(name: .step), "the schedule step needs the step size"),
            (ScheduleSettings(name: .multistep), "the schedule multistep needs the milestones"),
            (ScheduleSettings(name: .exponential), "the schedule exponential needs the decay factor gamma"),
            (ScheduleSettings(name: .step, stepSize: 0), "the step size must be a whole number of at least 1, found 0"),
            (ScheduleSettings(name: .exponential, gamma: -1), "the decay factor gamma must be a finite number above 0, found -1.0"),
            (ScheduleSettings(name: .cosine, tMax: 0), "T_max must be a whole number of at least 1, found 0"),
            (ScheduleSettings(name: .linear, startFactor: 0), "the start factor must be a number above 0 and at most 1, found 0.0"),
            (ScheduleSettings(name: .plateau, factor: 1), "the plateau factor must be a number above 0 and below 1, found 1.0"),
            (ScheduleSettings(name: .multistep, milestones: [5, 2]),
             "the milestones must be epochs of at least 0 in increasing order such as 10,20, found 5,2"),
        ]
        for (settings, message) in cases {
            let error = try #require(throws: SettingError.self) { try settings.makeSchedule(epochs: 10) }
            #expect(error.description == message)
        }
        // The error as data, for a front end to word its own way.
        #expect(throws: SettingError(.patience, .notApplicable(choice: .schedule, chosen: "cosine", applicableTo: ["plateau"]))) {
            try ScheduleSettings(name: .cosine, patience: 3).check()
        }
        #expect(throws: SettingError(.stepSize, .missing(choice: .schedule, chosen: "step"))) {
            try ScheduleSettings(name: .step).check()
        }
        // Names other than the schedules' are not schedules.
        #expect(ScheduleSettings.Name(rawValue: "warmup") == nil)
        #expect(ScheduleSettings.names == ["step", "multistep", "exponential", "cosine", "linear", "plateau"])
    }

    /// The schedule reaches `fit`, which records the rate of every epoch.
    @Test func fitFollowsTheChosenSchedule() throws {
        let data = Dataset(features: Tensor([[0, 0], [0, 1], [1, 0], [1, 1]] as [[Float]]),
                           labels: Tensor([[0], [1], [1], [0]] as [[Float]]))
        var model = try Sequential(layers: [.dense(inputCount: 2, outputCount: 1, activation: .identity, useBias: true)])
        let (schedule, plateau) = try ScheduleSettings(name: .multistep, gamma: 0.5, milestones: [1, 2]).makeSchedule(epochs: 3)
        let history = try model.fit(data, epochs: 3, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.2),
                                    batching: .fullBatch, schedule: schedule, plateau: plateau)
        expectClose(try #require(history["learning_rate"]), [0.2, 0.1, 0.05])
    }
}

@Suite struct TaskAndValidationTests {
    @Test func classesReadAsNumbersForRegression() throws {
        let digits = Dataset(features: .zeros([3, 2]), labels: Tensor(shape: [3], scalars: [Int32(0), 2, 1]),
                             classNames: ["3", "5", "7"])
        let regression = try PredictionTask.regression.apply(to: digits, source: "d")
        #expect(regression.task == .regression && regression.classNames == nil)
        #expect(regression.labels.shape == [3, 1])
        #expect(regression.labels.scalars(as: Float.self) == [3, 7, 5])
        // Class names that are not numbers: the indices.
        var named = digits
        named.classNames = ["a", "b", "c"]
        #expect(try PredictionTask.regression.apply(to: named, source: "d").labels.scalars(as: Float.self) == [0, 2, 1])

        #expect(throws: TrainingError.incompatibleData("binary classification needs two classes, but 'd' has 3: 3, 5, 7")) {
            try PredictionTask.binary.apply(to: digits, source: "d")
        }
        let classes = try PredictionTask.classification.apply(to: digits, source: "d")
        #expect(classes.task == .classification && classes.classCount == 3)
        // Two classes read as binary, whether they were a multi-class task before or not.
        let two = Dataset(features: .zeros([2, 1]), labels: Tensor([Int32(0), 1]), task: .classification)
        #expect(try PredictionTask.binary.apply(to: two, source: "t").task == .binary)
        #expect(try PredictionTask.classification.apply(to: two, source: "t").task == .classification)
        #expect(throws: TrainingError.self) { try PredictionTask.binary.apply(to: regression, source: "d") }
    }

    @Test func taskOverrideReadsACSVTheOtherWay() throws {
        let folder = scratchFolder.appendingPathComponent("descent-task-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("t.csv")
        try "x,y\n1,0.5\n2,1.5\n3,0.5\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try DatasetSource.load(file.path).train.task == .regression)
        let classes = try DatasetSource.load(file.path, task: .classification).train
        #expect(classes.task == .binary && classes.classNames == ["0.5", "1.5"])
        #expect(classes.labels.scalars(as: Int32.self) == [0, 1, 0])
    }

    @Test func aValidationFileUsesTheTrainingClasses() throws {
        let folder = scratchFolder.appendingPathComponent("descent-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws -> String {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            return folder.appendingPathComponent(name).path
        }
        let training = try DatasetSource.load(try write("t.csv", "a,b,kind\n1,2,cat\n3,4,dog\n5,6,emu\n")).train
        // Only two of the three classes, in another order: the labels are the training indices.
        let validation = try DatasetSource.loadValidation(try write("v.csv", "a,b,kind\n1,1,emu\n2,2,cat\n"), matching: training)
        #expect(validation.classNames == ["cat", "dog", "emu"])
        #expect(validation.labels.scalars(as: Int32.self) == [2, 0])
        #expect(validation.task == training.task)

        let unknown = try write("u.csv", "a,b,kind\n1,1,cat\n2,2,yak\n")
        #expect(throws: TrainingError.incompatibleData(
            "the validation file has a class the training data do not have: \(unknown):3: column 'kind': "
                + "class 'yak' is not one of the model's classes [\"cat\", \"dog\", \"emu\"]")) {
            try DatasetSource.loadValidation(unknown, matching: training)
        }
        #expect(throws: TrainingError.self) {
            try DatasetSource.loadValidation(try write("w.csv", "a,c,kind\n1,1,cat\n"), matching: training)
        }
        #expect(throws: SettingError(.validationFile, .invalid(expected: "a .csv file", found: "'v.npy'"))) {
            try DatasetSource.loadValidation("v.npy", matching: training)
        }
    }

    @Test func lossesThatDoNotFitTheTaskAreErrors() throws {
        let labels = Tensor(shape: [3], scalars: [Int32(0), 1, 2])
        let data = Dataset(features: .zeros([3, 2]), labels: labels)
        #expect(throws: TrainingError.self) {
            try TrainingRecipe(for: data, loss: .binaryCrossEntropy)
        }
        // KL divergence compares distributions: class labels become one-hot targets.
        let recipe = try TrainingRecipe(for: data, loss: .klDivergence)
        let prepared = recipe.prepare(data)
        #expect(prepared.labels.shape == [3, 3] && prepared.labels.dtype == .float32)
    }

    @Test func theTaskIsSavedWithTheModel() throws {
        let metadata = ModelMetadata(classNames: nil, lossName: "mse", task: .regression)
        let json = metadata.json
        #expect(json["task"] == "regression")
        #expect(try ModelMetadata(json: json, preprocessing: metadata.preprocessing, path: "m") == metadata)
        #expect(throws: ModelFileError.self) { try ModelMetadata(json: ["task": "ranking"], preprocessing: [], path: "m") }
    }
}
