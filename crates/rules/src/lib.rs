//! Bulwark's rules for what people submit, shared by the web pages and the JSON API and free
//! of HTML and HTTP: what a valid exercise, lesson or action is, the exercise programme
//! ([`exercises`]), public warnings with their plain-language check and SMS text
//! ([`warnings`]), incidents, decision log entries and situation reports ([`incidents`]),
//! community support records of vulnerable people and the list of lists ([`people`]),
//! requests for help and volunteers ([`requests`]), the risk register's ranking and an
//! organisation's risk appetite on the National Risk Register's matrix ([`risks`]), and
//! the limits every piece of submitted text keeps ([`text`]). Each
//! problem is a [`FieldError`] naming the field it belongs to; pages show it beside that
//! field, the API lists it.

pub mod exercises;
pub mod incidents;
pub mod people;
pub mod requests;
pub mod risks;
pub mod text;
pub mod warnings;

/// A problem with one submitted field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field (a form input's id, or an API body's key).
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}
