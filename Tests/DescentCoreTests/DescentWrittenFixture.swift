// The file Descent writes for these tensors, byte for byte. Tests/Fixtures/safetensors/
// check_descent_written.py loads `base64` with PyTorch's safetensors and checks these values, which
// is how we know PyTorch reads what Descent writes. If the writer changes, update `base64` from
// the failing test's message and rerun the script.
import Descent

enum DescentWrittenFixture {
    static let tensors: [String: Tensor] = [
        "0.weight": Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) / 8 - 0.75 }),
        "0.bias": Tensor([Float(0.5), -0.25, 1e-7, 3e38]),
        "2.weight": Tensor(shape: [2, 4], scalars: (0..<8).map { Float($0 * $0) - 10 }),
        "2.bias": Tensor([Float(-1), 1]),
        "steps": Tensor(shape: [3], scalars: [Int32.min, 0, Int32.max]),
        "scale": Tensor(shape: [2], scalars: [1.0 / 3.0, -2.5e-300]),
        "temperature": Tensor(Float(0.25)),
        "empty": Tensor(shape: [0, 3], scalars: [Float]()),
    ]
    static let metadata = ["format": "pt", "note": "written by \"Descent\" — é"]
    static let base64 = """
        QAIAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJwdCIsIm5vdGUiOiJ3cml0dGVuIGJ5IFwiRGVzY2VudFwiIOKAlCDD
        qSJ9LCIwLmJpYXMiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzRdLCJkYXRhX29mZnNldHMiOlswLDE2XX0sIjAud2VpZ2h0Ijp7
        ImR0eXBlIjoiRjMyIiwic2hhcGUiOls0LDNdLCJkYXRhX29mZnNldHMiOlsxNiw2NF19LCIyLmJpYXMiOnsiZHR5cGUiOiJGMzIi
        LCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOls2NCw3Ml19LCIyLndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiw0
        XSwiZGF0YV9vZmZzZXRzIjpbNzIsMTA0XX0sImVtcHR5Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlswLDNdLCJkYXRhX29mZnNl
        dHMiOlsxMDQsMTA0XX0sInNjYWxlIjp7ImR0eXBlIjoiRjY0Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbMTA0LDEyMF19
        LCJzdGVwcyI6eyJkdHlwZSI6IkkzMiIsInNoYXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6WzEyMCwxMzJdfSwidGVtcGVyYXR1cmUi
        OnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6W10sImRhdGFfb2Zmc2V0cyI6WzEzMiwxMzZdfX0gICAgICAAAAA/AACAvpW/1jPmsWF/
        AABAvwAAIL8AAAC/AADAvgAAgL4AAAC+AAAAAAAAAD4AAIA+AADAPgAAAD8AACA/AACAvwAAgD8AACDBAAAQwQAAwMAAAIC/AADA
        QAAAcEEAANBBAAAcQlVVVVVVVdU/LzC3s6fJuoEAAACAAAAAAP///38AAIA+
        """
}
