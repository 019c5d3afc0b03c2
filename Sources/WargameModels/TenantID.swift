/// How a tenant is named wherever a person or a tool reads it: `tenant-7`.
///
/// Inside the models a tenant is its index (0-based, dense, cheap to key arrays by); outside,
/// every output spells it the way the runbooks' production does (`tenant_id="tenant-42"`,
/// `notify-tenant --tenant tenant-42`), so a decision log row joins a Prometheus series and
/// a production log line on the same text. One spelling, defined once.
public enum TenantID {
    public static let prefix = "tenant-"

    /// The id of the tenant at `index`.
    public static func name(_ index: Int) -> String { prefix + String(index) }

    /// The index named by `text` (`tenant-7` → 7), or nil if it is not a tenant id: the
    /// prefix, then a canonical non-negative integer (no sign, no leading zeros).
    public static func index(_ text: String) -> Int? {
        guard text.hasPrefix(prefix) else { return nil }
        let digits = text.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              digits == "0" || digits.first != "0", let n = Int(digits) else { return nil }
        return n
    }
}
