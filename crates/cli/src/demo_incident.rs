//! The demo's past incident: a fire in Northmoor's Civic Centre data centre, run at tactical
//! level with Southdale as a partner, closed with a debrief. It gives the incident pages a
//! full decision log (with a correction), M/ETHANE versions, board marks, actions, a battle
//! rhythm and situation reports from both councils.

use bulwark_store::{
    Actor, CommandLevel, DecisionInput, IncidentActionStatus, IncidentDetails, IncidentStatus,
    Methane, Organisation, RhythmKind, SitrepBody, Store, now,
};

const HOUR: i64 = 3600;

/// Records the demo's closed incident, led by `north` with `south` invited.
pub async fn seed_demo_incident(
    store: &Store,
    north: &Organisation,
    south: &Organisation,
) -> anyhow::Result<()> {
    let loggist = Actor {
        user_id: None,
        label: "duty.officer@northmoor.example".into(),
    };
    let partner = Actor {
        user_id: None,
        label: "partner@southdale.example".into(),
    };
    // Four days before the demo starts, at 02:10.
    let start = (now() - 4 * 24 * HOUR) / 86_400 * 86_400 + 2 * HOUR + 600;
    let details = IncidentDetails {
        title: "Fire in the Civic Centre data centre".into(),
        summary: "A fire in the basement plant room set off the gas suppression in the primary data centre; power to the server hall was isolated by the fire service.".into(),
        location: "Civic Centre, Market Street, Northmoor".into(),
        started_at: start,
        level: CommandLevel::Tactical,
        scenario: Some("civic-centre-dc-fire".into()),
    };
    let id = store.declare_incident(north.id, &loggist, &details).await?;
    store.invite_partner(north.id, id, &loggist, south).await?;
    let mut methane = Methane {
        major_incident: "No: a business continuity incident, declared by the ICT duty manager"
            .into(),
        exact_location: "Civic Centre basement, Market Street (what3words ///ladder.frost.candle)"
            .into(),
        incident_type: "Fire in plant room next to the primary data centre".into(),
        hazards: "Smoke in the basement; suppression gas discharged in the server hall".into(),
        access: "Fire service via Market Street; staff entrance closed".into(),
        casualties: "None".into(),
        emergency_services: "Fire and rescue present (2 appliances); none further required".into(),
    };
    store
        .record_methane(north.id, id, &loggist, &methane)
        .await?;
    methane.hazards =
        "Fire out at 03:05; server hall unsafe to enter until ventilated and checked".into();
    methane.emergency_services = "Fire and rescue left at 04:30".into();
    store
        .record_methane(north.id, id, &loggist, &methane)
        .await?;
    store
        .add_mark(
            north.id,
            id,
            &loggist,
            &bulwark_store::NewMark {
                item: "dc-primary",
                capacity: 0,
                from_at: start,
                note: "Power isolated by the fire service",
            },
        )
        .await?;
    let late = Some("Transcribed from the loggist's paper log after the incident".to_string());
    let entries = [
        (
            40 * 60,
            "Invoke the ICT disaster recovery plan: fail over the virtual platform to Tillen House",
            "The primary data centre will be without power for days; Tillen House holds a replica of the virtual platform.",
            "Wait for the fire service to restore power (rejected: no estimate, and adult social care case records are needed by 08:00).",
            vec![],
        ),
        (
            2 * HOUR,
            "Stand up the paper MASH referral process until the case management system is back",
            "Safeguarding referrals cannot wait; the paper forms and phone triage are in the business continuity plan.",
            "Divert referrals to Southdale's MASH (rejected: no access to Northmoor case histories).",
            vec!["Police".to_string()],
        ),
        (
            3 * HOUR,
            "Open the emergency control centre at the Depot at 07:00",
            "The Civic Centre is closed; the Depot has power, telephony and desks for 20.",
            "Run the response remotely (rejected: telephony at the Civic Centre is down).",
            vec![],
        ),
        (
            3 * HOUR + 20 * 60,
            "Open the emergency control centre at the Depot at 08:00",
            "Corrects entry 3: the Depot's keyholder cannot arrive before 07:45.",
            "",
            vec![],
        ),
        (
            26 * HOUR,
            "Ask Southdale to take Northmoor's out-of-hours homelessness calls for 72 hours",
            "Northmoor's out-of-hours line runs on the failed telephony platform; Southdale has capacity.",
            "Forward calls to mobiles (rejected: no call recording, a statutory service).",
            vec!["Southdale District Council".to_string()],
        ),
        (
            74 * HOUR,
            "Stand down the emergency control centre; return services to the Civic Centre from 09:00",
            "Power, cooling and the virtual platform restored at 06:30 and tested.",
            "",
            vec![],
        ),
    ];
    for (n, (after, decision, rationale, options, agencies)) in entries.into_iter().enumerate() {
        let input = DecisionInput {
            information: String::new(),
            assessment: String::new(),
            powers: if n == 4 {
                "Housing Act 1996 Part 7; mutual aid agreement between the councils".into()
            } else {
                String::new()
            },
            options: options.into(),
            decision: decision.into(),
            rationale: rationale.into(),
            decision_maker: "Alex Morgan, Tactical Commander".into(),
            agencies,
            decided_at: start + after,
            delay_reason: late.clone(),
            review_at: None,
            corrects: (n == 3).then_some(3),
        };
        store
            .append_decision(north.id, id, &loggist, &input)
            .await?;
    }
    store
        .add_rhythm(
            north.id,
            id,
            &loggist,
            RhythmKind::Meeting,
            "Tactical Co-ordinating Group",
            start + 5 * HOUR,
        )
        .await?;
    store
        .add_rhythm(
            north.id,
            id,
            &loggist,
            RhythmKind::Sitrep,
            "Situation reports from every service",
            start + 8 * HOUR,
        )
        .await?;
    for (description, owner, due, decision) in [
        (
            "Fail over the virtual platform to Tillen House",
            "Head of ICT",
            4 * HOUR,
            Some(1),
        ),
        (
            "Issue paper referral forms to the MASH team",
            "MASH team manager",
            5 * HOUR,
            Some(2),
        ),
        (
            "Tell staff where to work tomorrow",
            "Head of Communications",
            6 * HOUR,
            None,
        ),
    ] {
        let action = store
            .add_incident_action(
                north.id,
                id,
                &loggist,
                &bulwark_store::NewAction {
                    org: north.id,
                    description,
                    owner,
                    due_at: start + due,
                    decision_seq: decision,
                },
            )
            .await?;
        store
            .set_incident_action_status(north.id, id, action, &loggist, IncidentActionStatus::Done)
            .await?;
    }
    let sitrep = |situation: &str, services: &str, issues: &str| SitrepBody {
        situation: situation.into(),
        actions_taken: String::new(),
        services_affected: services.into(),
        resources: String::new(),
        issues: issues.into(),
        forecast: String::new(),
    };
    store
        .submit_sitrep(north.id, id, &loggist, &sitrep(
            "Data centre without power; virtual platform running from Tillen House since 06:10.",
            "Case management degraded (read-only until 10:00); telephony down at the Civic Centre.",
            "Southdale to take out-of-hours homelessness calls.",
        ), None)
        .await?;
    store
        .submit_sitrep(
            south.id,
            id,
            &partner,
            &sitrep(
                "Taking Northmoor's out-of-hours homelessness calls since 04:00.",
                "None of Southdale's own services affected.",
                "Need Northmoor's current temporary accommodation list by 12:00.",
            ),
            None,
        )
        .await?;
    let marks = store.marks(id).await?;
    if let Some(m) = marks.first() {
        store
            .restore_mark(north.id, id, m.id, &loggist, start + 72 * HOUR)
            .await?;
    }
    let mut closed = details.clone();
    closed
        .summary
        .push_str(" Services were restored after three days.");
    store
        .update_incident(north.id, id, &loggist, &closed, IncidentStatus::Closed)
        .await?;
    store
        .record_debrief(north.id, id, &loggist, "The failover to Tillen House worked but took four hours, not the one hour the ICT plan assumed. Paper MASH referrals worked. Tillen House shares the Civic Centre's substation: a second site on another supply is needed. Telephony has no failover.")
        .await?;
    Ok(())
}
