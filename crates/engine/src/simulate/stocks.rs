//! Stocks over time: assets that last a given time while in use (fuel, salt, PPE, medicines).
//!
//! Every stock is full at the start. It is drawn on while it is *in use* and its asset is not
//! under an outage: a stock named directly as a standby (`{standby: ID, ...}`) is in use only
//! while one of those standbys is brought up; any other stock is in use all the time. Drawn on
//! for `lasts` in all, it is empty: its asset's own capacity is 0 from that moment. It is full
//! again at a scenario's `resupply` event for it, or `resupply` after it ran out, whichever
//! comes first (an event at the very moment it runs out keeps it full).
//!
//! Running out and deliveries fall at moments the scenario's events do not give, so the
//! simulation asks [`Stocks::next_moment`] for the next one and evaluates there too.

use crate::compile::Compiled;
use rustc_hash::FxHashMap;

/// One stock's state.
#[derive(Debug, Clone)]
struct Stock {
    node: u32,
    lasts: u64,
    resupply: Option<u64>,
    /// Standbys that name it directly (empty: in use all the time).
    standbys: Vec<u32>,
    /// Minutes of use left as of `mark`.
    left: u64,
    mark: u64,
    drawing: bool,
    /// When it ran out, while empty.
    empty_since: Option<u64>,
    /// Periods it was empty, and drawn on.
    empty: Vec<(u64, Option<u64>)>,
    drawn: Vec<(u64, Option<u64>)>,
}

/// What happened to one stock in a simulation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StockOutcome {
    /// The asset's index.
    pub asset: u32,
    /// Every period it was empty (end `None`: still empty at the horizon).
    pub empty: Vec<(bulwark_model::Duration, Option<bulwark_model::Duration>)>,
    /// Every period it was drawn on (end `None`: still at the horizon).
    pub drawn: Vec<(bulwark_model::Duration, Option<bulwark_model::Duration>)>,
    /// How long it would still last in use at the horizon.
    pub left_at_horizon: bulwark_model::Duration,
}

impl StockOutcome {
    /// The first moment it ran out.
    pub fn ran_out_at(&self) -> Option<bulwark_model::Duration> {
        self.empty.first().map(|s| s.0)
    }
}

/// The state of every stock of the model.
#[derive(Debug, Clone)]
pub(super) struct Stocks {
    stocks: Vec<Stock>,
    by_node: FxHashMap<u32, usize>,
    /// Resupply events: (minute, stock), in time order.
    deliveries: Vec<(u64, usize)>,
}

impl Stocks {
    /// Every stock full; `deliveries` are the scenario's resupply events as (minute, asset node).
    pub(super) fn new(c: &Compiled, deliveries: &[(u64, u32)]) -> Stocks {
        let stocks: Vec<Stock> = (c.stocks.iter())
            .map(|s| Stock {
                node: c.assets[s.asset as usize].node,
                lasts: s.lasts,
                resupply: s.resupply,
                standbys: (c.standbys.iter().enumerate())
                    .filter(|(_, b)| b.asset == Some(s.asset))
                    .map(|(i, _)| i as u32)
                    .collect(),
                left: s.lasts,
                mark: 0,
                drawing: false,
                empty_since: None,
                empty: Vec::new(),
                drawn: Vec::new(),
            })
            .collect();
        let by_node: FxHashMap<u32, usize> = stocks
            .iter()
            .enumerate()
            .map(|(i, s)| (s.node, i))
            .collect();
        let mut deliveries: Vec<(u64, usize)> = (deliveries.iter())
            .filter_map(|(t, node)| Some((*t, *by_node.get(node)?)))
            .collect();
        deliveries.sort_unstable();
        Stocks {
            stocks,
            by_node,
            deliveries,
        }
    }

    /// Whether the model has no stocks.
    pub(super) fn is_empty(&self) -> bool {
        self.stocks.is_empty()
    }

    /// The stock's level as an own capacity of `node`: 0 while empty, 1 otherwise (and for an
    /// asset without a stock).
    pub(super) fn level(&self, node: u32) -> f64 {
        match self.by_node.get(&node) {
            Some(&i) if self.stocks[i].empty_since.is_some() => 0.0,
            _ => 1.0,
        }
    }

    /// Brings every stock to minute `t`: what was drawn since the last moment, deliveries due
    /// at `t`, and running out at `t`. Returns the nodes whose level changed.
    pub(super) fn advance(&mut self, t: u64, out: &mut Vec<u32>) {
        out.clear();
        for (i, s) in self.stocks.iter_mut().enumerate() {
            if s.drawing {
                s.left = s.left.saturating_sub(t - s.mark);
            }
            s.mark = t;
            let delivered = self.deliveries.binary_search(&(t, i)).is_ok()
                || s.empty_since
                    .zip(s.resupply)
                    .is_some_and(|(e, r)| e.saturating_add(r) <= t);
            let was_empty = s.empty_since.is_some();
            if delivered {
                s.left = s.lasts;
                if let Some(e) = s.empty.last_mut().filter(|_| was_empty) {
                    e.1 = Some(t);
                }
                s.empty_since = None;
            } else if s.left == 0 && !was_empty {
                s.empty_since = Some(t);
                s.empty.push((t, None));
            }
            if was_empty != s.empty_since.is_some() {
                out.push(s.node);
            }
        }
    }

    /// Sets which stocks are drawn on from `t`: `up` says whether a standby is brought up,
    /// `out_of_action` whether an asset node is under an outage at `t`.
    pub(super) fn set_drawing(
        &mut self,
        t: u64,
        up: impl Fn(u32) -> bool,
        out_of_action: impl Fn(u32) -> bool,
    ) {
        for s in &mut self.stocks {
            let in_use = s.standbys.is_empty() || s.standbys.iter().any(|&b| up(b));
            let drawing = in_use && s.empty_since.is_none() && !out_of_action(s.node);
            if drawing != s.drawing {
                s.drawing = drawing;
                if drawing {
                    s.drawn.push((t, None));
                } else if let Some(last) = s.drawn.last_mut() {
                    last.1 = Some(t);
                }
            }
        }
    }

    /// The first moment after `t` at which a stock runs out or a delivery arrives.
    pub(super) fn next_moment(&self, t: u64) -> Option<u64> {
        let mut next: Option<u64> = None;
        for s in &self.stocks {
            let at = match s.empty_since {
                None if s.drawing => Some(s.mark.saturating_add(s.left)),
                None => None,
                Some(e) => s.resupply.map(|r| e.saturating_add(r)),
            };
            if let Some(at) = at.filter(|&a| a > t) {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        next
    }

    /// What happened to each stock, at the horizon.
    pub(super) fn finish(self, c: &Compiled, horizon: u64) -> Vec<StockOutcome> {
        let minutes = bulwark_model::Duration::from_minutes;
        let spans = |v: Vec<(u64, Option<u64>)>| {
            v.into_iter()
                .map(|(a, b)| (minutes(a), b.map(minutes)))
                .collect()
        };
        (self.stocks.into_iter().zip(&c.stocks))
            .map(|(s, info)| {
                let left = if s.drawing {
                    s.left.saturating_sub(horizon.saturating_sub(s.mark))
                } else {
                    s.left
                };
                StockOutcome {
                    asset: info.asset,
                    empty: spans(s.empty),
                    drawn: spans(s.drawn),
                    left_at_horizon: minutes(if s.empty_since.is_some() { 0 } else { left }),
                }
            })
            .collect()
    }
}
