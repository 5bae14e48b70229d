//! Recorded series, thinned so that their size is bounded whatever the horizon (see [`Series`]).

use super::{MAX_RECORDED_POINTS, MAX_SERIES_POINTS, MIN_SERIES_POINTS, Series};

/// (minute, capacity, backlog).
type Point = (u64, f64, f64);

/// The points of the current bucket kept besides its first: the lowest capacity and the
/// largest backlog seen in it (`None` while the first holds both).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    index: u64,
    low: Point,
    high: Point,
    lowest: Option<Point>,
    highest: Option<Point>,
}

/// Keeps the series of the recorded services, at most three points per bucket of `every`
/// minutes.
#[derive(Debug)]
pub(crate) struct Recorder {
    every: u64,
    series: Vec<Series>,
    buckets: Vec<Option<Bucket>>,
}

impl Recorder {
    /// For `services` over `horizon` minutes.
    pub(crate) fn new(services: &[u32], horizon: u64) -> Recorder {
        let per_series = (MAX_RECORDED_POINTS / services.len().max(1))
            .clamp(MIN_SERIES_POINTS, MAX_SERIES_POINTS);
        // Buckets `0..=horizon / every`, three points each, at most `per_series` in all.
        let buckets = (per_series / 3 - 1) as u64;
        Recorder {
            every: horizon.div_ceil(buckets).max(1),
            series: services
                .iter()
                .map(|&service| Series {
                    service,
                    points: Vec::new(),
                })
                .collect(),
            buckets: vec![None; services.len()],
        }
    }

    /// Records the `k`th series' point; points come in time order.
    pub(crate) fn push(&mut self, k: usize, p: Point) {
        let index = p.0 / self.every;
        let series = &mut self.series[k].points;
        match &mut self.buckets[k] {
            Some(b) if b.index == index => {
                if p.1 < b.low.1 {
                    b.low = p;
                    b.lowest = Some(p);
                }
                if p.2 > b.high.2 {
                    b.high = p;
                    b.highest = Some(p);
                }
            }
            slot => {
                if let Some(b) = slot.take() {
                    flush(series, &b);
                }
                series.push(p);
                *slot = Some(Bucket {
                    index,
                    low: p,
                    high: p,
                    lowest: None,
                    highest: None,
                });
            }
        }
    }

    /// The series, with every bucket's points.
    pub(crate) fn finish(mut self) -> Vec<Series> {
        for (s, b) in self.series.iter_mut().zip(&self.buckets) {
            if let Some(b) = b {
                flush(&mut s.points, b);
            }
        }
        self.series
    }
}

/// Appends a bucket's lowest-capacity and highest-backlog points, in time order.
fn flush(points: &mut Vec<Point>, b: &Bucket) {
    match (b.lowest, b.highest) {
        (Some(l), Some(h)) if l.0 == h.0 => points.push(l),
        (Some(l), Some(h)) => points.extend(if l.0 < h.0 { [l, h] } else { [h, l] }),
        (Some(p), None) | (None, Some(p)) => points.push(p),
        (None, None) => {}
    }
}
