//! The rewrite rules, by topic: `algebra` (elementwise identities), `shapes` (index
//! maps), `reduce`, `dot`. Each topic has an exact set; `algebra` also has a fast-math
//! set of rules that change special values or rounding beyond reassociation.
//!
//! No rule is a blanket commutativity or associativity law: those multiply the e-graph
//! without bound. Where an operand order matters, the rule is written for both orders.

mod algebra;
mod build;
mod dot;
mod reduce;
mod shapes;

use super::analysis::TensorAnalysis;
use super::lang::TensorLang;
use egg::Rewrite;
use std::sync::OnceLock;

/// A rule of the tensor language.
pub type Rw = Rewrite<TensorLang, TensorAnalysis>;

/// A rule's name, topic and whether it needs `--fast-math`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule's name (unique).
    pub name: String,
    /// `algebra`, `shapes`, `reduce` or `dot`.
    pub topic: &'static str,
    /// Whether the rule is only used with fast-math.
    pub fast_math: bool,
}

fn topics() -> Vec<(&'static str, bool, Vec<Rw>)> {
    vec![
        ("algebra", false, algebra::exact()),
        ("algebra", true, algebra::fast()),
        ("shapes", false, shapes::exact()),
        ("reduce", false, reduce::exact()),
        ("dot", false, dot::exact()),
    ]
}

/// The rules to run: the exact ones, plus the fast-math ones if `fast_math`.
pub fn rules(fast_math: bool) -> Vec<Rw> {
    topics().into_iter().filter(|(_, fast, _)| fast_math || !fast).flat_map(|(_, _, rules)| rules).collect()
}

/// [`rules`], built once per process: parsing the patterns of a hundred rules costs
/// more than saturating a small graph.
pub fn cached_rules(fast_math: bool) -> &'static [Rw] {
    static EXACT: OnceLock<Vec<Rw>> = OnceLock::new();
    static FAST: OnceLock<Vec<Rw>> = OnceLock::new();
    let cell = if fast_math { &FAST } else { &EXACT };
    cell.get_or_init(|| rules(fast_math))
}

/// Every rule, with its topic.
pub fn catalog() -> Vec<RuleInfo> {
    topics()
        .into_iter()
        .flat_map(|(topic, fast_math, rules)| {
            rules.into_iter().map(move |r| RuleInfo { name: r.name.to_string(), topic, fast_math })
        })
        .collect()
}
