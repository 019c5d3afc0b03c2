/// A first-in, first-out queue with amortised O(1) push and pop: waiting lines.
///
/// A contiguous array with a moving head; the consumed prefix is discarded once it is both
/// longer than 1,024 elements and more than half the buffer, so memory tracks the live
/// length while each element is moved at most once on average.
public struct FIFOQueue<Element> {
    @usableFromInline var storage: ContiguousArray<Element> = []
    @usableFromInline var head = 0

    public init() {}

    @inlinable public var count: Int { storage.count - head }
    @inlinable public var isEmpty: Bool { head == storage.count }
    @inlinable public var first: Element? { isEmpty ? nil : storage[head] }

    @inlinable public mutating func append(_ element: Element) { storage.append(element) }

    @inlinable public mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1_024 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// The live elements, oldest first.
    public var elements: ArraySlice<Element> { storage[head...] }
}

extension FIFOQueue: Sendable where Element: Sendable {}
