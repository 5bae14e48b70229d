//! The words and colours people see for the states that the rules and the store keep as
//! plain values.

use bulwark_rules::exercises::ProgrammeStatus;
use bulwark_store::{
    ActionStatus, CommandLevel, ExerciseFormat, IncidentActionStatus, IncidentStatus,
};

/// Words for people, and the GOV.UK Frontend tag colour where a page shows one.
pub trait Label {
    /// The words shown to people.
    fn label(&self) -> &'static str;

    /// The colour of its tag (a GOV.UK Frontend modifier class).
    fn tag(&self) -> &'static str {
        "govuk-tag--grey"
    }
}

impl Label for ExerciseFormat {
    fn label(&self) -> &'static str {
        match self {
            ExerciseFormat::Discussion => "Discussion-based",
            ExerciseFormat::Tabletop => "Tabletop",
            ExerciseFormat::CommandPost => "Command post",
            ExerciseFormat::Live => "Live",
        }
    }
}

impl Label for ActionStatus {
    fn label(&self) -> &'static str {
        match self {
            ActionStatus::Open => "Not started",
            ActionStatus::InProgress => "In progress",
            ActionStatus::Done => "Done",
        }
    }
}

impl Label for ProgrammeStatus {
    fn label(&self) -> &'static str {
        match self {
            ProgrammeStatus::NotInProgramme => "Not in the programme",
            ProgrammeStatus::NeverExercised => "Overdue: never exercised",
            ProgrammeStatus::Overdue => "Overdue",
            ProgrammeStatus::DueSoon => "Due soon",
            ProgrammeStatus::UpToDate => "Up to date",
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            ProgrammeStatus::NotInProgramme => "govuk-tag--grey",
            ProgrammeStatus::NeverExercised | ProgrammeStatus::Overdue => "govuk-tag--red",
            ProgrammeStatus::DueSoon => "govuk-tag--yellow",
            ProgrammeStatus::UpToDate => "govuk-tag--green",
        }
    }
}

impl Label for bulwark_store::WarningStatus {
    fn label(&self) -> &'static str {
        match self {
            bulwark_store::WarningStatus::Draft => "Draft: waiting for approval",
            bulwark_store::WarningStatus::Issued => "Published",
            bulwark_store::WarningStatus::Superseded => "Replaced by an update",
            bulwark_store::WarningStatus::Cancelled => "Cancelled",
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            bulwark_store::WarningStatus::Draft => "govuk-tag--yellow",
            bulwark_store::WarningStatus::Issued => "govuk-tag--green",
            bulwark_store::WarningStatus::Superseded | bulwark_store::WarningStatus::Cancelled => {
                "govuk-tag--grey"
            }
        }
    }
}

impl Label for bulwark_store::MessageType {
    fn label(&self) -> &'static str {
        match self {
            bulwark_store::MessageType::Alert => "Warning",
            bulwark_store::MessageType::Update => "Update",
            bulwark_store::MessageType::Cancel => "Cancellation",
        }
    }
}

impl Label for IncidentStatus {
    fn label(&self) -> &'static str {
        match self {
            IncidentStatus::Active => "Active",
            IncidentStatus::StandDown => "Standing down",
            IncidentStatus::Recovery => "Recovery",
            IncidentStatus::Closed => "Closed",
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            IncidentStatus::Active => "govuk-tag--red",
            IncidentStatus::StandDown => "govuk-tag--yellow",
            IncidentStatus::Recovery => "govuk-tag--blue",
            IncidentStatus::Closed => "govuk-tag--grey",
        }
    }
}

impl Label for CommandLevel {
    fn label(&self) -> &'static str {
        match self {
            CommandLevel::Operational => "Operational (bronze)",
            CommandLevel::Tactical => "Tactical (silver)",
            CommandLevel::Strategic => "Strategic (gold)",
        }
    }
}

impl Label for IncidentActionStatus {
    fn label(&self) -> &'static str {
        match self {
            IncidentActionStatus::Open => "Not started",
            IncidentActionStatus::InProgress => "In progress",
            IncidentActionStatus::Done => "Done",
            IncidentActionStatus::Cancelled => "Cancelled",
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            IncidentActionStatus::Open => "govuk-tag--grey",
            IncidentActionStatus::InProgress => "govuk-tag--blue",
            IncidentActionStatus::Done => "govuk-tag--green",
            IncidentActionStatus::Cancelled => "govuk-tag--grey",
        }
    }
}
