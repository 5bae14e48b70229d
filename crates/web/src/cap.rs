//! Issued warnings as the public receives them: CAP 1.2 XML (OASIS Common Alerting Protocol,
//! valid against `tests/standards/CAP-v1.2.xsd`) and an Atom 1.0 feed of the warnings in
//! force. Both are written with an XML writer, so every piece of text is escaped, whatever
//! it holds.

use bulwark_store::{MessageType, Warning, WarningStatus};
use chrono::TimeZone;
use chrono_tz::Europe::London;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io::Result;

/// The CAP 1.2 namespace.
pub const CAP_NS: &str = "urn:oasis:names:tc:emergency:cap:1.2";
/// The Atom namespace.
pub const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
/// The media type of a CAP message.
pub const CAP_TYPE: &str = "application/cap+xml";

/// A time as CAP writes it: UK local time with its offset and no fractions of a second,
/// like `2026-12-01T18:00:00+00:00` (CAP forbids `Z` and `-00:00`).
pub fn cap_time(at: i64) -> String {
    London
        .timestamp_opt(at, 0)
        .single()
        .map_or_else(String::new, |t| {
            t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
        })
}

/// Where an organisation's public warnings live, for links: the site's address (like
/// `https://bulwark.example`) and the organisation.
#[derive(Debug, Clone)]
pub struct Public<'a> {
    /// The site's address, without a trailing slash.
    pub base: &'a str,
    /// The organisation's id in addresses.
    pub slug: &'a str,
    /// The organisation's name.
    pub name: &'a str,
}

impl Public<'_> {
    /// The public page of warning `number`.
    pub fn page(&self, number: i64) -> String {
        format!("{}/cap/{}/alerts/{number}", self.base, self.slug)
    }

    /// The CAP XML of warning `number`.
    pub fn xml(&self, number: i64) -> String {
        format!("{}/cap/{}/alerts/{number}.xml", self.base, self.slug)
    }

    /// The Atom feed.
    pub fn feed(&self) -> String {
        format!("{}/cap/{}/feed.atom", self.base, self.slug)
    }

    /// The public list of warnings in force.
    pub fn index(&self) -> String {
        format!("{}/cap/{}", self.base, self.slug)
    }
}

fn text<W: std::io::Write>(w: &mut Writer<W>, name: &str, value: &str) -> Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn value_pair<W: std::io::Write>(
    w: &mut Writer<W>,
    name: &str,
    key: &str,
    value: &str,
) -> Result<()> {
    w.create_element(name).write_inner_content(|w| {
        text(w, "valueName", key)?;
        text(w, "value", value)
    })?;
    Ok(())
}

/// The `references` of `w`: every earlier message of its alert that it follows, oldest
/// first, as `sender,identifier,sent` separated by spaces. `thread` holds the alert's
/// messages.
pub fn references(w: &Warning, thread: &[Warning]) -> Option<String> {
    let mut chain = Vec::new();
    let mut next = w.references;
    while let Some(n) = next {
        let Some(earlier) = thread.iter().find(|m| m.number == n) else {
            break;
        };
        if let (Some(sender), Some(sent)) = (&earlier.sender, earlier.sent_at) {
            chain.push(format!(
                "{sender},{},{}",
                earlier.identifier,
                cap_time(sent)
            ));
        }
        next = earlier.references;
        if chain.len() > thread.len() {
            break; // a loop cannot happen, but must not hang
        }
    }
    chain.reverse();
    (!chain.is_empty()).then(|| chain.join(" "))
}

/// Warning `w` (issued: it has a sender and a time) as a CAP 1.2 message. `thread` holds
/// its alert's messages, for `references`.
pub fn alert_xml(w: &Warning, thread: &[Warning], public: &Public) -> Result<String> {
    let mut out = Writer::new_with_indent(Vec::new(), b' ', 2);
    out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let d = &w.details;
    out.create_element("alert")
        .with_attribute(("xmlns", CAP_NS))
        .write_inner_content(|x| {
            text(x, "identifier", &w.identifier)?;
            text(x, "sender", w.sender.as_deref().unwrap_or(""))?;
            text(x, "sent", &cap_time(w.sent_at.unwrap_or(w.created_at)))?;
            text(x, "status", "Actual")?;
            text(x, "msgType", w.msg_type.as_str())?;
            text(x, "scope", "Public")?;
            if let Some(note) = &d.note {
                text(x, "note", note)?;
            }
            if let Some(r) = references(w, thread) {
                text(x, "references", &r)?;
            }
            for info in &d.infos {
                x.create_element("info").write_inner_content(|x| {
                    text(x, "language", &info.language)?;
                    text(x, "category", &d.category)?;
                    text(x, "event", &d.event)?;
                    text(x, "urgency", &d.urgency)?;
                    text(x, "severity", &d.severity)?;
                    text(x, "certainty", &d.certainty)?;
                    for (name, at) in [
                        ("effective", d.effective_at),
                        ("onset", d.onset_at),
                        ("expires", d.expires_at),
                    ] {
                        if let Some(at) = at {
                            text(x, name, &cap_time(at))?;
                        }
                    }
                    text(x, "senderName", public.name)?;
                    text(x, "headline", &info.headline)?;
                    text(x, "description", &info.description)?;
                    text(x, "instruction", &info.instruction)?;
                    let web = d.web.clone().unwrap_or_else(|| public.page(w.number));
                    text(x, "web", &web)?;
                    if let Some(contact) = &d.contact {
                        text(x, "contact", contact)?;
                    }
                    for area in &d.areas {
                        x.create_element("area").write_inner_content(|x| {
                            text(x, "areaDesc", &area.description)?;
                            if let Some(p) = &area.polygon {
                                text(x, "polygon", p)?;
                            }
                            if let Some(c) = &area.circle {
                                text(x, "circle", c)?;
                            }
                            for (name, value) in &area.geocodes {
                                value_pair(x, "geocode", name, value)?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(String::from_utf8_lossy(&out.into_inner()).into_owned())
}

/// The English headline of `w`, with what a cancellation or an update says first.
pub fn title(w: &Warning) -> String {
    let headline = w
        .details
        .infos
        .first()
        .map_or("Warning", |i| i.headline.as_str());
    match w.msg_type {
        MessageType::Alert => headline.to_string(),
        MessageType::Update => format!("Updated: {headline}"),
        MessageType::Cancel => format!("Cancelled: {headline}"),
    }
}

/// An Atom 1.0 feed of `warnings` (the issued ones in force, newest first).
pub fn feed_xml(warnings: &[Warning], public: &Public, updated: i64) -> Result<String> {
    let mut out = Writer::new_with_indent(Vec::new(), b' ', 2);
    out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let atom_time = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    };
    let newest = warnings
        .iter()
        .filter_map(|w| w.sent_at)
        .max()
        .unwrap_or(updated);
    out.create_element("feed")
        .with_attribute(("xmlns", ATOM_NS))
        .with_attribute(("xml:lang", "en-GB"))
        .write_inner_content(|x| {
            text(x, "id", &public.feed())?;
            text(x, "title", &format!("{}: public warnings", public.name))?;
            text(
                x,
                "subtitle",
                "Warnings in force, each with a web page and a CAP 1.2 alert",
            )?;
            text(x, "updated", &atom_time(newest))?;
            x.create_element("author")
                .write_inner_content(|x| text(x, "name", public.name))?;
            x.create_element("link")
                .with_attributes([
                    ("rel", "self"),
                    ("type", "application/atom+xml"),
                    ("href", public.feed().as_str()),
                ])
                .write_empty()?;
            x.create_element("link")
                .with_attributes([
                    ("rel", "alternate"),
                    ("type", "text/html"),
                    ("href", public.index().as_str()),
                ])
                .write_empty()?;
            for w in warnings.iter().filter(|w| w.status != WarningStatus::Draft) {
                let sent = w.sent_at.unwrap_or(w.created_at);
                x.create_element("entry").write_inner_content(|x| {
                    text(x, "id", &public.xml(w.number))?;
                    text(x, "title", &title(w))?;
                    text(x, "updated", &atom_time(sent))?;
                    text(x, "published", &atom_time(sent))?;
                    if let Some(info) = w.details.infos.first() {
                        text(x, "summary", &info.description)?;
                    }
                    x.create_element("link")
                        .with_attributes([
                            ("rel", "alternate"),
                            ("type", "text/html"),
                            ("href", public.page(w.number).as_str()),
                        ])
                        .write_empty()?;
                    x.create_element("link")
                        .with_attributes([
                            ("rel", "alternate"),
                            ("type", CAP_TYPE),
                            ("href", public.xml(w.number).as_str()),
                        ])
                        .write_empty()?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(String::from_utf8_lossy(&out.into_inner()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_times_have_an_offset_and_no_fractions() {
        // 1 July 2026 17:00 UTC is 18:00 BST; 1 December 18:00 UTC is 18:00 GMT.
        assert_eq!(cap_time(1_782_925_200), "2026-07-01T18:00:00+01:00");
        assert_eq!(cap_time(1_796_148_000), "2026-12-01T18:00:00+00:00");
    }
}
