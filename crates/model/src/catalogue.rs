//! The approved technology catalogue: a file of its own (YAML or JSON) listing categories of
//! products with their status (approved, contained, retiring, prohibited) and review date, and
//! the exceptions granted to systems that stand outside it, each with an owner and an expiry.
//! Read with every problem at its line and column, like a model.

use crate::diag::{Diagnostics, Pos, Sources};
use crate::estate::Word;
use crate::node::{Node, Syntax, parse};
use crate::read::{Fields, date, text};
use chrono::NaiveDate;

crate::estate::words! {
    /// What the catalogue says of a product (the Technology Code of Practice's choices).
    Status {
        /// Use it.
        Approved = "approved",
        /// Keep what there is; no new use.
        Contained = "contained",
        /// Being retired: move off it.
        Retiring = "retiring",
        /// Must not be used.
        Prohibited = "prohibited",
    }
}

/// One product in the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// The product's name, as systems give it in `product`.
    pub product: String,
    /// Who makes it.
    pub vendor: Option<String>,
    /// What the catalogue says of it.
    pub status: Status,
    /// When the entry is next reviewed.
    pub review: Option<NaiveDate>,
    /// The category's id.
    pub category: String,
    /// Where it was written.
    pub pos: Pos,
}

/// Leave for one system to stand outside the catalogue (or on a product being retired).
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// The `it-system` asset's id.
    pub system: String,
    /// Who answers for it.
    pub owner: String,
    /// When it ends.
    pub expires: NaiveDate,
    /// Why it was granted.
    pub reason: Option<String>,
    /// Where the system was named.
    pub pos: Pos,
}

/// A whole catalogue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalogue {
    /// Categories' (id, name), in the order written.
    pub categories: Vec<(String, String)>,
    /// Every product, in the order written.
    pub products: Vec<Product>,
    /// Every exception.
    pub exceptions: Vec<Exception>,
}

impl Catalogue {
    /// The entry for a system's `product`, matched without regard to case or surrounding
    /// spaces.
    pub fn product(&self, name: &str) -> Option<&Product> {
        let name = name.trim();
        self.products
            .iter()
            .find(|p| p.product.trim().eq_ignore_ascii_case(name))
    }

    /// The exception for system `id` that is still in force on `day`, if any.
    pub fn exception(&self, id: &str, day: NaiveDate) -> Option<&Exception> {
        self.exceptions
            .iter()
            .find(|e| e.system == id && e.expires >= day)
    }
}

impl Catalogue {
    /// Reports every exception that does not name an `it-system` asset of `model`, where it
    /// was written.
    pub fn check_exceptions(&self, model: &crate::Model, d: &mut Diagnostics) {
        use crate::AssetKind;
        for e in &self.exceptions {
            let asset = model.assets.iter().find(|a| a.meta.id.as_str() == e.system);
            match asset {
                Some(a) if a.kind == AssetKind::ItSystem => {}
                Some(a) => d.error(
                    e.pos,
                    format!(
                        "the exception names `{}`, which is a `{}`, not an it-system",
                        e.system,
                        a.kind.as_str()
                    ),
                ),
                None if model
                    .services
                    .iter()
                    .any(|x| x.meta.id.as_str() == e.system) =>
                {
                    d.error(
                        e.pos,
                        format!(
                            "the exception names `{}`, which is a service, not an it-system",
                            e.system
                        ),
                    )
                }
                None => {
                    let msg = format!(
                        "the exception names `{}`, which is not in the model",
                        e.system
                    );
                    let msg = d.hint(
                        msg,
                        &e.system,
                        model
                            .assets
                            .iter()
                            .filter(|a| a.kind == AssetKind::ItSystem)
                            .map(|a| a.meta.id.as_str()),
                    );
                    d.error(e.pos, msg);
                }
            }
        }
    }
}

/// Reads a catalogue from `text` (YAML, or JSON when `name` ends in `.json`); every problem
/// is in the diagnostics, with `name` as file 0 of the sources.
pub fn read(name: &str, text_: &str) -> (Catalogue, Sources, Diagnostics) {
    let mut sources = Sources::default();
    let file = sources.add(name.into());
    let mut d = Diagnostics::default();
    let syntax = if name.ends_with(".json") {
        Syntax::Json
    } else {
        Syntax::Yaml
    };
    let catalogue = parse(text_, syntax, file, &mut d)
        .map(|root| read_root(&root, &mut d))
        .unwrap_or_default();
    (catalogue, sources, d)
}

fn read_root(root: &Node, d: &mut Diagnostics) -> Catalogue {
    let mut out = Catalogue::default();
    let Some(mut f) = Fields::new(root, "the catalogue file", d) else {
        return out;
    };
    if let Some(list) = f.take("categories") {
        for c in items(list, "categories", d) {
            read_category(c, &mut out, d);
        }
    }
    if let Some(list) = f.take("exceptions") {
        for e in items(list, "exceptions", d) {
            if let Some(e) = read_exception(e, d) {
                out.exceptions.push(e);
            }
        }
    }
    f.finish_nested(d);
    out
}

fn items<'a>(node: &'a Node, field: &str, d: &mut Diagnostics) -> &'a [Node] {
    match &node.kind {
        crate::node::NodeKind::Seq(items) => items,
        _ => {
            d.error(
                node.pos,
                format!("`{field}` should be a list, not {}", node.shape()),
            );
            &[]
        }
    }
}

fn required(
    f: &mut Fields<'_>,
    node: &Node,
    key: &'static str,
    what: &str,
    d: &mut Diagnostics,
) -> Option<String> {
    match f.take(key) {
        Some(n) => text(n, key, d),
        None => {
            d.error(node.pos, format!("{what} needs `{key}`"));
            None
        }
    }
}

fn read_category(node: &Node, out: &mut Catalogue, d: &mut Diagnostics) {
    let Some(mut f) = Fields::new(node, "a category", d) else {
        return;
    };
    let id = required(&mut f, node, "id", "a category", d);
    let name = required(&mut f, node, "name", "a category", d);
    let products = f.take("products");
    f.finish_nested(d);
    let (Some(id), Some(name)) = (id, name) else {
        return;
    };
    if out.categories.iter().any(|(c, _)| *c == id) {
        d.error(node.pos, format!("the category `{id}` is listed twice"));
    }
    if let Some(list) = products {
        for p in items(list, "products", d) {
            if let Some(p) = read_product(p, &id, d) {
                if out.product(&p.product).is_some() {
                    d.error(
                        p.pos,
                        format!(
                            "the product `{}` is in the catalogue twice; a system's product must match one entry",
                            p.product
                        ),
                    );
                }
                out.products.push(p);
            }
        }
    }
    out.categories.push((id, name));
}

fn read_product(node: &Node, category: &str, d: &mut Diagnostics) -> Option<Product> {
    let mut f = Fields::new(node, "a product", d)?;
    let product = required(&mut f, node, "product", "a product", d);
    let vendor = f.take("vendor").and_then(|n| text(n, "vendor", d));
    let status = match f.take("status") {
        Some(n) => crate::estate::word(n, "status", d),
        None => {
            let all: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            d.error(
                node.pos,
                format!("a product needs `status`: one of {}", all.join(", ")),
            );
            None
        }
    };
    let review = f.take("review").and_then(|n| date(n, "review", d));
    f.finish_nested(d);
    Some(Product {
        product: product?,
        vendor,
        status: status?,
        review,
        category: category.to_string(),
        pos: node.pos,
    })
}

fn read_exception(node: &Node, d: &mut Diagnostics) -> Option<Exception> {
    let mut f = Fields::new(node, "an exception", d)?;
    let system_node = f.take("system");
    let system = required_from(system_node, node, "system", d);
    let owner = required(&mut f, node, "owner", "an exception", d);
    let expires = match f.take("expires") {
        Some(n) => date(n, "expires", d),
        None => {
            d.error(
                node.pos,
                "an exception needs `expires`: the date it ends, like 2027-03-31",
            );
            None
        }
    };
    let reason = f.take("reason").and_then(|n| text(n, "reason", d));
    f.finish_nested(d);
    Some(Exception {
        system: system?,
        owner: owner?,
        expires: expires?,
        reason,
        pos: system_node.map_or(node.pos, |n| n.pos),
    })
}

fn required_from(
    value: Option<&Node>,
    node: &Node,
    key: &str,
    d: &mut Diagnostics,
) -> Option<String> {
    match value {
        Some(n) => text(n, key, d),
        None => {
            d.error(
                node.pos,
                format!("an exception needs `{key}`: the id of an it-system"),
            );
            None
        }
    }
}
