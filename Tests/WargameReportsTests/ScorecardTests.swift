import Testing
import SimKernel
import WargameModels
@testable import WargameReports

@Suite struct ScorecardTests {
    let t0 = SimTime.zero + .minutes(10)

    func outcome(detection: SimDuration?, recovery: SimDuration?) -> IncidentOutcome {
        IncidentOutcome(name: "outage", start: t0, end: t0 + .minutes(30), detection: detection, mitigation: nil, recovery: recovery)
    }

    func episode(_ rule: String, _ severity: Severity, fired: SimDuration, resolved: SimDuration?) -> AlertEpisode {
        AlertEpisode(rule: rule, severity: severity, pendingAt: t0 + fired, firedAt: t0 + fired, resolvedAt: resolved.map { t0 + $0 })
    }

    @Test func severityComesFromTheWorstAlertAndDeadlinesFromItsLevel() {
        let alerts = [episode("FillRateLow", .warning, fired: .minutes(2), resolved: .minutes(50)),
                      episode("FailoversCritical", .critical, fired: .minutes(3), resolved: .minutes(20))]
        let actions = [ActionRecord(time: t0 + .minutes(12), rule: "failover", trigger: "condition", action: "set_provider_weight", parameters: "")]
        let s = IncidentScore.grade(outcome(detection: .minutes(2), recovery: .minutes(50)), declared: nil, attributed: alerts, linked: alerts, actions: actions,
                                    policy: ResponsePolicy(), budgets: [])
        #expect(s.severity == "SEV2")                  // a critical alert
        #expect(s.firstAction == .minutes(12) && s.respondedInTime == true)   // SEV2: 1 h
        #expect(s.mitigated == .minutes(20) && s.mitigatedInTime == true)     // the critical alert resolved at 20 min
        #expect(s.detectedInTime == true && s.recoveredInTime == true && s.allMet)
        // Declared SEV1: 15 minutes to act, 12 is in time; mitigation (20 min) is not (15 + 0).
        let sev1 = IncidentScore.grade(outcome(detection: .minutes(2), recovery: .minutes(50)), declared: "SEV1", attributed: alerts, linked: alerts,
                                       actions: actions, policy: ResponsePolicy(), budgets: [])
        #expect(sev1.respondedInTime == true && sev1.mitigatedInTime == false && !sev1.allMet)
    }

    /// An action after the incident recovered answered something else: it is not this
    /// incident's first action, and mitigation is not judged from it (by then a later
    /// incident's alerts, sharing its symptoms, could be firing).
    @Test func actionsAfterRecoveryAreNotItsResponse() {
        let alerts = [episode("FailoversCritical", .critical, fired: .minutes(1), resolved: .minutes(20)),
                      episode("FailoversCritical", .critical, fired: .minutes(100), resolved: .minutes(130))]  // a later incident's
        func action(_ m: Int64) -> ActionRecord {
            ActionRecord(time: t0 + .minutes(m), rule: "r", trigger: "scripted", action: "system_pause", parameters: "")
        }
        let late = IncidentScore.grade(outcome(detection: .minutes(1), recovery: .minutes(20)), declared: "SEV2", attributed: [alerts[0]],
                                       linked: alerts, actions: [action(-5), action(110)], policy: ResponsePolicy(), budgets: [])
        #expect(late.firstAction == nil && late.mitigated == nil && late.respondedInTime == false && !late.allMet)
        // At the moment of recovery it still counts; mitigated there (nothing severe firing).
        let atRecovery = IncidentScore.grade(outcome(detection: .minutes(1), recovery: .minutes(20)), declared: "SEV2", attributed: [alerts[0]],
                                             linked: alerts, actions: [action(20), action(110)], policy: ResponsePolicy(), budgets: [])
        #expect(atRecovery.firstAction == .minutes(20) && atRecovery.mitigated == .minutes(20))
        // Never recovered: any action from the start on is a response.
        let open = IncidentScore.grade(outcome(detection: .minutes(1), recovery: nil), declared: "SEV2", attributed: [alerts[0]],
                                       linked: alerts, actions: [action(110)], policy: ResponsePolicy(), budgets: [])
        #expect(open.firstAction == .minutes(110) && open.mitigated == .minutes(130))
    }

    @Test func noActionAndNoRecoveryMissTheirDeadlines() {
        let s = IncidentScore.grade(outcome(detection: .minutes(20), recovery: nil), declared: nil,
                                    attributed: [episode("FillRateLow", .warning, fired: .minutes(20), resolved: nil)],
                                    linked: [episode("FillRateLow", .warning, fired: .minutes(20), resolved: nil)], actions: [],
                                    policy: ResponsePolicy(), budgets: [])
        #expect(s.severity == "SEV3" && s.detectedInTime == false && s.respondedInTime == false && s.recoveredInTime == false && !s.allMet)
        // No alert at all: the least severe level, nothing detected.
        let quiet = IncidentScore.grade(outcome(detection: nil, recovery: nil), declared: nil, attributed: [], linked: [], actions: [],
                                        policy: ResponsePolicy(), budgets: [])
        #expect(quiet.severity == "SEV4" && quiet.detectedInTime == nil && quiet.respondedInTime == nil && quiet.recoveredInTime == nil && quiet.allMet)
    }

    @Test func budgetWindowsCountOnlyTheirSteps() {
        var w = BudgetWindow(from: .zero + .minutes(2), to: .zero + .minutes(4))
        var k = StepKPIs(providers: 1)
        k.submitted = 10; k.filled = 7; k.dropped = 1
        for m in 1...6 { w.add(k, end: .zero + .minutes(Int64(m)), step: .minutes(1)) }  // steps ending at 3 and 4 overlap
        var totals = RunTotals()
        totals.submitted = 100
        let used = w.consumed(totals)
        #expect(abs(used[0].1! - 6.0 / (100 * 0.15)) < 1e-12)   // 2 steps × 3 unfilled
        #expect(abs(used[1].1! - 2.0 / (100 * 0.05)) < 1e-12)   // 2 drops
    }
}
