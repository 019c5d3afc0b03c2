/// Why a scenario was refused: which file, where in it (a JSON path such as
/// `providers[3].capacity`), and what was expected against what was found.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    /// JSON path, or "" for the file as a whole.
    public let path: String
    public let message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)" }
}
