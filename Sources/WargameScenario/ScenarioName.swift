/// Scenario names become directory names (`out/<name>/`, `out/<name>-sweep/`), so they are
/// held to a portable file-name alphabet: whatever a file says, the default output
/// directory stays one plain component under `out/`.
public enum ScenarioName {
    /// The rule, as error messages and the docs state it.
    public static let rule = "1…100 characters from A–Z, a–z, 0–9, '.', '_' and '-', other than \".\" and \"..\""

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...100).contains(bytes.count), name != ".", name != ".." else { return false }
        return bytes.allSatisfy { b in
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }
}
