//! [`UnitTree`]: a validated index over units.

use super::{Coverage, MergeKind, Unit, UnitError, UnitId, agency::is_agency_code, fmt_validity};
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};

/// Units indexed by id, parent and children, with Euler-tour intervals for a constant-time
/// subtree test, and predecessor/successor links.
///
/// Built by [`UnitTree::new`], which refuses: duplicate ids, blank names, a unit ending before it
/// starts, a missing parent, a cycle of parents, a child valid outside its parent's validity,
/// a missing, repeated or not-yet-ended predecessor, an agency code not in the QCVN 102:2016
/// shape or shared by two units valid at the same time, and unreadable working hours.
///
/// Queries take ids as `&str`, `&UnitId` or `String`; an unknown id gives nothing (`None`,
/// `false` or an empty iterator).
#[derive(Debug, Clone)]
pub struct UnitTree {
    units: Vec<Unit>,
    index: HashMap<UnitId, usize>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    /// Preorder of the forest; a unit's subtree is `order[enter[u]..exit[u]]`.
    order: Vec<usize>,
    enter: Vec<usize>,
    exit: Vec<usize>,
    predecessors: Vec<Vec<(usize, MergeKind)>>,
    successors: Vec<Vec<(usize, MergeKind)>>,
}

fn overlaps(a: &Unit, b: &Unit) -> bool {
    a.valid_to.is_none_or(|to| b.valid_from <= to) && b.valid_to.is_none_or(|to| a.valid_from <= to)
}

/// Whether `outer`'s validity covers `inner`'s.
fn covers(outer: &Unit, inner: &Unit) -> bool {
    outer.valid_from <= inner.valid_from
        && match (outer.valid_to, inner.valid_to) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(i)) => i <= o,
        }
}

impl UnitTree {
    /// Validates `units` and indexes them. Children keep the order of `units`.
    pub fn new(units: Vec<Unit>) -> Result<Self, UnitError> {
        let n = units.len();
        let mut index = HashMap::with_capacity(n);
        for (i, u) in units.iter().enumerate() {
            if index.insert(u.id.clone(), i).is_some() {
                return Err(UnitError::DuplicateId(u.id.clone()));
            }
        }
        for u in &units {
            if u.name.trim().is_empty() || u.full_name.trim().is_empty() {
                return Err(UnitError::EmptyName(u.id.clone()));
            }
            if let Some(to) = u.valid_to
                && to < u.valid_from
            {
                return Err(UnitError::ReversedValidity {
                    unit: u.id.clone(),
                    from: u.valid_from,
                    to,
                });
            }
            if !is_agency_code(&u.agency_code) {
                return Err(UnitError::AgencyCodeShape {
                    unit: u.id.clone(),
                    code: u.agency_code.clone(),
                });
            }
            if let Err(error) = u.work_schedule() {
                return Err(UnitError::Schedule {
                    unit: u.id.clone(),
                    error,
                });
            }
        }

        let mut parent = vec![None; n];
        let mut children = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, u) in units.iter().enumerate() {
            match &u.parent {
                None => roots.push(i),
                Some(p) => {
                    let &p = index.get(p).ok_or_else(|| UnitError::MissingParent {
                        unit: u.id.clone(),
                        parent: p.clone(),
                    })?;
                    parent[i] = Some(p);
                    children[p].push(i);
                }
            }
        }

        let (order, enter, exit) = euler_tour(&roots, &children, n);
        if let Some(stray) = (0..n).find(|&i| enter[i] == usize::MAX) {
            return Err(UnitError::Cycle(cycle_from(stray, &parent, &units)));
        }

        for (i, u) in units.iter().enumerate() {
            if let Some(p) = parent[i]
                && !covers(&units[p], u)
            {
                return Err(UnitError::ParentValidity {
                    unit: u.id.clone(),
                    unit_validity: u.validity_text(),
                    parent: units[p].id.clone(),
                    parent_validity: units[p].validity_text(),
                });
            }
        }

        let mut predecessors = vec![Vec::new(); n];
        let mut successors = vec![Vec::new(); n];
        for (i, u) in units.iter().enumerate() {
            for link in &u.predecessors {
                let &p = index
                    .get(&link.id)
                    .ok_or_else(|| UnitError::MissingPredecessor {
                        unit: u.id.clone(),
                        predecessor: link.id.clone(),
                    })?;
                if predecessors[i].iter().any(|&(q, _)| q == p) {
                    return Err(UnitError::DuplicatePredecessor {
                        unit: u.id.clone(),
                        predecessor: link.id.clone(),
                    });
                }
                let old = &units[p];
                if old.valid_to.is_none_or(|to| to >= u.valid_from) {
                    return Err(UnitError::PredecessorNotEnded {
                        unit: u.id.clone(),
                        unit_validity: u.validity_text(),
                        predecessor: old.id.clone(),
                        predecessor_validity: fmt_validity(old.valid_from, old.valid_to),
                    });
                }
                predecessors[i].push((p, link.kind));
                successors[p].push((i, link.kind));
            }
        }

        let mut by_code: HashMap<&str, Vec<usize>> = HashMap::with_capacity(n);
        for (i, u) in units.iter().enumerate() {
            let same = by_code.entry(u.agency_code.as_str()).or_default();
            if let Some(&j) = same.iter().find(|&&j| overlaps(&units[j], u)) {
                return Err(UnitError::DuplicateAgencyCode {
                    code: u.agency_code.clone(),
                    first: units[j].id.clone(),
                    second: u.id.clone(),
                });
            }
            same.push(i);
        }

        Ok(Self {
            units,
            index,
            parent,
            children,
            roots,
            order,
            enter,
            exit,
            predecessors,
            successors,
        })
    }

    fn idx(&self, id: impl AsRef<str>) -> Option<usize> {
        self.index.get(id.as_ref()).copied()
    }

    fn at(&self, i: usize) -> &Unit {
        &self.units[i]
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// All units, in the order given to [`UnitTree::new`].
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn get(&self, id: impl AsRef<str>) -> Option<&Unit> {
        self.idx(id).map(|i| self.at(i))
    }

    pub fn contains(&self, id: impl AsRef<str>) -> bool {
        self.idx(id).is_some()
    }

    /// Units without a parent (provinces of either list).
    pub fn roots(&self) -> impl Iterator<Item = &Unit> + '_ {
        self.roots.iter().map(|&i| self.at(i))
    }

    pub fn parent(&self, id: impl AsRef<str>) -> Option<&Unit> {
        self.idx(id)
            .and_then(|i| self.parent[i])
            .map(|p| self.at(p))
    }

    /// Direct children, in input order.
    pub fn children(&self, id: impl AsRef<str>) -> impl Iterator<Item = &Unit> + '_ {
        self.idx(id)
            .into_iter()
            .flat_map(|i| self.children[i].iter().map(|&c| self.at(c)))
    }

    /// The parent, its parent, … up to the root (the unit itself excluded).
    pub fn ancestors(&self, id: impl AsRef<str>) -> impl Iterator<Item = &Unit> + '_ {
        let first = self.idx(id).and_then(|i| self.parent[i]);
        std::iter::successors(first, |&p| self.parent[p]).map(|p| self.at(p))
    }

    /// The unit and all its descendants, in preorder.
    pub fn subtree(&self, id: impl AsRef<str>) -> impl Iterator<Item = &Unit> + '_ {
        let range = self.idx(id).map_or(0..0, |i| self.enter[i]..self.exit[i]);
        self.order[range].iter().map(|&i| self.at(i))
    }

    /// Whether `unit` is `ancestor` or one of its descendants, in constant time.
    pub fn is_within(&self, unit: impl AsRef<str>, ancestor: impl AsRef<str>) -> bool {
        match (self.idx(unit), self.idx(ancestor)) {
            (Some(u), Some(a)) => self.within(u, a),
            _ => false,
        }
    }

    fn within(&self, u: usize, a: usize) -> bool {
        self.enter[a] <= self.enter[u] && self.exit[u] <= self.exit[a]
    }

    /// Units that exist on `day`, in input order.
    pub fn active_on(&self, day: Date) -> impl Iterator<Item = &Unit> + '_ {
        self.units.iter().filter(move |u| u.is_active_on(day))
    }

    /// The units this one replaced, with how each was merged in.
    pub fn predecessors(
        &self,
        id: impl AsRef<str>,
    ) -> impl Iterator<Item = (&Unit, MergeKind)> + '_ {
        self.idx(id)
            .into_iter()
            .flat_map(|i| self.predecessors[i].iter().map(|&(p, k)| (self.at(p), k)))
    }

    /// The units that replaced this one, with how it was merged into each.
    pub fn successors(&self, id: impl AsRef<str>) -> impl Iterator<Item = (&Unit, MergeKind)> + '_ {
        self.idx(id)
            .into_iter()
            .flat_map(|i| self.successors[i].iter().map(|&(s, k)| (self.at(s), k)))
    }

    /// The units that existed on `day` whose subtrees make up `target`'s history on that day:
    /// `target` itself if it existed then; before it existed, its predecessors (followed back
    /// until one exists on `day`); nothing after it ended. Each comes with its coverage: partial
    /// if some link on the way is a partial merge. Sorted by id.
    ///
    /// `resolve_for_aggregation("p2025:51", 2023-07-01)` is Kon Tum (`p:62`) and the old Quảng
    /// Ngãi (`p:51`), both whole: a 2023 indicator of today's Quảng Ngãi counts records of units
    /// within either.
    pub fn resolve_for_aggregation(
        &self,
        target: impl AsRef<str>,
        day: Date,
    ) -> Vec<(&Unit, Coverage)> {
        let Some(t) = self.idx(target) else {
            return Vec::new();
        };
        self.walk(
            t,
            day,
            |u| day < u.valid_from,
            |i| &self.predecessors[i],
            false,
        )
    }

    /// Every unit whose records count toward `unit` over `[first, last]`: its subtree, and
    /// through predecessor links (followed back to the start) the subtrees of the units it
    /// replaced. A ward created on 1 July 2025 thus counts its former wards' whole year.
    pub fn history_members(
        &self,
        unit: impl AsRef<str>,
        first: Date,
        last: Date,
    ) -> std::collections::BTreeSet<String> {
        let unit = unit.as_ref();
        let mut out = std::collections::BTreeSet::new();
        let mut roots: Vec<String> = vec![unit.to_owned()];
        for day in [first, last] {
            for (u, _) in self.resolve_for_aggregation(unit, day) {
                roots.push(u.id.to_string());
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        while let Some(r) = roots.pop() {
            if !seen.insert(r.clone()) {
                continue;
            }
            for (p, _) in self.predecessors(&r) {
                roots.push(p.id.to_string());
            }
            for u in self.subtree(&r) {
                out.insert(u.id.to_string());
            }
        }
        out
    }

    /// The units that exist on `day` and hold `unit`'s history: `unit` itself if it exists then;
    /// after it ended, its successors (followed forward until one exists on `day`), and for a
    /// unit without successors (a district, a district office) its nearest ancestor's. Nothing
    /// before it existed. Sorted by id, with coverage as in
    /// [`resolve_for_aggregation`](Self::resolve_for_aggregation).
    pub fn heirs_on(&self, unit: impl AsRef<str>, day: Date) -> Vec<(&Unit, Coverage)> {
        let Some(u) = self.idx(unit) else {
            return Vec::new();
        };
        self.walk(
            u,
            day,
            |u| u.valid_to.is_some_and(|to| to < day),
            |i| &self.successors[i],
            true,
        )
    }

    /// Follows `links` from `start` while `go_on` holds for the unit reached, collecting the
    /// units active on `day`; `climb`: a unit without links hands over to its parent.
    fn walk<'a>(
        &'a self,
        start: usize,
        day: Date,
        go_on: impl Fn(&Unit) -> bool,
        links: impl Fn(usize) -> &'a [(usize, MergeKind)],
        climb: bool,
    ) -> Vec<(&'a Unit, Coverage)> {
        let mut found: BTreeMap<&UnitId, (&Unit, Coverage)> = BTreeMap::new();
        let mut best: HashMap<usize, Coverage> = HashMap::new();
        let mut stack = vec![(start, Coverage::Whole)];
        while let Some((i, coverage)) = stack.pop() {
            if best.get(&i).is_some_and(|&c| c >= coverage) {
                continue;
            }
            best.insert(i, coverage);
            let unit = self.at(i);
            if unit.is_active_on(day) {
                let entry = found.entry(&unit.id).or_insert((unit, coverage));
                entry.1 = entry.1.max(coverage);
            } else if go_on(unit) {
                let next = links(i);
                if next.is_empty() && climb {
                    if let Some(p) = self.parent[i] {
                        stack.push((p, coverage));
                    }
                } else {
                    stack.extend(
                        next.iter()
                            .map(|&(j, kind)| (j, coverage.min(kind.coverage()))),
                    );
                }
            }
        }
        found.into_values().collect()
    }

    /// Whether a record of `unit` dated `day` counts toward `target` (e.g. a dossier of a
    /// commune toward a province's indicator), and how: the record's unit on that day (`unit`,
    /// or its [heirs](Self::heirs_on) if it had ended) must lie within one of `target`'s
    /// [sources](Self::resolve_for_aggregation) on that day. `None` if it does not count.
    ///
    /// Convenient for one record; to aggregate many, resolve the target once per day (or
    /// period) and test each record's unit with [`is_within`](Self::is_within).
    pub fn counts_toward(
        &self,
        unit: impl AsRef<str>,
        day: Date,
        target: impl AsRef<str>,
    ) -> Option<Coverage> {
        let holders = self.heirs_on(unit, day);
        let scopes = self.resolve_for_aggregation(target, day);
        let mut result: Option<Coverage> = None;
        for (h, hc) in &holders {
            for (s, sc) in &scopes {
                if let (Some(hi), Some(si)) = (self.idx(&h.id), self.idx(&s.id))
                    && self.within(hi, si)
                {
                    let c = (*hc).min(*sc);
                    result = Some(result.map_or(c, |r| r.max(c)));
                }
            }
        }
        result
    }
}

/// Preorder of the forest under `roots` with enter/exit positions (`usize::MAX`: unreached).
fn euler_tour(
    roots: &[usize],
    children: &[Vec<usize>],
    n: usize,
) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let mut order = Vec::with_capacity(n);
    let mut enter = vec![usize::MAX; n];
    let mut exit = vec![usize::MAX; n];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for &root in roots {
        enter[root] = order.len();
        order.push(root);
        stack.push((root, 0));
        while let Some((node, next)) = stack.last_mut() {
            if let Some(&child) = children[*node].get(*next) {
                *next += 1;
                enter[child] = order.len();
                order.push(child);
                stack.push((child, 0));
            } else {
                exit[*node] = order.len();
                stack.pop();
            }
        }
    }
    (order, enter, exit)
}

/// The cycle of parents reached from `start` (a unit no root reaches), as ids, first repeated.
fn cycle_from(start: usize, parent: &[Option<usize>], units: &[Unit]) -> Vec<UnitId> {
    let mut path = vec![start];
    let mut at: HashMap<usize, usize> = HashMap::from([(start, 0)]);
    let mut node = start;
    while let Some(p) = parent[node] {
        if let Some(&first) = at.get(&p) {
            let mut cycle: Vec<UnitId> =
                path[first..].iter().map(|&i| units[i].id.clone()).collect();
            cycle.push(units[p].id.clone());
            return cycle;
        }
        at.insert(p, path.len());
        path.push(p);
        node = p;
    }
    // Unreachable when called on a unit no root reaches; report the path anyway.
    path.iter().map(|&i| units[i].id.clone()).collect()
}
