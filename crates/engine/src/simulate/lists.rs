//! Lists of indices, one per index, stored flat: children and parents of nodes, skills of
//! services and services of skills.

/// For each index `i < len`, a list of indices, stored one after the other.
#[derive(Debug, Clone)]
pub(super) struct Lists {
    /// Where each list starts in `items` (and, one on, where it ends).
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    /// The lists, in index order.
    pub(super) fn new<L: IntoIterator<Item = u32>>(lists: impl IntoIterator<Item = L>) -> Lists {
        let mut out = Lists {
            start: vec![0],
            items: Vec::new(),
        };
        for list in lists {
            out.items.extend(list);
            out.start.push(out.items.len() as u32);
        }
        out
    }

    /// List `i`.
    pub(super) fn of(&self, i: usize) -> &[u32] {
        &self.items[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// How many lists there are.
    pub(super) fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// The lists the other way round, for indices below `len`: list `j` holds every `i` whose
    /// list holds `j`, in increasing order.
    pub(super) fn transpose(&self, len: usize) -> Lists {
        let mut start = vec![0u32; len + 1];
        for &j in &self.items {
            start[j as usize + 1] += 1;
        }
        for j in 0..len {
            start[j + 1] += start[j];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; self.items.len()];
        for i in 0..self.len() {
            for &j in self.of(i) {
                items[fill[j as usize] as usize] = i as u32;
                fill[j as usize] += 1;
            }
        }
        Lists { start, items }
    }
}
