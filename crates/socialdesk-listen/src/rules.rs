//! Moderation rules, compiled: whether each rule's conditions hold for an
//! inbox item. Keywords and queries go through the listening query language,
//! so they are case- and accent-insensitive, find words in Chinese, Japanese
//! and Korean text, and understand phrases, `NEAR/n` and wildcards.
//!
//! What the rules then do is decided by [`socialdesk_core::moderation::plan`].

use socialdesk_core::moderation::{self, Condition, Plan, RuleError, RuleSpec};

use crate::enrich::Lang;
use crate::query::{Post, Query, network_named};

/// An inbox item as the rules see it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemFacts<'a> {
    pub text: &'a str,
    /// `reply`, `mention`, `quote` or `direct_message`.
    pub item_type: &'a str,
    /// `question`, `complaint`, `praise`, `spam` or `other`.
    pub category: Option<&'a str>,
    pub sentiment: Option<f64>,
    pub followers: Option<u64>,
    /// The account's network (`bluesky`, `sandbox`).
    pub network: &'a str,
    /// ISO 639-1.
    pub language: Option<&'a str>,
    pub author: &'a str,
}

enum Test {
    Query(Query),
    Plain(Condition),
    /// A condition that could not be compiled.
    Never,
}

/// A workspace's rules, ready to run on many items.
pub struct CompiledRules {
    specs: Vec<RuleSpec>,
    tests: Vec<Vec<Test>>,
}

impl std::fmt::Debug for CompiledRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledRules").field("rules", &self.specs.len()).finish()
    }
}

/// The query a keyword list stands for: any of the words or phrases.
pub fn keywords_query(words: &[String]) -> String {
    words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" OR ")
}

fn compile_condition(i: usize, condition: &Condition) -> Result<Test, RuleError> {
    let parse = |source: &str, field: &str| {
        Query::parse(source).map_err(|e| RuleError { field: format!("conditions/{i}/{field}"), message: e.to_string() })
    };
    Ok(match condition {
        Condition::Query { query } => Test::Query(parse(query, "query")?),
        Condition::Keywords { any } => {
            for (n, word) in any.iter().enumerate() {
                parse(&keywords_query(std::slice::from_ref(word)), &format!("any/{n}"))?;
            }
            Test::Query(parse(&keywords_query(any), "any")?)
        }
        Condition::Language { any } => {
            for (n, code) in any.iter().enumerate() {
                if Lang::from_code(code).is_none() {
                    return Err(RuleError {
                        field: format!("conditions/{i}/any/{n}"),
                        message: format!(
                            "{code:?} is not a language code the detector knows, such as \"en\" or \"ko\""
                        ),
                    });
                }
            }
            Test::Plain(condition.clone())
        }
        other => Test::Plain(other.clone()),
    })
}

/// Checks what core cannot: that queries parse and language codes exist.
pub fn check(spec: &RuleSpec) -> Vec<RuleError> {
    spec.conditions.iter().enumerate().filter_map(|(i, c)| compile_condition(i, c).err()).collect()
}

impl CompiledRules {
    /// Compiles rules in the order they run. A rule whose condition does not
    /// compile (stored before a change of the query language) never matches,
    /// and is reported in the second value so that it can be logged.
    pub fn new(specs: Vec<RuleSpec>) -> (CompiledRules, Vec<(usize, RuleError)>) {
        let mut broken = Vec::new();
        let mut tests = Vec::with_capacity(specs.len());
        for (r, spec) in specs.iter().enumerate() {
            let compiled: Result<Vec<Test>, RuleError> =
                spec.conditions.iter().enumerate().map(|(i, c)| compile_condition(i, c)).collect();
            match compiled {
                Ok(t) => tests.push(t),
                Err(e) => {
                    broken.push((r, e));
                    // A rule that cannot be read matches nothing.
                    tests.push(vec![Test::Never]);
                }
            }
        }
        (CompiledRules { specs, tests }, broken)
    }

    pub fn specs(&self) -> &[RuleSpec] {
        &self.specs
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Whether every condition of the `rule`-th rule holds for `item`.
    pub fn matches(&self, rule: usize, item: &ItemFacts<'_>) -> bool {
        let post = Post {
            text: item.text,
            lang: item.language,
            author: Some(item.author),
            network: network_named(item.network),
            urls: &[],
        };
        self.tests[rule].iter().all(|test| match test {
            Test::Query(q) => q.matches(&post),
            Test::Plain(c) => holds(c, item),
            Test::Never => false,
        })
    }

    /// What the rules do to `item`.
    pub fn plan(&self, item: &ItemFacts<'_>) -> Plan {
        moderation::plan(&self.specs, |rule| self.matches(rule, item))
    }
}

fn holds(condition: &Condition, item: &ItemFacts<'_>) -> bool {
    let among = |list: &[String], value: Option<&str>| value.is_some_and(|v| list.iter().any(|x| x == v));
    match condition {
        Condition::Keywords { .. } | Condition::Query { .. } => false,
        Condition::Kind { any } => among(any, item.category),
        Condition::ItemType { any } => among(any, Some(item.item_type)),
        Condition::SentimentBelow { score } => item.sentiment.is_some_and(|s| s < *score),
        Condition::HasLink => !socialdesk_core::text::x::links(item.text).is_empty(),
        Condition::HasEmail => moderation::has_email(item.text),
        Condition::FollowersAtLeast { count } => item.followers.is_some_and(|f| f >= *count),
        Condition::FollowersBelow { count } => item.followers.is_some_and(|f| f < *count),
        Condition::Network { any } => among(any, Some(item.network)),
        Condition::Language { any } => among(any, item.language),
    }
}

#[cfg(test)]
mod tests {
    use socialdesk_core::moderation::{Action, Priority};

    use super::*;
    use crate::enrich;

    fn rule(json: serde_json::Value) -> RuleSpec {
        serde_json::from_value(json).unwrap()
    }

    /// The facts of a text as the inbox sync computes them.
    fn facts(text: &str) -> (Option<&'static str>, f64, &'static str) {
        let lang = enrich::detect_language(text);
        let sentiment = enrich::sentiment(text, lang);
        let kind = enrich::classify(text, lang, true);
        let kind = serde_json::to_value(kind).unwrap().as_str().unwrap().to_owned();
        let kind = moderation::CATEGORIES.into_iter().find(|k| *k == kind).unwrap();
        (lang.map(|l| l.code()), f64::from(sentiment.score), kind)
    }

    fn item<'a>(text: &'a str, lang: Option<&'a str>, sentiment: f64, kind: &'a str) -> ItemFacts<'a> {
        ItemFacts {
            text,
            item_type: "reply",
            category: Some(kind),
            sentiment: Some(sentiment),
            followers: Some(120),
            network: "bluesky",
            language: lang,
            author: "ana.bsky.social",
        }
    }

    fn matching(rules: &CompiledRules, text: &str) -> Vec<usize> {
        let (lang, sentiment, kind) = facts(text);
        let item = item(text, lang, sentiment, kind);
        (0..rules.specs().len()).filter(|r| rules.matches(*r, &item)).collect()
    }

    #[test]
    fn keywords_match_in_every_language_case_and_accent_insensitively() {
        let (rules, broken) = CompiledRules::new(vec![
            rule(serde_json::json!({"name": "refunds", "conditions": [
                {"type": "keywords", "any": ["refund", "reembolso", "rimborso", "remboursement", "Rückerstattung",
                                             "reembolsado", "退款", "환불", "返金"]}],
                "actions": [{"type": "tag", "tag": "refund"}]})),
            rule(serde_json::json!({"name": "money back", "conditions": [
                {"type": "keywords", "any": ["money back"]}],
                "actions": [{"type": "tag", "tag": "refund"}]})),
        ]);
        assert!(broken.is_empty());
        assert_eq!(matching(&rules, "I want a REFUND now"), [0]);
        assert_eq!(matching(&rules, "¿Dónde está mi REEMBOLSO?"), [0]);
        assert_eq!(matching(&rules, "Voglio il rimborso, grazie"), [0]);
        assert_eq!(matching(&rules, "Je demande un remboursement"), [0]);
        assert_eq!(matching(&rules, "Wann kommt die Ruckerstattung?"), [0], "accents do not matter");
        assert_eq!(matching(&rules, "我要退款，谢谢"), [0]);
        assert_eq!(matching(&rules, "환불 언제 되나요?"), [0]);
        assert_eq!(matching(&rules, "返金してください"), [0]);
        assert_eq!(matching(&rules, "I want my money back"), [1]);
        assert!(matching(&rules, "money is not back").is_empty(), "a phrase is a phrase");
        assert!(matching(&rules, "refundable tickets are great").is_empty(), "words, not parts of words");
    }

    #[test]
    fn kind_sentiment_language_and_author_conditions() {
        let (rules, _) = CompiledRules::new(vec![
            rule(serde_json::json!({"name": "angry", "conditions": [
                {"type": "sentiment_below", "score": -0.3}, {"type": "kind", "any": ["complaint"]}],
                "actions": [{"type": "set_priority", "priority": "urgent"}]})),
            rule(serde_json::json!({"name": "korean questions", "conditions": [
                {"type": "language", "any": ["ko"]}, {"type": "kind", "any": ["question"]}],
                "actions": [{"type": "tag", "tag": "korea"}]})),
            rule(serde_json::json!({"name": "query", "conditions": [
                {"type": "query", "query": "(late OR retraso) AND NOT lang:de"}],
                "actions": [{"type": "tag", "tag": "shipping"}]})),
        ]);
        assert_eq!(matching(&rules, "This is terrible, the blender is broken and nobody answers"), [0]);
        assert_eq!(matching(&rules, "배송은 언제 오나요?"), [1]);
        assert_eq!(matching(&rules, "Mi pedido llega con retraso otra vez"), [2]);
        assert!(matching(&rules, "Thanks, lovely coffee!").is_empty());
        let plan = rules.plan(&item("Terrible and broken, late again", Some("en"), -0.8, "complaint"));
        assert_eq!(
            plan.effects,
            [(0, Action::SetPriority { priority: Priority::Urgent }), (2, Action::Tag { tag: "shipping".into() })]
        );
    }

    #[test]
    fn links_emails_followers_types_and_networks() {
        let (rules, _) = CompiledRules::new(vec![
            rule(serde_json::json!({"name": "link from a stranger", "conditions": [
                {"type": "has_link"}, {"type": "followers_below", "count": 50}],
                "actions": [{"type": "mark_spam"}]})),
            rule(serde_json::json!({"name": "email in a DM", "conditions": [
                {"type": "has_email"}, {"type": "item_type", "any": ["direct_message"]}],
                "actions": [{"type": "tag", "tag": "contact details"}]})),
            rule(serde_json::json!({"name": "influencers on mastodon", "conditions": [
                {"type": "followers_at_least", "count": 10000}, {"type": "network", "any": ["mastodon"]}],
                "actions": [{"type": "tag", "tag": "influencer"}]})),
        ]);
        let base = ItemFacts { text: "", item_type: "reply", network: "bluesky", author: "x", ..Default::default() };
        let stranger = ItemFacts { text: "win big at cheap-pills.example.com now", followers: Some(3), ..base };
        assert!(rules.matches(0, &stranger));
        assert!(!rules.matches(0, &ItemFacts { followers: Some(500), ..stranger }));
        assert!(!rules.matches(0, &ItemFacts { followers: None, ..stranger }), "unknown counts never match");
        let dm = ItemFacts { text: "reach me at ana@example.com", item_type: "direct_message", ..base };
        assert!(rules.matches(1, &dm));
        assert!(!rules.matches(1, &ItemFacts { item_type: "reply", ..dm }));
        let big = ItemFacts { text: "hi", followers: Some(25_000), network: "mastodon", ..base };
        assert!(rules.matches(2, &big));
        assert!(!rules.matches(2, &ItemFacts { network: "bluesky", ..big }));
    }

    #[test]
    fn bad_queries_and_languages_are_named_with_their_position() {
        let spec = rule(serde_json::json!({"name": "x", "conditions": [
            {"type": "keywords", "any": ["fine"]},
            {"type": "query", "query": "refund AND (late"},
            {"type": "language", "any": ["en", "klingon"]}],
            "actions": [{"type": "hide"}]}));
        let errors = check(&spec);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "conditions/1/query");
        assert!(errors[0].message.starts_with("at character"), "{}", errors[0].message);
        assert_eq!(errors[1].field, "conditions/2/any/1");
        // A stored rule that no longer compiles matches nothing, and says so.
        let (rules, broken) = CompiledRules::new(vec![spec]);
        assert_eq!(broken.len(), 1);
        assert!(!rules.matches(0, &item("fine", Some("en"), 0.0, "other")));
    }

    #[test]
    fn a_rule_without_conditions_matches_everything() {
        let (rules, _) = CompiledRules::new(vec![rule(
            serde_json::json!({"name": "all", "actions": [{"type": "tag", "tag": "new"}]}),
        )]);
        assert!(rules.matches(0, &item("anything", None, 0.0, "other")));
    }
}
