@testable import DescentTrain
import Testing

/// `PlaneRegion`'s clipping: what keeps a diverging path inside its picture.
@Suite struct PlaneRegionTests {
    let square = PlaneRegion(x: 0...1, y: 0...1)

    @Test func aSegmentIsCutWhereItCrossesTheBorder() throws {
        let (enter, leave) = try #require(square.clip(from: PlanePoint(x: -1, y: 0.5), to: PlanePoint(x: 2, y: 0.5)))
        #expect(enter == PlanePoint(x: 0, y: 0.5) && leave == PlanePoint(x: 1, y: 0.5))
        // A diagonal from inside out leaves through the corner.
        let (start, end) = try #require(square.clip(from: PlanePoint(x: 0.5, y: 0.5), to: PlanePoint(x: 3, y: 3)))
        #expect(start == PlanePoint(x: 0.5, y: 0.5) && abs(end.x - 1) < 1e-15 && abs(end.y - 1) < 1e-15)
    }

    @Test func segmentsOutsideOrNotFiniteAreDropped() {
        #expect(square.clip(from: PlanePoint(x: 2, y: 0), to: PlanePoint(x: 3, y: 1)) == nil)
        #expect(square.clip(from: PlanePoint(x: -1, y: 2), to: PlanePoint(x: 2, y: 2)) == nil)
        #expect(square.clip(from: PlanePoint(x: 0.5, y: 0.5), to: PlanePoint(x: .nan, y: 1)) == nil)
        #expect(square.clip(from: PlanePoint(x: 0.5, y: 0.5), to: PlanePoint(x: .infinity, y: 1)) == nil)
    }

    @Test func aPathThatLeavesAndReturnsBecomesTwoPieces() {
        let path = [PlanePoint(x: 0.2, y: 0.2), PlanePoint(x: 0.8, y: 0.2), PlanePoint(x: 1e300, y: -1e300),
                    PlanePoint(x: 0.5, y: 0.5), PlanePoint(x: 0.6, y: 0.6)]
        let pieces = square.clip(path)
        #expect(pieces.count == 2)
        #expect(pieces[0].first == path[0] && pieces[0].count == 3)   // to the border
        #expect(pieces[1].last == path[4] && pieces[1].count == 3)    // from the border
        #expect(pieces.joined().allSatisfy { square.contains($0) })
    }
}
