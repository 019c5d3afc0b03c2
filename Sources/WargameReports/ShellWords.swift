/// Command lines a person can paste into a POSIX shell: words with anything but
/// `[A-Za-z0-9_./=:,+@%-]` are single-quoted.
public enum ShellWords {
    public static func quote(_ word: String) -> String {
        let safe = !word.isEmpty && word.unicodeScalars.allSatisfy { u in
            ("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u) || "_./=:,+@%-".unicodeScalars.contains(u)
        }
        if safe { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static func join(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }
}
