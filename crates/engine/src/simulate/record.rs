//! Recorded series, thinned so that their size is bounded whatever the horizon (see [`Series`]).

use super::{MAX_RECORDED_POINTS, MAX_SERIES_POINTS, MIN_SERIES_POINTS, Series};

/// (minute, capacity, backlog).
type Point = (u64, f64, f64);

/// Keeps the series of the recorded services. Every series is given a point at the same
/// moments, so the horizon is cut into buckets of `every` minutes shared by all: each series
/// keeps a bucket's first point at once, and its lowest-capacity and largest-backlog points
/// when the bucket ends.
#[derive(Debug)]
pub(crate) struct Recorder {
    every: u64,
    /// The current bucket and the moment of its first point.
    bucket: Option<(u64, u64)>,
    series: Vec<Series>,
    /// Per series, the point with the lowest capacity and the one with the largest backlog in
    /// the current bucket (the first point until another beats it).
    low: Vec<Point>,
    high: Vec<Point>,
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
            bucket: None,
            series: services
                .iter()
                .map(|&service| Series {
                    service,
                    points: Vec::new(),
                })
                .collect(),
            low: vec![(0, 0.0, 0.0); services.len()],
            high: vec![(0, 0.0, 0.0); services.len()],
        }
    }

    /// Records (capacity, backlog) of every series at minute `t`, later than the last.
    pub(crate) fn record(&mut self, t: u64, values: impl Iterator<Item = (f64, f64)>) {
        let index = t / self.every;
        match self.bucket {
            Some((current, _)) if current == index => {
                for ((low, high), (cap, backlog)) in
                    self.low.iter_mut().zip(&mut self.high).zip(values)
                {
                    if cap < low.1 {
                        *low = (t, cap, backlog);
                    }
                    if backlog > high.2 {
                        *high = (t, cap, backlog);
                    }
                }
            }
            _ => {
                self.flush();
                self.bucket = Some((index, t));
                for (k, (cap, backlog)) in values.enumerate() {
                    let p = (t, cap, backlog);
                    self.series[k].points.push(p);
                    self.low[k] = p;
                    self.high[k] = p;
                }
            }
        }
    }

    /// The series, with every bucket's points.
    pub(crate) fn finish(mut self) -> Vec<Series> {
        self.flush();
        self.series
    }

    /// Appends the current bucket's lowest-capacity and largest-backlog points, in time order.
    fn flush(&mut self) {
        let Some((_, first)) = self.bucket else {
            return;
        };
        for ((s, &l), &h) in self.series.iter_mut().zip(&self.low).zip(&self.high) {
            let (l, h) = if l.0 <= h.0 { (l, h) } else { (h, l) };
            if l.0 != first {
                s.points.push(l);
            }
            if h.0 != first && h.0 != l.0 {
                s.points.push(h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_keeps_its_first_point_its_dip_and_its_peak_in_time_order() {
        // 999 buckets of 10 minutes.
        let mut r = Recorder::new(&[7], 9_990);
        assert_eq!(r.every, 10);
        for (t, cap, backlog) in [
            (0, 1.0, 0.0),
            (2, 0.5, 1.0),
            (4, 0.8, 5.0),
            (6, 0.9, 2.0),
            (10, 1.0, 0.0),
            (12, 0.2, 9.0),
            (14, 0.5, 1.0),
        ] {
            r.record(t, std::iter::once((cap, backlog)));
        }
        let series = r.finish();
        assert_eq!(series[0].service, 7);
        assert_eq!(
            series[0].points,
            [
                (0, 1.0, 0.0),
                (2, 0.5, 1.0),
                (4, 0.8, 5.0),
                (10, 1.0, 0.0),
                (12, 0.2, 9.0)
            ]
        );
    }
}
