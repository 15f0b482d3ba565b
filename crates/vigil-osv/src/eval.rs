//! Exact evaluation of "is version V of package P affected", by the OSV specification's
//! algorithm, on values parsed once per advisory.
//!
//! The specification's pseudocode (`IsVulnerable`, schema.md "Evaluation"): a version is
//! affected when an `affected[]` entry for the package lists it in `versions`, or when
//! one of its ranges includes it. A range includes `v` when `v` is below one of its
//! `limit`s (or it has none), and the scan of its events, **sorted by version**, ends
//! vulnerable: `introduced <= v` sets vulnerable, `fixed <= v` clears it,
//! `last_affected < v` clears it.
//!
//! What this module adds to the pseudocode, and why:
//!
//! - Events are sorted by the range's version order whatever order the record lists
//!   them in. `introduced: "0"` sorts before every version; a `limit` containing `*` is
//!   no limit.
//! - The specification leaves the order of events at the same version open, and real
//!   records need one: PyPA writes adjacent ranges as `[0, 3.1.1) ∪ [3.1.1, 3.1.3)`
//!   (`fixed: 3.1.1` and `introduced: 3.1.1`), meaning 3.1.1 is affected, and RustSec has
//!   `introduced: 45.0.0, fixed: 45.0.0`, an empty range. Both hold when an
//!   `introduced` and a `fixed` at the same version cancel out (the state before that
//!   version carries on), which is one fixed order of the tied events (see
//!   `order_ties`). `last_affected` comes last, so `introduced: 1.0, last_affected: 1.0`
//!   includes exactly 1.0.
//! - `SEMVER` ranges compare in SemVer order; `ECOSYSTEM` ranges in the ecosystem's
//!   order; `GIT` ranges are not evaluated (containment needs the repository's commit
//!   graph) and match only through the enumerated `versions`.
//! - `versions` entries compare as versions of the ecosystem when they parse (so PyPI's
//!   `1.0` lists `1.0.0` too), and as exact strings when they do not.
//! - A range whose events do not all parse, or an `ECOSYSTEM` range in an ecosystem
//!   with no version order, cannot be evaluated: it is kept, listed by
//!   [`CompiledAdvisory::diagnostics`], and answers [`Verdict::Unknown`] for any version
//!   no other range or entry matches, never a silent "not affected".
//! - Withdrawn advisories match nothing.
//!
//! Everything is parsed in [`CompiledAdvisory::new`]; [`CompiledAffected::check`] only
//! compares, and allocates nothing.

use std::cmp::Ordering;

use vigil_version::ecosystem::Family;
use vigil_version::{Ecosystem, ParseError, Scheme, Version};

use crate::identity::PackageKey;
use crate::model::{AdvisoryId, EcosystemName, Event, EventKind, Osv, RangeType};

/// A version being asked about, parsed once in every scheme an advisory's ranges may
/// use: the ecosystem's own, and SemVer for `SEMVER` ranges.
#[derive(Clone, Debug)]
pub struct QueryVersion {
    raw: String,
    ecosystem: Option<Result<Version, ParseError>>,
    semver: Result<Version, ParseError>,
}

impl QueryVersion {
    /// Parses `raw` for matching against advisories of `ecosystem`.
    ///
    /// Go writes versions with a `v` (`v1.2.3`) where OSV's `SEMVER` ranges for Go do
    /// not (`1.2.3`), so for Go and Kubernetes one leading `v` is dropped for SemVer.
    pub fn new(ecosystem: &Ecosystem, raw: &str) -> Self {
        let semver_input = match ecosystem.family {
            Family::Go | Family::Kubernetes => raw.trim().strip_prefix('v').unwrap_or(raw),
            _ => raw,
        };
        QueryVersion {
            raw: raw.to_owned(),
            ecosystem: ecosystem.scheme().map(|s| s.parse(raw)),
            semver: Scheme::SemVer.parse(semver_input),
        }
    }

    /// The version as given.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The version in `scheme`, or why it does not parse there.
    fn in_scheme(&self, scheme: Scheme) -> Option<&Result<Version, ParseError>> {
        match &self.ecosystem {
            Some(Ok(v)) if v.scheme() == scheme => self.ecosystem.as_ref(),
            Some(Err(e)) if error_scheme(e) == Some(scheme) => self.ecosystem.as_ref(),
            _ if scheme == Scheme::SemVer => Some(&self.semver),
            _ => None,
        }
    }
}

fn error_scheme(e: &ParseError) -> Option<Scheme> {
    match e {
        ParseError::Empty { scheme }
        | ParseError::TooLong { scheme, .. }
        | ParseError::Invalid { scheme, .. } => Some(*scheme),
        _ => None,
    }
}

/// Where an event sits in its range's order.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Point {
    /// `introduced: "0"`: before every version.
    Zero,
    At(Version),
    /// A `limit` containing `*`: after every version.
    Infinity,
}

impl Point {
    fn cmp_version(&self, v: &Version) -> Ordering {
        match self {
            Point::Zero => Ordering::Less,
            Point::At(p) => p.cmp(v),
            Point::Infinity => Ordering::Greater,
        }
    }
}

impl PartialOrd for Point {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Point {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Point::At(a), Point::At(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl Point {
    fn rank(&self) -> u8 {
        match self {
            Point::Zero => 0,
            Point::At(_) => 1,
            Point::Infinity => 2,
        }
    }
}

/// One parsed event of a range.
#[derive(Clone, Debug)]
pub struct CompiledEvent {
    pub kind: EventKind,
    /// The version string as the record writes it.
    pub raw: String,
    /// Position in the record's `events` list.
    pub index: usize,
    point: Point,
}

/// Orders events that share a version so that an `introduced` and a `fixed` at the
/// same version cancel out: the state the scan had before that version carries on.
///
/// Every event below a version fires for any `v` at or above it, so the state before a
/// group of equal events is the same for every `v` the group fires for, and one fixed
/// order serves them all: `fixed` then `introduced` when the state before is
/// "vulnerable", `introduced` then `fixed` when it is not; `last_affected` always last.
fn order_ties(events: &mut [CompiledEvent]) {
    let mut vulnerable = false;
    let mut start = 0;
    while start < events.len() {
        let end = start
            + events[start..]
                .iter()
                .take_while(|e| e.point == events[start].point)
                .count();
        let rank = |kind: EventKind| match (kind, vulnerable) {
            (EventKind::Fixed, true) | (EventKind::Introduced, false) => 0,
            (EventKind::Introduced, true) | (EventKind::Fixed, false) => 1,
            _ => 2,
        };
        events[start..end].sort_by_key(|e| (rank(e.kind), e.index));
        for e in &events[start..end] {
            match e.kind {
                EventKind::Introduced => vulnerable = true,
                EventKind::Fixed | EventKind::LastAffected => vulnerable = false,
                EventKind::Limit => {}
            }
        }
        start = end;
    }
}

/// Why a range cannot be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnevaluableReason {
    /// An `ECOSYSTEM` range in an ecosystem Vigil knows no version order for (Linux,
    /// Android, OSS-Fuzz, ...).
    NoVersionOrder { ecosystem: String },
    /// An event's version does not parse in the range's scheme.
    EventVersion {
        event: usize,
        kind: EventKind,
        error: ParseError,
    },
}

/// A range kept but not evaluable, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("affected[{affected}].ranges[{range}]: range cannot be evaluated: {}", describe(.reason))]
pub struct Unevaluable {
    pub affected: usize,
    pub range: usize,
    pub reason: UnevaluableReason,
}

fn describe(reason: &UnevaluableReason) -> String {
    match reason {
        UnevaluableReason::NoVersionOrder { ecosystem } => {
            format!("ecosystem {ecosystem} has no version order, so only its listed versions match")
        }
        UnevaluableReason::EventVersion { event, kind, error } => {
            format!("events[{event}].{kind}: {error}")
        }
    }
}

#[derive(Clone, Debug)]
enum RangeState {
    Ready {
        scheme: Scheme,
        /// `introduced`, `fixed` and `last_affected`, sorted.
        events: Vec<CompiledEvent>,
        /// `limit`s, sorted.
        limits: Vec<CompiledEvent>,
    },
    Git,
    Unevaluable(Unevaluable),
}

/// One range, parsed.
#[derive(Clone, Debug)]
pub struct CompiledRange {
    pub index: usize,
    pub kind: RangeType,
    state: RangeState,
}

impl CompiledRange {
    /// The scheme and the sorted `introduced`/`fixed`/`last_affected` events and `limit`s,
    /// for an index that wants the parsed bounds; `None` for `GIT` and unevaluable ranges.
    pub fn bounds(&self) -> Option<(Scheme, &[CompiledEvent], &[CompiledEvent])> {
        match &self.state {
            RangeState::Ready {
                scheme,
                events,
                limits,
            } => Some((*scheme, events, limits)),
            RangeState::Git | RangeState::Unevaluable(_) => None,
        }
    }
}

impl CompiledEvent {
    /// The parsed version; `None` for `introduced: "0"` (before every version) and for
    /// a `limit` containing `*` (after every version).
    pub fn version(&self) -> Option<&Version> {
        match &self.point {
            Point::At(v) => Some(v),
            Point::Zero | Point::Infinity => None,
        }
    }
}

/// One `versions[]` entry, parsed when it parses.
#[derive(Clone, Debug)]
struct Listed {
    index: usize,
    raw: String,
}

/// One `affected[]` entry, parsed once: the package key, the scheme, the sorted events
/// of each range and the enumerated versions.
#[derive(Clone, Debug)]
pub struct CompiledAffected {
    /// Position in the record's `affected` list.
    pub index: usize,
    /// `None` for entries without a package or of the `GIT` ecosystem, which no package
    /// key can match.
    pub package: Option<PackageKey>,
    scheme: Option<Scheme>,
    /// Versions that parse, sorted, with their entry.
    parsed_versions: Vec<(Version, Listed)>,
    /// Versions that do not parse (or every version, without a scheme).
    raw_versions: Vec<Listed>,
    ranges: Vec<CompiledRange>,
}

/// Which part of a record matched a version.
#[derive(Clone, Copy, Debug)]
pub enum Hit<'a> {
    /// A range includes the version.
    Range {
        affected: usize,
        range: usize,
        /// The `introduced` event the version is at or above, as written.
        introduced: &'a str,
        remedy: Remedy<'a>,
    },
    /// The entry's `versions` list names the version.
    Version {
        affected: usize,
        /// Position in `versions`.
        index: usize,
        /// The entry as written.
        version: &'a str,
    },
}

/// What would take a version out of the range that matched it.
#[derive(Clone, Copy, Debug)]
pub enum Remedy<'a> {
    /// Any of these versions is outside the range: the `fixed` and `limit` events above
    /// the version.
    FixedIn(Fixes<'a>),
    /// The range ends at a `last_affected` version: later versions are outside it, but
    /// no fixed version is known.
    NoFixKnown { last_affected: &'a str },
    /// The range has no end: every later version is affected. No fix exists yet.
    NoFixYet,
}

/// The `fixed` and `limit` events above a version, each list in ascending order.
#[derive(Clone, Copy, Debug)]
pub struct Fixes<'a> {
    events: &'a [CompiledEvent],
    limits: &'a [CompiledEvent],
}

impl<'a> Fixes<'a> {
    /// The `fixed` versions, ascending.
    pub fn fixed(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.events
            .iter()
            .filter(|e| e.kind == EventKind::Fixed)
            .map(|e| e.raw.as_str())
    }

    /// The `limit` versions, ascending.
    pub fn limits(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.limits
            .iter()
            .filter(|e| e.point != Point::Infinity)
            .map(|e| e.raw.as_str())
    }

    /// The lowest version that leaves the range.
    pub fn first(&self) -> Option<&'a str> {
        let fixed = self.events.iter().find(|e| e.kind == EventKind::Fixed);
        let limit = self.limits.iter().find(|e| e.point != Point::Infinity);
        match (fixed, limit) {
            (Some(f), Some(l)) => Some(if l.point < f.point { &l.raw } else { &f.raw }),
            (Some(e), None) | (None, Some(e)) => Some(&e.raw),
            (None, None) => None,
        }
    }
}

/// Why a record could not answer for a version.
#[derive(Clone, Copy, Debug)]
pub enum Unknown<'a> {
    /// A range of the package's entry cannot be evaluated at all.
    Range(&'a Unevaluable),
    /// The version asked about does not parse in the scheme a range needs.
    QueryVersion {
        affected: usize,
        range: usize,
        error: &'a ParseError,
    },
}

/// The answer for one `affected[]` entry that is about the package asked about.
#[derive(Clone, Copy, Debug)]
pub enum Verdict<'a> {
    /// The version is affected.
    Affected(Hit<'a>),
    /// Nothing matched, but part of the entry could not be evaluated: the version may
    /// be affected.
    Unknown(Unknown<'a>),
}

impl CompiledAffected {
    /// The answer for `version`, or `None` when the entry does not include it.
    ///
    /// Ranges are tried first (they say what fixes the match), then the `versions`
    /// list; when nothing matches but something could not be evaluated, the answer is
    /// [`Verdict::Unknown`].
    pub fn check<'a>(&'a self, q: &'a QueryVersion) -> Option<Verdict<'a>> {
        let mut unknown = None;
        for range in &self.ranges {
            match &range.state {
                RangeState::Ready {
                    scheme,
                    events,
                    limits,
                } => match q.in_scheme(*scheme) {
                    Some(Ok(v)) => {
                        if let Some(hit) = check_range(self.index, range.index, events, limits, v) {
                            return Some(Verdict::Affected(hit));
                        }
                    }
                    Some(Err(error)) => {
                        unknown.get_or_insert(Unknown::QueryVersion {
                            affected: self.index,
                            range: range.index,
                            error,
                        });
                    }
                    None => {}
                },
                RangeState::Git => {}
                RangeState::Unevaluable(u) => {
                    unknown.get_or_insert(Unknown::Range(u));
                }
            }
        }
        if let Some(hit) = self.check_versions(q) {
            return Some(Verdict::Affected(hit));
        }
        unknown.map(Verdict::Unknown)
    }

    fn check_versions<'a>(&'a self, q: &'a QueryVersion) -> Option<Hit<'a>> {
        let hit = |l: &'a Listed| Hit::Version {
            affected: self.index,
            index: l.index,
            version: &l.raw,
        };
        if let Some(Some(Ok(v))) = self.scheme.map(|s| q.in_scheme(s))
            && let Ok(at) = self.parsed_versions.binary_search_by(|(p, _)| p.cmp(v))
        {
            // Equal versions may be listed more than once; report the first listed.
            let first = self.parsed_versions[..=at]
                .iter()
                .rev()
                .take_while(|(p, _)| p == v)
                .chain(
                    self.parsed_versions[at + 1..]
                        .iter()
                        .take_while(|(p, _)| p == v),
                )
                .min_by_key(|(_, l)| l.index);
            return first.map(|(_, l)| hit(l));
        }
        self.raw_versions.iter().find(|l| l.raw == q.raw).map(hit)
    }

    /// The ranges of this entry that cannot be evaluated.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Unevaluable> {
        self.ranges.iter().filter_map(|r| match &r.state {
            RangeState::Unevaluable(u) => Some(u),
            _ => None,
        })
    }

    /// The entry's ranges, parsed.
    pub fn ranges(&self) -> &[CompiledRange] {
        &self.ranges
    }

    /// The ecosystem's version scheme, when it has one.
    pub fn scheme(&self) -> Option<Scheme> {
        self.scheme
    }

    /// The listed versions that parse, sorted, each with its position in `versions`.
    pub fn listed_versions(&self) -> impl Iterator<Item = (&Version, usize)> {
        self.parsed_versions.iter().map(|(v, l)| (v, l.index))
    }
}

/// The specification's `BeforeLimits` and event scan for one parsed range.
fn check_range<'a>(
    affected: usize,
    range: usize,
    events: &'a [CompiledEvent],
    limits: &'a [CompiledEvent],
    v: &Version,
) -> Option<Hit<'a>> {
    let before_limits = limits.is_empty()
        || limits
            .iter()
            .any(|l| l.point.cmp_version(v) == Ordering::Greater);
    if !before_limits {
        return None;
    }
    let mut opened: Option<&CompiledEvent> = None;
    for e in events {
        let ord = e.point.cmp_version(v);
        match e.kind {
            EventKind::Introduced if ord != Ordering::Greater => opened = Some(e),
            EventKind::Fixed if ord != Ordering::Greater => opened = None,
            EventKind::LastAffected if ord == Ordering::Less => opened = None,
            _ => {}
        }
    }
    let introduced = opened?;
    let above = events.partition_point(|e| e.point.cmp_version(v) != Ordering::Greater);
    let limits_above = limits.partition_point(|e| e.point.cmp_version(v) != Ordering::Greater);
    let fixes = Fixes {
        events: &events[above..],
        limits: &limits[limits_above..],
    };
    let remedy = if fixes.first().is_some() {
        Remedy::FixedIn(fixes)
    } else if let Some(last) = events
        .iter()
        .find(|e| e.kind == EventKind::LastAffected && e.point.cmp_version(v) != Ordering::Less)
    {
        Remedy::NoFixKnown {
            last_affected: &last.raw,
        }
    } else {
        Remedy::NoFixYet
    };
    Some(Hit::Range {
        affected,
        range,
        introduced: &introduced.raw,
        remedy,
    })
}

/// A whole record, parsed for evaluation.
#[derive(Clone, Debug)]
pub struct CompiledAdvisory {
    pub id: AdvisoryId,
    pub withdrawn: bool,
    pub affected: Vec<CompiledAffected>,
}

impl CompiledAdvisory {
    /// Parses every event and listed version of `osv` once.
    pub fn new(osv: &Osv) -> Self {
        CompiledAdvisory {
            id: osv.id.clone(),
            withdrawn: osv.withdrawn.is_some(),
            affected: osv
                .affected
                .iter()
                .enumerate()
                .map(|(i, a)| compile_affected(i, a))
                .collect(),
        }
    }

    /// The verdict of every entry about `package` that includes `version`, or cannot
    /// say; nothing for a withdrawn advisory.
    pub fn check<'a>(
        &'a self,
        package: &'a PackageKey,
        version: &'a QueryVersion,
    ) -> impl Iterator<Item = Verdict<'a>> + 'a {
        self.affected
            .iter()
            .filter(move |a| {
                !self.withdrawn && a.package.as_ref().is_some_and(|p| p.matches(package))
            })
            .filter_map(move |a| a.check(version))
    }

    /// Whether `version` of `package` is affected (an `Unknown` counts as not).
    pub fn is_affected(&self, package: &PackageKey, version: &QueryVersion) -> bool {
        self.check(package, version)
            .any(|v| matches!(v, Verdict::Affected(_)))
    }

    /// Every range of the record that cannot be evaluated.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Unevaluable> {
        self.affected.iter().flat_map(|a| a.diagnostics())
    }
}

fn compile_affected(index: usize, a: &crate::model::Affected) -> CompiledAffected {
    let ecosystem = a.package.as_ref().and_then(|p| match &p.ecosystem {
        EcosystemName::Known(e) => Some(e),
        EcosystemName::Git(_) => None,
    });
    let package = a
        .package
        .as_ref()
        .and_then(|p| ecosystem.map(|e| PackageKey::new(e.clone(), &p.name)));
    let scheme = ecosystem.and_then(Ecosystem::scheme);

    let mut parsed_versions = Vec::new();
    let mut raw_versions = Vec::new();
    for (i, raw) in a.versions.iter().enumerate() {
        let listed = Listed {
            index: i,
            raw: raw.clone(),
        };
        match scheme.map(|s| s.parse(raw)) {
            Some(Ok(v)) => parsed_versions.push((v, listed)),
            _ => raw_versions.push(listed),
        }
    }
    parsed_versions.sort_by(|(a, la), (b, lb)| a.cmp(b).then(la.index.cmp(&lb.index)));

    let ranges = a
        .ranges
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let state = match r.kind {
                RangeType::Git => RangeState::Git,
                RangeType::SemVer => compile_events(index, j, Scheme::SemVer, &r.events),
                RangeType::Ecosystem => match scheme {
                    Some(s) => compile_events(index, j, s, &r.events),
                    None => RangeState::Unevaluable(Unevaluable {
                        affected: index,
                        range: j,
                        reason: UnevaluableReason::NoVersionOrder {
                            ecosystem: a
                                .package
                                .as_ref()
                                .map_or_else(|| "(none)".to_owned(), |p| p.ecosystem.to_string()),
                        },
                    }),
                },
            };
            CompiledRange {
                index: j,
                kind: r.kind,
                state,
            }
        })
        .collect();

    CompiledAffected {
        index,
        package,
        scheme,
        parsed_versions,
        raw_versions,
        ranges,
    }
}

fn compile_events(affected: usize, range: usize, scheme: Scheme, events: &[Event]) -> RangeState {
    let mut sorted = Vec::with_capacity(events.len());
    let mut limits = Vec::new();
    for (k, e) in events.iter().enumerate() {
        let raw = e.version();
        let point = match e {
            Event::Introduced(v) if v == "0" => Point::Zero,
            Event::Limit(v) if v.contains('*') => Point::Infinity,
            _ => match scheme.parse(raw) {
                Ok(v) => Point::At(v),
                Err(error) => {
                    return RangeState::Unevaluable(Unevaluable {
                        affected,
                        range,
                        reason: UnevaluableReason::EventVersion {
                            event: k,
                            kind: e.kind(),
                            error,
                        },
                    });
                }
            },
        };
        let compiled = CompiledEvent {
            kind: e.kind(),
            raw: raw.to_owned(),
            index: k,
            point,
        };
        if e.kind() == EventKind::Limit {
            limits.push(compiled);
        } else {
            sorted.push(compiled);
        }
    }
    let order =
        |a: &CompiledEvent, b: &CompiledEvent| a.point.cmp(&b.point).then(a.index.cmp(&b.index));
    sorted.sort_by(order);
    limits.sort_by(order);
    order_ties(&mut sorted);
    RangeState::Ready {
        scheme,
        events: sorted,
        limits,
    }
}
