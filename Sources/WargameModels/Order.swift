import SimKernel

/// A stable reference to an in-flight order: its slot in the order table plus the slot's
/// generation, so an event that outlives its order (a late response) is recognised as stale.
public struct OrderRef: Sendable, Hashable {
    public let slot: UInt32
    public let generation: UInt32
}

/// Where an in-flight order is.
public enum OrderStage: Sendable, Equatable {
    /// A bridge try is in flight; only its own response or timeout moves the order on.
    case bridging
    /// The last try timed out; only the scheduled retry moves the order on (a late
    /// response to the abandoned try is ignored).
    case backingOff
    case policy, queued, placing, running
}

/// A compute order as a tenant submits it, and its progress through the pipeline.
public struct Order: Sendable {
    public var id: Int64
    public var tenant: Int
    public var region: Int
    public var gpuHours: Double
    public var budgetPerGPUHour: Double
    public var nonce: UInt64
    public var signatureValid: Bool
    public var shard: Int = -1
    public var submittedAt: SimTime
    /// Stage counters: bridge tries, provider attempts.
    public var bridgeAttempt = 0
    public var providerAttempt = 0
    /// Providers already tried for this order (bit i = provider i), so failover moves on.
    public var triedProviders: UInt64 = 0
    public var provider = -1
    public var bridge = 0
    public var bridgeRTT: SimDuration?
    public var policyTime: SimDuration?
    public var stage: OrderStage = .bridging
    /// When the current bridge try was submitted, and when the order reached the policy.
    public var tryStartedAt: SimTime = .zero
    public var policyArrivedAt: SimTime = .zero
    /// The policy's verdict, decided when a worker picks the request up.
    public var policyVerdict: Reason = .none
    /// The pending cancellable timeout (bridge try or queue wait), cancelled when it moves on.
    public var timeout: EventHandle?
    /// Admitted while the fail-closed guard was halted, to probe whether coverage recovered.
    public var isProbe = false
    /// Set once running on a provider.
    public var filledAt: SimTime?
}

/// In-flight orders in reusable slots: memory tracks the number in flight, not the number
/// ever submitted, so long runs stay flat. Slots are reused lowest-free-first for
/// determinism (a stack of free slots, never a set).
public struct OrderTable: Sendable {
    var slots: [Order?] = []
    var generations: [UInt32] = []
    var free: [UInt32] = []
    public private(set) var inFlight = 0

    public init() {}

    public mutating func insert(_ order: Order) -> OrderRef {
        inFlight += 1
        if let slot = free.popLast() {
            slots[Int(slot)] = order
            return OrderRef(slot: slot, generation: generations[Int(slot)])
        }
        slots.append(order)
        generations.append(0)
        return OrderRef(slot: UInt32(slots.count - 1), generation: 0)
    }

    /// The order, if the reference is still live.
    public subscript(ref: OrderRef) -> Order? {
        get { generations[Int(ref.slot)] == ref.generation ? slots[Int(ref.slot)] : nil }
        set {
            precondition(generations[Int(ref.slot)] == ref.generation, "OrderTable: write through stale \(ref)")
            slots[Int(ref.slot)] = newValue
        }
    }

    /// Frees the slot; later events carrying `ref` will find nothing.
    public mutating func remove(_ ref: OrderRef) {
        precondition(generations[Int(ref.slot)] == ref.generation && slots[Int(ref.slot)] != nil,
                     "OrderTable: removing stale or empty \(ref)")
        slots[Int(ref.slot)] = nil
        generations[Int(ref.slot)] &+= 1
        free.append(ref.slot)
        inFlight -= 1
    }

    /// Live orders in slot order (deterministic); for rare scans such as a provider outage.
    public func live() -> [(OrderRef, Order)] {
        slots.indices.compactMap { i in slots[i].map { (OrderRef(slot: UInt32(i), generation: generations[i]), $0) } }
    }
}
