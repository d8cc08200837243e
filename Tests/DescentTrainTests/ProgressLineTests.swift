import Descent
import Testing

/// The progress bar fits the terminal, so that redrawing it in place never wraps (issue 12: 82–90
/// characters in an 80-column terminal left a new line at every redraw).
@Suite struct ProgressLineTests {
    private let line = ProgressLine(epoch: 12, epochCount: 100, step: 1234, stepCount: 1875, cost: 0.123456,
                                    samplesPerSecond: 123456, secondsLeft: 12.34)

    @Test func atEightyColumnsItIsComplete() {
        #expect(line.text(width: 80)
                == "epoch 12/100 [=======     ] 1234/1875  cost 0.1235  123456 samples/s  ETA 12.3s")
    }

    @Test func narrowerTerminalsDropTheLeastNeededPartsFirst() {
        #expect(line.text(width: 78) == "epoch 12/100 [======    ] 1234/1875  cost 0.1235  123456 samples/s  ETA 12.3s")
        #expect(line.text(width: 77) == "epoch 12/100 [======    ] 1234/1875  cost 0.1235  ETA 12.3s")
        #expect(line.text(width: 60) == "epoch 12/100 [======    ] 1234/1875  cost 0.1235  ETA 12.3s")
        #expect(line.text(width: 47) == "epoch 12/100 1234/1875  cost 0.1235  ETA 12.3s")
        #expect(line.text(width: 40) == "epoch 12/100 1234/1875  cost 0.1235")
        #expect(line.text(width: 20) == "epoch 12/100 1234/1")
    }

    @Test(arguments: [1, 2, 10, 20, 40, 60, 79, 80, 81, 100, 200])
    func neverReachesTheLastColumn(width: Int) {
        #expect(line.text(width: width).count <= width - 1)
    }
}
