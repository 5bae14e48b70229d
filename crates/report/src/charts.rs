//! Charts of simulations as SVG: a service's capacity and backlog over time, and a timeline of
//! losses and breaches across services.
//!
//! Drawn with plotters' SVG backend, which writes text as SVG `<text>` elements: no font files
//! are read (text widths are estimated), so charts render the same on any machine.

use bulwark_engine::Compiled;
use bulwark_engine::simulate::{Series, Simulation};
use plotters::prelude::*;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The drawing backend failed.
    #[error("could not draw the chart: {0}")]
    Draw(String),
}

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

const LOST: RGBColor = RGBColor(230, 145, 56);
const BREACH: RGBColor = RGBColor(200, 30, 30);
const LINE: RGBColor = RGBColor(31, 100, 180);

/// Capacity (with the MBCO) and backlog over the horizon, for the service `series` is about.
pub fn capacity_and_backlog(
    c: &Compiled,
    sim: &Simulation,
    series: &Series,
    unit: Option<&str>,
) -> Result<String, ChartError> {
    let info = &c.services[series.service as usize];
    let outcome = &sim.services[series.service as usize];
    let days = sim.horizon.days().max(1.0 / 24.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let title = format!("{} ({}): {}", info.name, info.id, sim.scenario);
        let root = root.titled(&title, ("sans-serif", 18)).map_err(err)?;
        let (top, bottom) = root.split_vertically(270);
        // Capacity, as a step line held until the next evaluation.
        let mut chart = ChartBuilder::on(&top)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..days, 0.0..105.0)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("days")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("capacity %")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        for (start, end) in &outcome.lost_spans {
            let (a, b) = (start.days(), end.map_or(days, |e| e.days()));
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, 0.0), (b, 105.0)],
                    LOST.mix(0.2).filled(),
                )))
                .map_err(err)?;
        }
        if let Some(b) = outcome.breached_at {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(b.days(), 0.0), (b.days(), 105.0)],
                    BREACH.stroke_width(2),
                )))
                .map_err(err)?
                .label(format!("MTPD breached at {b}"))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], BREACH.stroke_width(2))
                });
        }
        chart
            .draw_series(LineSeries::new(
                step(&series.points, days, |p| p.1 * 100.0),
                LINE.stroke_width(2),
            ))
            .map_err(err)?
            .label("capacity")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], LINE.stroke_width(2)));
        let mbco = info.mbco * 100.0;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, mbco), (days, mbco)],
                6,
                4,
                BREACH.stroke_width(1),
            ))
            .map_err(err)?
            .label(format!("MBCO {mbco:.0}%"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BREACH));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(err)?;
        // Backlog: linear between evaluations, so the points joined by lines are exact.
        let peak = outcome.backlog_peak.max(1.0) * 1.1;
        let mut chart = ChartBuilder::on(&bottom)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..days, 0.0..peak)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("days")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc(format!("backlog ({})", unit.unwrap_or("units")))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        let mut points: Vec<(f64, f64)> = series
            .points
            .iter()
            .map(|p| (p.0 as f64 / 1440.0, p.2))
            .collect();
        if let Some(cleared) = outcome.backlog_cleared_at {
            points.push((cleared.days(), 0.0));
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        points.push((days, outcome.backlog_at_horizon));
        chart
            .draw_series(
                AreaSeries::new(points, 0.0, LOST.mix(0.35)).border_style(LOST.stroke_width(2)),
            )
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A step line: each value holds until the next point, and the last to `end` days.
fn step(
    points: &[(u64, f64, f64)],
    end: f64,
    y: impl Fn(&(u64, f64, f64)) -> f64,
) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 1);
    for (k, p) in points.iter().enumerate() {
        let x = p.0 as f64 / 1440.0;
        if k > 0 {
            out.push((x, y(&points[k - 1])));
        }
        out.push((x, y(p)));
    }
    if let Some(last) = points.last() {
        out.push((end, y(last)));
    }
    out
}

/// Every service lost at some moment, one row each (first lost at the top): when it was lost,
/// and, in red, from when it was in breach of its MTPD.
pub fn breach_timeline(c: &Compiled, sim: &Simulation) -> Result<String, ChartError> {
    let mut rows: Vec<usize> = (0..sim.services.len())
        .filter(|i| sim.services[*i].lost_at.is_some())
        .collect();
    rows.sort_by_key(|i| (sim.services[*i].lost_at, *i));
    let days = sim.horizon.days().max(1.0 / 24.0);
    let height = 120 + 22 * rows.len().max(1) as u32;
    let labels: Vec<String> = rows.iter().map(|i| c.services[*i].id.clone()).collect();
    let longest = labels.iter().map(String::len).max().unwrap_or(10) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let title = format!("Services lost and MTPD breaches: {}", sim.scenario);
        let root = root.titled(&title, ("sans-serif", 18)).map_err(err)?;
        let n = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(20 + 7 * longest)
            .build_cartesian_2d(0.0..days, 0.0..n)
            .map_err(err)?;
        let label_of = |y: &f64| -> String {
            let k = (n - y - 0.5).round();
            if (n - y - 0.5 - k).abs() < 0.01 && k >= 0.0 {
                labels.get(k as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_desc("days from the start")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_labels(rows.len() * 2 + 1)
            .y_label_formatter(&label_of)
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        // Legend: what the two colours mean.
        for (k, (colour, text)) in [
            (LOST, "lost (below MBCO)"),
            (BREACH, "lost for longer than the MTPD"),
        ]
        .into_iter()
        .enumerate()
        {
            let x = days * 0.72;
            let y = n - 0.15 - k as f64 * (n * 0.07).max(0.45);
            let h = (n * 0.04).max(0.3);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + days * 0.02, y - h)],
                    colour.filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (x + days * 0.03, y - h * 0.1),
                    ("sans-serif", 12),
                )))
                .map_err(err)?;
        }
        if rows.is_empty() {
            chart
                .draw_series(std::iter::once(Text::new(
                    "no service is lost",
                    (days * 0.4, 0.5),
                    ("sans-serif", 16),
                )))
                .map_err(err)?;
        }
        for (k, &i) in rows.iter().enumerate() {
            let o = &sim.services[i];
            let y0 = n - k as f64 - 0.85;
            let y1 = n - k as f64 - 0.15;
            for (start, end) in &o.lost_spans {
                let (a, b) = (start.days(), end.map_or(days, |e| e.days()));
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y0), (b, y1)],
                        LOST.filled(),
                    )))
                    .map_err(err)?;
                if let Some(mtpd_from) = o.breached_at.filter(|t| t.days() >= a && t.days() <= b) {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(mtpd_from.days(), y0), (b, y1)],
                            BREACH.filled(),
                        )))
                        .map_err(err)?;
                }
            }
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_engine::simulate::{Options, Record, simulate};

    const MODEL: &str = r#"bulwark: 1
assets:
  - {id: app, name: App, kind: it-system}
services:
  - {id: benefits, name: Benefits, mtpd: 1d, mbco: 50%, needs: [app], demand: {per_day: 100, unit: claims}, surge: 150%}
  - {id: records, name: Records}
scenarios:
  - id: outage
    name: Outage
    horizon: 10d
    events:
      - {outage: app, at: 6h, for: 2d}
"#;

    #[test]
    fn charts_show_the_service_its_minimum_and_the_breach_as_svg_text() {
        let loaded = bulwark_model::load_str("m.yaml", MODEL);
        let c = Compiled::new(&loaded.model).unwrap();
        let options = Options {
            record: Record::All,
            ..Options::default()
        };
        let sim = simulate(&loaded.model, &c, "outage", &options).unwrap();
        let svg = capacity_and_backlog(&c, &sim, &sim.series[0], Some("claims")).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        for text in [
            "Benefits (benefits): outage",
            "MBCO 50%",
            "MTPD breached at 1d6h",
            "backlog (claims)",
        ] {
            assert!(svg.contains(text), "{text}");
        }
        let timeline = breach_timeline(&c, &sim).unwrap();
        assert!(
            timeline.contains(">\nbenefits\n<") || timeline.contains(">benefits<"),
            "{timeline}"
        );
        assert!(!timeline.contains("records"));
    }
}
