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
///
/// Stored compactly (narrow integers, sentinels instead of optionals) behind the natural
/// `Int` and optional properties: every stage copies an order out of `OrderTable` and back,
/// and at about 240 bytes those copies were 5 % of a run; at 124 they are small.
public struct Order: Sendable {
    public var id: Int64
    public var gpuHours: Double
    public var budgetPerGPUHour: Double
    public var nonce: UInt64
    public var submittedAt: SimTime
    /// Providers already tried for this order (bit i = provider i), so failover moves on.
    public var triedProviders: UInt64 = 0
    /// When the current bridge try was submitted, and when the order reached the policy.
    public var tryStartedAt: SimTime = .zero
    public var policyArrivedAt: SimTime = .zero
    var _tenant: Int32
    var _region: Int16
    var _shard: Int16 = -1
    var _provider: Int16 = -1
    var _bridgeAttempt: Int16 = 0
    var _providerAttempt: Int16 = 0
    var _bridge: Int16 = 0
    /// Microseconds, or `Int64.min` for none: the optionals below, without their padding.
    var _bridgeRTT = Int64.min, _policyTime = Int64.min, _filledAt = Int64.min
    /// The pending timeout's key (time µs, seq), or `Int64.min` time for none.
    var _timeoutTime = Int64.min, _timeoutSeq: UInt64 = 0
    public var signatureValid: Bool
    public var stage: OrderStage = .bridging
    /// The policy's verdict, decided when a worker picks the request up.
    public var policyVerdict: Reason = .none
    /// Admitted while the fail-closed guard was halted, to probe whether coverage recovered.
    public var isProbe = false

    public init(id: Int64, tenant: Int, region: Int, gpuHours: Double, budgetPerGPUHour: Double, nonce: UInt64,
                signatureValid: Bool, submittedAt: SimTime) {
        precondition(tenant >= 0 && tenant <= Int(Int32.max) && region >= -1 && region <= Int(Int16.max),
                     "Order: tenant \(tenant) or region \(region) out of range")
        self.id = id
        _tenant = Int32(tenant)
        _region = Int16(region)
        self.gpuHours = gpuHours
        self.budgetPerGPUHour = budgetPerGPUHour
        self.nonce = nonce
        self.signatureValid = signatureValid
        self.submittedAt = submittedAt
    }

    @inline(__always) static func optional(_ raw: Int64) -> Int64? { raw == .min ? nil : raw }

    public var tenant: Int { get { Int(_tenant) } set { _tenant = Int32(newValue) } }
    public var region: Int { get { Int(_region) } set { _region = Int16(newValue) } }
    public var shard: Int { get { Int(_shard) } set { _shard = Int16(newValue) } }
    /// Stage counters: bridge tries, provider attempts.
    public var bridgeAttempt: Int { get { Int(_bridgeAttempt) } set { _bridgeAttempt = Int16(newValue) } }
    public var providerAttempt: Int { get { Int(_providerAttempt) } set { _providerAttempt = Int16(newValue) } }
    public var provider: Int { get { Int(_provider) } set { _provider = Int16(newValue) } }
    public var bridge: Int { get { Int(_bridge) } set { _bridge = Int16(newValue) } }
    public var bridgeRTT: SimDuration? {
        get { Self.optional(_bridgeRTT).map(SimDuration.init(microseconds:)) }
        set { _bridgeRTT = newValue?.microseconds ?? .min }
    }
    public var policyTime: SimDuration? {
        get { Self.optional(_policyTime).map(SimDuration.init(microseconds:)) }
        set { _policyTime = newValue?.microseconds ?? .min }
    }
    /// Set once running on a provider.
    public var filledAt: SimTime? {
        get { Self.optional(_filledAt).map(SimTime.init(microseconds:)) }
        set { _filledAt = newValue?.microseconds ?? .min }
    }
    /// The pending cancellable timeout (bridge try or queue wait), cancelled when it moves on.
    public var timeout: EventHandle? {
        get { _timeoutTime == .min ? nil : EventHandle(time: SimTime(microseconds: _timeoutTime), seq: _timeoutSeq) }
        set {
            _timeoutTime = newValue?.time.microseconds ?? .min
            _timeoutSeq = newValue?.seq ?? 0
        }
    }
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
