//! Reports as printable A4 PDF (the `pdf` feature): headings, wrapped paragraphs, fact lists,
//! tables whose rows never split across pages, and charts drawn as vectors.
//!
//! Layout first places every piece on pages (as [`Op`]s), then krilla draws them. Text is set
//! in DejaVu Sans, vendored under `fonts/` (free licence, `fonts/LICENSE-DejaVu.txt`) so the
//! PDF is the same on every machine and nothing is read from the system; its widths come from
//! the font's own advances (ttf-parser), and charts are parsed with usvg using the same font.

use crate::document::{Block, Document};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};
use std::sync::Arc;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A4, in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 50.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN - 20.0;

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The vendored font could not be read.
    #[error("the report font could not be read")]
    Font,
    /// A chart's SVG could not be read.
    #[error("a chart could not be read: {0}")]
    Chart(String),
    /// The PDF writer failed.
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// One thing to draw on a page.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        x: f32,
        y: f32,
        width: f32,
    },
    Chart {
        y: f32,
        height: f32,
        tree: usize,
    },
}

/// Text widths from a font's advances.
struct Metrics<'a> {
    faces: [ttf_parser::Face<'a>; 2],
}

impl Metrics<'_> {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = &self.faces[usize::from(bold)];
        let em = f32::from(face.units_per_em());
        let units: f32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(em * 0.6, f32::from)
            })
            .sum();
        units / em * size
    }

    /// Breaks `text` into lines no wider than `width` (a word too long for a line is split).
    fn wrap(&self, text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, size, bold) > width && line.chars().count() > 1 {
                        let last = line.pop().expect("two characters or more");
                        lines.push(std::mem::replace(&mut line, last.to_string()));
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Places blocks on pages, top to bottom.
struct Layout<'a> {
    metrics: Metrics<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
    charts: Vec<(usvg::Tree, f32)>,
    svg_options: usvg::Options<'static>,
}

impl Layout<'_> {
    fn page(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > MARGIN {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, text: String) {
        let y = self.y + size;
        self.page().push(Op::Text {
            x,
            y,
            size,
            bold,
            text,
        });
    }

    fn lines(&mut self, text: &str, size: f32, bold: bool, gap: f32) {
        let lead = size * 1.4;
        for line in self.metrics.wrap(text, WIDTH, size, bold) {
            self.room(lead);
            self.text(MARGIN, size, bold, line);
            self.y += lead;
        }
        self.y += gap;
    }

    fn facts(&mut self, facts: &[(String, String)]) {
        let (size, label_w) = (10.0, 140.0);
        for (label, value) in facts {
            let labels = self.metrics.wrap(label, label_w - 10.0, size, true);
            let values = self.metrics.wrap(value, WIDTH - label_w, size, false);
            let rows = labels.len().max(values.len()) as f32;
            self.room(rows * size * 1.4 + 6.0);
            let top = self.y;
            for (i, l) in labels.into_iter().enumerate() {
                self.y = top + i as f32 * size * 1.4;
                self.text(MARGIN, size, true, l);
            }
            for (i, v) in values.into_iter().enumerate() {
                self.y = top + i as f32 * size * 1.4;
                self.text(MARGIN + label_w, size, false, v);
            }
            self.y = top + rows * size * 1.4 + 2.0;
            let y = self.y;
            self.page().push(Op::Rule {
                x: MARGIN,
                y,
                width: WIDTH,
            });
            self.y += 4.0;
        }
        self.y += 8.0;
    }

    /// Each column's longest word (bold, with padding), in points at `size`.
    fn longest_words(&self, head: &[String], rows: &[Vec<String>], size: f32) -> Vec<f32> {
        (0..head.len())
            .map(|c| {
                column(head, rows, c)
                    .flat_map(|t| t.split_whitespace())
                    .map(|w| self.metrics.width(w, size, true) + 8.0)
                    .fold(0.0_f32, f32::max)
            })
            .collect()
    }

    /// The text size at which every column fits its longest word (8.5 pt, smaller for wide
    /// tables, never below 5.5 pt).
    fn table_size(&self, head: &[String], rows: &[Vec<String>]) -> f32 {
        let base = 8.5;
        let needed: f32 = self.longest_words(head, rows, base).iter().sum();
        if needed <= WIDTH {
            base
        } else {
            (base * WIDTH / needed).max(5.5)
        }
    }

    /// Column widths: each column's share of the widest cell, at least a fair minimum.
    fn columns(&self, head: &[String], rows: &[Vec<String>], size: f32) -> Vec<f32> {
        let n = head.len().max(1);
        let widest: Vec<f32> = (0..n)
            .map(|c| {
                column(head, rows, c)
                    .map(|t| self.metrics.width(t, size, false).min(WIDTH * 0.5))
                    .fold(20.0_f32, f32::max)
            })
            .collect();
        // No column narrower than its longest word (in the header too), so words never split.
        let longest_word: Vec<f32> = self
            .longest_words(head, rows, size)
            .into_iter()
            .map(|w| w.min(WIDTH / n as f32))
            .collect();
        // Every column gets its longest word; the rest of the width goes to the columns with
        // the longest text, in proportion to how much more they need.
        let floors: f32 = longest_word.iter().sum();
        if floors >= WIDTH {
            return longest_word.iter().map(|w| w * WIDTH / floors).collect();
        }
        let extra: Vec<f32> = widest
            .iter()
            .zip(&longest_word)
            .map(|(w, f)| (w - f).max(0.0))
            .collect();
        let total: f32 = extra.iter().sum();
        let spare = WIDTH - floors;
        longest_word
            .iter()
            .zip(&extra)
            .map(|(f, e)| {
                f + if total > 0.0 {
                    e / total * spare
                } else {
                    spare / n as f32
                }
            })
            .collect()
    }

    /// A row's cells broken into lines, and the row's height.
    fn wrap_row(
        &self,
        cells: &[String],
        widths: &[f32],
        size: f32,
        bold: bool,
    ) -> (Vec<Vec<String>>, f32) {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(t, w)| self.metrics.wrap(t, w - 6.0, size, bold))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32;
        (wrapped, lines * size * 1.35 + 6.0)
    }

    fn row(&mut self, cells: &[String], widths: &[f32], size: f32, bold: bool) {
        let (wrapped, height) = self.wrap_row(cells, widths, size, bold);
        self.room(height);
        let top = self.y + 3.0;
        let mut x = MARGIN;
        for (cell, w) in wrapped.into_iter().zip(widths) {
            for (i, line) in cell.into_iter().enumerate() {
                self.y = top + i as f32 * size * 1.35;
                self.text(x, size, bold, line);
            }
            x += w;
        }
        self.y = top - 3.0 + height;
        let y = self.y;
        self.page().push(Op::Rule {
            x: MARGIN,
            y,
            width: WIDTH,
        });
    }

    fn table(&mut self, caption: &str, head: &[String], rows: &[Vec<String>]) {
        let size = self.table_size(head, rows);
        let widths = self.columns(head, rows, size);
        self.room(40.0);
        self.lines(caption, 10.0, true, 2.0);
        self.row(head, &widths, size, true);
        for r in rows {
            if self.y + self.wrap_row(r, &widths, size, false).1 > BOTTOM {
                // Repeat the header on the next page.
                self.new_page();
                self.row(head, &widths, size, true);
            }
            self.row(r, &widths, size, false);
        }
        self.y += 12.0;
    }

    fn chart(&mut self, title: &str, svg: &str) -> Result<(), PdfError> {
        let tree = usvg::Tree::from_str(svg, &self.svg_options)
            .map_err(|e| PdfError::Chart(e.to_string()))?;
        let size = tree.size();
        let height = WIDTH * size.height() / size.width().max(1.0);
        self.room(height + 24.0);
        self.lines(title, 10.0, true, 2.0);
        let y = self.y;
        let index = self.charts.len();
        self.charts.push((tree, height));
        self.page().push(Op::Chart {
            y,
            height,
            tree: index,
        });
        self.y += height + 14.0;
        Ok(())
    }
}

/// The cells of column `c`, header first.
fn column<'t>(
    head: &'t [String],
    rows: &'t [Vec<String>],
    c: usize,
) -> impl Iterator<Item = &'t String> {
    std::iter::once(head.get(c))
        .chain(rows.iter().map(move |r| r.get(c)))
        .flatten()
}

fn black() -> Fill {
    Fill {
        paint: rgb::Color::new(11, 12, 12).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// Renders a report as an A4 PDF with page numbers.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let faces = [
        ttf_parser::Face::parse(REGULAR, 0).map_err(|_| PdfError::Font)?,
        ttf_parser::Face::parse(BOLD, 0).map_err(|_| PdfError::Font)?,
    ];
    let layout = lay_out(doc, Metrics { faces })?;
    draw(doc, &layout)
}

/// Places every block of `doc` on pages.
fn lay_out<'a>(doc: &Document, metrics: Metrics<'a>) -> Result<Layout<'a>, PdfError> {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(REGULAR.to_vec());
    db.load_font_data(BOLD.to_vec());
    db.set_sans_serif_family("DejaVu Sans");
    let svg_options = usvg::Options {
        font_family: "DejaVu Sans".into(),
        fontdb: Arc::new(db),
        ..usvg::Options::default()
    };
    let mut layout = Layout {
        metrics,
        pages: vec![Vec::new()],
        y: MARGIN,
        charts: Vec::new(),
        svg_options,
    };
    layout.lines(&doc.title, 18.0, true, 10.0);
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => {
                layout.room(60.0);
                layout.y += 6.0;
                layout.lines(text, 13.0, true, 4.0);
            }
            Block::Paragraph(text) => layout.lines(text, 10.0, false, 6.0),
            Block::Facts(facts) => layout.facts(facts),
            Block::Table {
                caption,
                head,
                rows,
            } => layout.table(caption, head, rows),
            Block::Chart(chart) => layout.chart(&chart.title, &chart.svg)?,
        }
    }
    Ok(layout)
}

fn draw(doc: &Document, layout: &Layout<'_>) -> Result<Vec<u8>, PdfError> {
    let fonts = [
        Font::new(REGULAR.to_vec().into(), 0).ok_or(PdfError::Font)?,
        Font::new(BOLD.to_vec().into(), 0).ok_or(PdfError::Font)?,
    ];
    let mut pdf = krilla::Document::new();
    pdf.set_metadata(
        krilla::metadata::Metadata::new()
            .title(doc.title.clone())
            .language("en-GB".into()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Font)?;
    let count = layout.pages.len();
    for (n, ops) in layout.pages.iter().enumerate() {
        let mut page = pdf.start_page_with(settings.clone());
        let mut surface = page.surface();
        surface.set_fill(Some(black()));
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                } => surface.draw_text(
                    Point::from_xy(*x, *y),
                    fonts[usize::from(*bold)].clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                ),
                Op::Rule { x, y, width } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x, *y);
                    pb.line_to(x + width, *y);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(177, 180, 182).into(),
                            width: 0.5,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(black()));
                    }
                }
                Op::Chart { y, height, tree } => {
                    let (tree, _) = &layout.charts[*tree];
                    let size = Size::from_wh(WIDTH, *height).ok_or(PdfError::Font)?;
                    surface.push_transform(&krilla::geom::Transform::from_translate(MARGIN, *y));
                    surface.draw_svg(tree, size, SvgSettings::default());
                    surface.pop();
                    surface.set_fill(Some(black()));
                }
            }
        }
        let footer = format!("{} · page {} of {count}", doc.title, n + 1);
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_H - MARGIN + 10.0),
            fonts[0].clone(),
            8.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    pdf.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::Chart;

    #[test]
    fn long_text_wraps_within_the_width() {
        let faces = [
            ttf_parser::Face::parse(REGULAR, 0).unwrap(),
            ttf_parser::Face::parse(BOLD, 0).unwrap(),
        ];
        let m = Metrics { faces };
        let text = "Home care rotas cannot absorb twenty per cent absence ".repeat(8);
        let lines = m.wrap(&text, 200.0, 10.0, false);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| m.width(l, 10.0, false) <= 200.0));
        assert_eq!(lines.join(" ").split_whitespace().count(), 9 * 8);
        let long = m.wrap(&"x".repeat(400), 100.0, 10.0, false);
        assert!(long.len() > 1 && long.iter().all(|l| m.width(l, 10.0, false) <= 100.0));
    }

    #[test]
    fn a_long_report_becomes_a_multi_page_pdf() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="560"><rect width="900" height="560" fill="#fff"/><text x="10" y="30" font-family="sans-serif">Capacity</text></svg>"##;
        let doc = Document {
            title: "Exercise report: Test".into(),
            blocks: vec![
                Block::Facts(vec![("Scenario".into(), "Power cut".into())]),
                Block::Heading("Services".into()),
                Block::Table {
                    caption: "Services lost".into(),
                    head: vec!["Service".into(), "Lost at".into()],
                    rows: (0..120)
                        .map(|i| vec![format!("Service {i}"), "2h".into()])
                        .collect(),
                },
                Block::Chart(Chart {
                    title: "Timeline".into(),
                    svg: svg.into(),
                }),
            ],
        };
        let faces = [
            ttf_parser::Face::parse(REGULAR, 0).unwrap(),
            ttf_parser::Face::parse(BOLD, 0).unwrap(),
        ];
        let layout = lay_out(&doc, Metrics { faces }).unwrap();
        assert!(layout.pages.len() >= 3, "{} pages", layout.pages.len());
        let first_text = |ops: &Vec<Op>| {
            ops.iter().find_map(|op| match op {
                Op::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
        };
        for page in &layout.pages[1..] {
            assert_eq!(
                first_text(page).as_deref(),
                Some("Service"),
                "header repeated"
            );
        }
        let charts = layout
            .pages
            .iter()
            .flatten()
            .filter(|op| matches!(op, Op::Chart { .. }));
        assert_eq!(charts.count(), 1);
        let bytes = render(&doc).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
    }
}
