//! Staff capacities under the proportional pool rule, recomputed only where a skill's capacity
//! changed.
//!
//! By the rule (see [`Compiled::staff_factors`]), a skill's capacity is its available FTE over the
//! FTE all services need of it, capped at 1, and a service's staff capacity is the lowest over
//! the skills it needs. While absence moves, every skill's availability changes at every step,
//! but its capacity often does not (it stays capped at 1 while there are spare staff), and then
//! none of the services that need it have to be looked at.

use super::lists::Lists;
use crate::compile::Compiled;

/// Each skill's capacity, and which services need which skills, both ways.
#[derive(Debug, Clone)]
pub(super) struct ProportionalStaff {
    /// Each skill's capacity: available over required FTE, capped at 1.
    capacity: Vec<f64>,
    /// The services that need each skill (some FTE of it).
    services: Lists,
    /// The skills each service needs (some FTE of).
    skills: Lists,
}

impl ProportionalStaff {
    /// The skills' capacities when `available[k]` FTE of skill `k` can work.
    pub(super) fn new(c: &Compiled, available: &[f64]) -> ProportionalStaff {
        let skills = Lists::new(c.services.iter().map(|s| {
            (s.staff.iter())
                .filter(|(_, fte)| *fte > 0.0)
                .map(|(k, _)| *k)
        }));
        ProportionalStaff {
            capacity: (0..c.skills.len())
                .map(|k| skill_capacity(c, k, available[k]))
                .collect(),
            services: skills.transpose(c.skills.len()),
            skills,
        }
    }

    /// Moves to `available`; calls `set(service, staff capacity)` for every service that needs a
    /// skill whose capacity changed (once per such skill: the last call has the final value).
    pub(super) fn update(
        &mut self,
        c: &Compiled,
        available: &[f64],
        mut set: impl FnMut(u32, f64),
    ) {
        for (k, &a) in available.iter().enumerate() {
            let v = skill_capacity(c, k, a);
            if v == self.capacity[k] {
                continue;
            }
            self.capacity[k] = v;
            for &i in self.services.of(k) {
                set(i, self.service(i));
            }
        }
    }

    /// Service `i`'s staff capacity: the lowest of its skills' capacities, 1 with none.
    fn service(&self, i: u32) -> f64 {
        self.skills
            .of(i as usize)
            .iter()
            .map(|&k| self.capacity[k as usize])
            .fold(1.0, f64::min)
    }

    /// Service `i`'s staff capacity when `available(k)` FTE of each skill `k` it needs can work.
    pub(super) fn service_with(&self, c: &Compiled, i: u32, available: impl Fn(u32) -> f64) -> f64 {
        self.skills
            .of(i as usize)
            .iter()
            .map(|&k| skill_capacity(c, k as usize, available(k)))
            .fold(1.0, f64::min)
    }
}

/// Skill `k`'s capacity when `available` FTE of it can work: available over required FTE, capped
/// at 1 (1 when none is required).
fn skill_capacity(c: &Compiled, k: usize, available: f64) -> f64 {
    let required = c.skills[k].required;
    if required > 0.0 {
        (available / required).min(1.0)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redeploy::Allocation;
    use bulwark_model::generate::{Shape, generate};
    use bulwark_model::{Pos, Ref, StaffNeed};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Staff capacities kept by skill are exactly those of the proportional allocation, for
    /// services needing one skill, several, or some at zero FTE.
    #[test]
    fn capacities_match_the_proportional_allocation() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut model = generate(Shape {
            services: 200,
            seed: 2,
        });
        let skills = model.skills.len();
        for (i, s) in model
            .services
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| i % 3 == 0)
        {
            s.staff.push(StaffNeed {
                skill: Ref {
                    id: model.skills[rng.random_range(0..skills)]
                        .meta
                        .id
                        .to_string(),
                    pos: Pos::default(),
                },
                fte: if i % 2 == 0 { 0.0 } else { 2.0 },
            });
        }
        let c = Compiled::new(&model).expect("valid");
        let alloc = Allocation::proportional(&c);
        let mut available: Vec<f64> = c.skills.iter().map(|s| s.headcount).collect();
        let mut expected = Vec::new();
        alloc.staff_factors(&available, &mut expected);
        let mut staff = expected.clone();
        let mut p = ProportionalStaff::new(&c, &available);
        for _ in 0..50 {
            for (k, a) in available.iter_mut().enumerate() {
                if rng.random_bool(0.3) {
                    *a = c.skills[k].headcount * f64::from(rng.random_range(0..=12u32)) / 10.0;
                }
            }
            p.update(&c, &available, |i, v| staff[i as usize] = v);
            alloc.staff_factors(&available, &mut expected);
            assert_eq!(staff, expected);
            for (i, e) in expected.iter().enumerate() {
                assert_eq!(p.service_with(&c, i as u32, |k| available[k as usize]), *e);
            }
        }
    }
}
