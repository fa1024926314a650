//! Moderation rules: what happens to an inbox item the moment it arrives.
//!
//! A workspace has any number of rules, in an order it chooses. Each rule has
//! conditions, all of which must hold (keywords or a listening query, the
//! item's kind, type, sentiment, links, emails, the author's followers, the
//! network, the language), and actions (assign, tag, set a priority, mark as
//! spam, hide the comment on the network, answer with a saved reply).
//!
//! Rules run from the top. Every matching rule acts, except that a value set
//! by a rule higher up (the assignee, the priority, spam) is not overwritten
//! by a rule below it, and a rule may stop the rules below it. Tags add up.
//!
//! This module holds the rules, their checks and [`plan`], which turns the
//! rules that matched into effects. Whether a text condition holds (keywords,
//! queries, language) is decided by `socialdesk-listen`, which compiles them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Role, UserId};

/// The most conditions one rule has.
pub const MAX_CONDITIONS: usize = 10;
/// The most actions one rule has.
pub const MAX_ACTIONS: usize = 10;
/// The longest rule name.
pub const MAX_RULE_NAME: usize = 80;
/// The most keywords in one condition.
pub const MAX_KEYWORDS: usize = 200;
/// The longest tag.
pub const MAX_TAG_CHARS: usize = 40;
/// The most tags on one item.
pub const MAX_ITEM_TAGS: usize = 20;

/// The kinds an item is classified as.
pub const CATEGORIES: [&str; 5] = ["question", "complaint", "praise", "spam", "other"];
/// The types of item networks deliver.
pub const ITEM_TYPES: [&str; 4] = ["reply", "mention", "quote", "direct_message"];

/// How urgent an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Normal => "Normal",
            Priority::High => "High",
            Priority::Urgent => "Urgent",
        }
    }

    /// As stored: 0 (low) to 3 (urgent), so that items sort by it.
    pub fn rank(self) -> i32 {
        self as i32
    }

    pub fn from_rank(rank: i32) -> Option<Priority> {
        Priority::ALL.get(usize::try_from(rank).ok()?).copied()
    }
}

impl std::str::FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| format!("{s:?} is not a priority: use low, normal, high or urgent"))
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something an item must be for a rule to act on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Any of these words or phrases, case- and accent-insensitive.
    Keywords { any: Vec<String> },
    /// A listening query (`refund AND (late OR broken) NOT lang:de`).
    Query { query: String },
    /// Any of these kinds: question, complaint, praise, spam, other.
    Kind { any: Vec<String> },
    /// Any of these types: reply, mention, quote, direct_message.
    ItemType { any: Vec<String> },
    /// A sentiment score below this, in [-1, 1].
    SentimentBelow { score: f64 },
    /// The text has a link.
    HasLink,
    /// The text has an email address.
    HasEmail,
    /// The author has at least this many followers (unknown counts never match).
    FollowersAtLeast { count: u64 },
    /// The author has fewer followers than this (unknown counts never match).
    FollowersBelow { count: u64 },
    /// The account's network is one of these (`bluesky`, `mastodon`).
    Network { any: Vec<String> },
    /// The item's language is one of these ISO 639-1 codes.
    Language { any: Vec<String> },
}

impl Condition {
    /// The condition in a few words, for lists and logs.
    pub fn describe(&self) -> String {
        let list = |v: &[String]| v.join(", ");
        match self {
            Condition::Keywords { any } => format!("says any of: {}", list(any)),
            Condition::Query { query } => format!("matches {query}"),
            Condition::Kind { any } => format!("is a {}", any.join(" or ")),
            Condition::ItemType { any } => format!("is a {}", any.join(" or ").replace('_', " ")),
            Condition::SentimentBelow { score } => format!("sentiment below {score:+.2}"),
            Condition::HasLink => "has a link".into(),
            Condition::HasEmail => "has an email address".into(),
            Condition::FollowersAtLeast { count } => format!("author has at least {count} followers"),
            Condition::FollowersBelow { count } => format!("author has fewer than {count} followers"),
            Condition::Network { any } => format!("on {}", list(any)),
            Condition::Language { any } => format!("written in {}", list(any)),
        }
    }
}

/// Who an item goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// This member.
    User(UserId),
    /// The member holding this role with the fewest open items assigned.
    Role(Role),
}

/// What a rule does to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    Assign {
        to: Assignee,
    },
    Tag {
        tag: String,
    },
    SetPriority {
        priority: Priority,
    },
    /// Files it as spam and marks it done.
    MarkSpam,
    /// Hides the comment on the network, where the network allows it.
    Hide,
    /// Answers with a saved reply; only while the workspace has automatic replies on.
    AutoReply {
        saved_reply: Uuid,
    },
}

impl Action {
    /// Whether the action is carried out on the network (later, by a job).
    pub fn is_remote(&self) -> bool {
        matches!(self, Action::Hide | Action::AutoReply { .. })
    }
}

/// Where one action a rule took stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectState {
    /// Done (on the item, or on the network).
    Applied,
    /// Waiting for the job that does it on the network.
    Pending,
    /// The network refused or could not be reached, with why in the detail.
    Failed,
    /// Not done, and never will be, with why in the detail (automatic replies off, say).
    Skipped,
    /// Taken back by someone.
    Undone,
}

impl EffectState {
    pub const ALL: [EffectState; 5] =
        [EffectState::Applied, EffectState::Pending, EffectState::Failed, EffectState::Skipped, EffectState::Undone];

    pub fn as_str(self) -> &'static str {
        match self {
            EffectState::Applied => "applied",
            EffectState::Pending => "pending",
            EffectState::Failed => "failed",
            EffectState::Skipped => "skipped",
            EffectState::Undone => "undone",
        }
    }

    /// Whether undoing it still means something.
    pub fn can_undo(self) -> bool {
        matches!(self, EffectState::Applied | EffectState::Pending)
    }
}

impl std::str::FromStr for EffectState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EffectState::ALL.into_iter().find(|e| e.as_str() == s).ok_or_else(|| format!("unknown effect state {s:?}"))
    }
}

impl Action {
    /// The action in a few words, for lists and logs.
    pub fn describe(&self) -> String {
        match self {
            Action::Assign { to: Assignee::User(_) } => "assign".into(),
            Action::Assign { to: Assignee::Role(role) } => format!("assign to the least busy {}", role.as_str()),
            Action::Tag { tag } => format!("tag {tag}"),
            Action::SetPriority { priority } => format!("priority {}", priority.as_str()),
            Action::MarkSpam => "mark as spam".into(),
            Action::Hide => "hide on the network".into(),
            Action::AutoReply { .. } => "answer with a saved reply".into(),
        }
    }
}

/// A rule as someone writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    /// Rules below this one do not run on items it matched.
    #[serde(default)]
    pub stop: bool,
}

fn yes() -> bool {
    true
}

/// A workspace's rule, in its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub id: Uuid,
    /// Where it runs: lower first.
    pub position: i64,
    #[serde(flatten)]
    pub spec: RuleSpec,
}

/// A problem with a rule, on the field it concerns (`conditions/1/any/0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: String,
    pub message: String,
}

/// What a rule may refer to: the workspace's members, its saved replies and the networks this build knows.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext<'a> {
    pub members: &'a [UserId],
    pub saved_replies: &'a [Uuid],
    pub networks: &'a [&'a str],
}

/// A tag as stored: trimmed, lowercase, without a leading `#`, single spaces.
pub fn normalise_tag(raw: &str) -> Result<String, String> {
    let tag = raw.trim().trim_start_matches('#').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if tag.is_empty() {
        return Err("write the tag".into());
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Err(format!("a tag has at most {MAX_TAG_CHARS} characters"));
    }
    Ok(tag)
}

impl RuleSpec {
    /// Tidies what was typed (names and tags trimmed, lists without blanks or
    /// repeats), then checks it. Query syntax and language codes are checked
    /// where they are compiled (`socialdesk-listen`).
    pub fn tidy_and_check(&mut self, cx: &RuleContext<'_>) -> Vec<RuleError> {
        let mut errors = Vec::new();
        let mut push = |field: String, message: String| errors.push(RuleError { field, message });
        self.name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if self.name.is_empty() || self.name.chars().count() > MAX_RULE_NAME {
            push("name".into(), format!("name the rule in 1 to {MAX_RULE_NAME} characters"));
        }
        if self.conditions.len() > MAX_CONDITIONS {
            push("conditions".into(), format!("at most {MAX_CONDITIONS} conditions per rule"));
        }
        if self.actions.is_empty() {
            push("actions".into(), "choose what the rule does".into());
        }
        if self.actions.len() > MAX_ACTIONS {
            push("actions".into(), format!("at most {MAX_ACTIONS} actions per rule"));
        }
        for (i, condition) in self.conditions.iter_mut().enumerate() {
            let at = |rest: &str| format!("conditions/{i}{rest}");
            let tidy = |list: &mut Vec<String>, lower: bool| {
                let mut out: Vec<String> = Vec::new();
                for item in list.drain(..) {
                    let item = item.split_whitespace().collect::<Vec<_>>().join(" ");
                    let item = if lower { item.to_lowercase() } else { item };
                    if !item.is_empty() && !out.contains(&item) {
                        out.push(item);
                    }
                }
                *list = out;
            };
            let one_of = |list: &mut Vec<String>,
                          allowed: &[&str],
                          what: &str,
                          push: &mut dyn FnMut(String, String)| {
                tidy(list, true);
                if list.is_empty() {
                    push(at("/any"), format!("choose at least one {what}"));
                }
                for (n, v) in list.iter().enumerate() {
                    if !allowed.contains(&v.as_str()) {
                        push(at(&format!("/any/{n}")), format!("{v:?} is not a {what}: use {}", allowed.join(", ")));
                    }
                }
            };
            match condition {
                Condition::Keywords { any } => {
                    tidy(any, false);
                    if any.is_empty() {
                        push(at("/any"), "write at least one keyword".into());
                    } else if any.len() > MAX_KEYWORDS {
                        push(at("/any"), format!("at most {MAX_KEYWORDS} keywords per condition"));
                    }
                    for (n, k) in any.iter().enumerate() {
                        if k.contains('"') {
                            push(at(&format!("/any/{n}")), "a keyword cannot contain a double quote".into());
                        }
                    }
                }
                Condition::Query { query } => {
                    *query = query.trim().to_owned();
                    if query.is_empty() {
                        push(at("/query"), "write the query".into());
                    }
                }
                Condition::Kind { any } => one_of(any, &CATEGORIES, "kind", &mut push),
                Condition::ItemType { any } => one_of(any, &ITEM_TYPES, "type", &mut push),
                Condition::Network { any } => one_of(any, cx.networks, "network", &mut push),
                Condition::Language { any } => {
                    tidy(any, true);
                    if any.is_empty() {
                        push(at("/any"), "choose at least one language".into());
                    }
                }
                Condition::SentimentBelow { score } => {
                    if !(-1.0..=1.0).contains(score) {
                        push(at("/score"), "a sentiment score is between -1 and 1".into());
                    }
                }
                Condition::FollowersBelow { count } if *count == 0 => {
                    push(at("/count"), "nobody has fewer than 0 followers".into());
                }
                Condition::HasLink
                | Condition::HasEmail
                | Condition::FollowersAtLeast { .. }
                | Condition::FollowersBelow { .. } => {}
            }
        }
        for (i, action) in self.actions.iter_mut().enumerate() {
            match action {
                Action::Assign { to: Assignee::User(user) } if !cx.members.contains(user) => {
                    push(format!("actions/{i}/to"), "not a member of this workspace".into());
                }
                Action::Assign { to: Assignee::Role(role) } if !role.can(crate::Permission::Publish) => {
                    push(format!("actions/{i}/to"), format!("{}s do not work the inbox", role.as_str()));
                }
                Action::Tag { tag } => match normalise_tag(tag) {
                    Ok(t) => *tag = t,
                    Err(message) => push(format!("actions/{i}/tag"), message),
                },
                Action::AutoReply { saved_reply } if !cx.saved_replies.contains(saved_reply) => {
                    push(format!("actions/{i}/saved_reply"), "no such saved reply in this workspace".into());
                }
                _ => {}
            }
        }
        let single = |a: &Action| match a {
            Action::Assign { .. } => Some("assign"),
            Action::SetPriority { .. } => Some("set a priority"),
            Action::MarkSpam => Some("mark as spam"),
            Action::Hide => Some("hide"),
            Action::AutoReply { .. } => Some("answer"),
            Action::Tag { .. } => None,
        };
        for (i, a) in self.actions.iter().enumerate() {
            if let Some(what) = single(a)
                && self.actions[..i].iter().any(|b| single(b) == Some(what))
            {
                push(format!("actions/{i}"), format!("a rule can {what} only once"));
            }
        }
        errors
    }
}

/// What the rules do to one item, in order: the effects to apply and log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// `(index of the rule in the list given, action)`, in the order they apply.
    pub effects: Vec<(usize, Action)>,
}

impl Plan {
    pub fn assignee(&self) -> Option<Assignee> {
        self.effects.iter().find_map(|(_, a)| match a {
            Action::Assign { to } => Some(*to),
            _ => None,
        })
    }

    pub fn priority(&self) -> Option<Priority> {
        self.effects.iter().find_map(|(_, a)| match a {
            Action::SetPriority { priority } => Some(*priority),
            _ => None,
        })
    }

    pub fn spam(&self) -> bool {
        self.effects.iter().any(|(_, a)| *a == Action::MarkSpam)
    }

    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.effects.iter().filter_map(|(_, a)| match a {
            Action::Tag { tag } => Some(tag.as_str()),
            _ => None,
        })
    }
}

/// Turns the rules that match an item (`matched(i)` for the `i`-th rule, in
/// order) into effects: a value set higher up is kept, tags add up, and a
/// matching rule with `stop` ends the run. Disabled rules never run.
pub fn plan(rules: &[RuleSpec], mut matched: impl FnMut(usize) -> bool) -> Plan {
    let mut plan = Plan::default();
    for (i, rule) in rules.iter().enumerate() {
        if !rule.enabled || !matched(i) {
            continue;
        }
        for action in &rule.actions {
            let taken = plan.effects.iter().any(|(_, a)| match (a, action) {
                (Action::Tag { tag: a }, Action::Tag { tag: b }) => a == b,
                (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
            });
            if !taken {
                plan.effects.push((i, action.clone()));
            }
        }
        if rule.stop {
            break;
        }
    }
    plan
}

/// Whether `text` holds an email address: something@domain.tld, as people write them.
pub fn has_email(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || "<>()[]{},;:\"'".contains(c)).any(|word| {
        let word = word.trim_end_matches(['.', '!', '?']);
        let Some((local, domain)) = word.split_once('@') else { return false };
        !local.is_empty()
            && local.chars().all(|c| c.is_alphanumeric() || "._%+-".contains(c))
            && domain.split('.').count() >= 2
            && domain.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '-'))
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx<'a>(members: &'a [UserId], replies: &'a [Uuid]) -> RuleContext<'a> {
        RuleContext { members, saved_replies: replies, networks: &["bluesky", "mastodon", "sandbox"] }
    }

    fn spec(json: serde_json::Value) -> RuleSpec {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_rule_reads_from_json_and_is_tidied() {
        let mut rule = spec(serde_json::json!({
            "name": "  Refunds   first ",
            "conditions": [
                {"type": "keywords", "any": [" refund ", "", "refund", "money  back"]},
                {"type": "kind", "any": ["Complaint"]},
                {"type": "has_link"}
            ],
            "actions": [{"type": "tag", "tag": "#Billing "}, {"type": "set_priority", "priority": "high"}]
        }));
        assert!(rule.tidy_and_check(&cx(&[], &[])).is_empty());
        assert_eq!(rule.name, "Refunds first");
        assert!(rule.enabled);
        assert_eq!(rule.conditions[0], Condition::Keywords { any: vec!["refund".into(), "money back".into()] });
        assert_eq!(rule.conditions[1], Condition::Kind { any: vec!["complaint".into()] });
        assert_eq!(rule.actions[0], Action::Tag { tag: "billing".into() });
    }

    #[test]
    fn unknown_fields_and_types_are_refused_by_the_reader() {
        let bad = serde_json::json!({"name": "x", "actions": [], "conditions": [{"type": "colour", "any": []}]});
        assert!(serde_json::from_value::<RuleSpec>(bad).is_err());
        let bad = serde_json::json!({"name": "x", "actions": [], "colour": 1});
        assert!(serde_json::from_value::<RuleSpec>(bad).is_err());
    }

    #[test]
    fn problems_are_named_by_field() {
        let member = UserId::from_uuid(Uuid::from_u128(1));
        let stranger = UserId::from_uuid(Uuid::from_u128(2));
        let mut rule = spec(serde_json::json!({
            "name": " ",
            "conditions": [
                {"type": "kind", "any": ["question", "rant"]},
                {"type": "sentiment_below", "score": -1.5},
                {"type": "network", "any": ["myspace"]},
                {"type": "keywords", "any": ["say \"hi\""]}
            ],
            "actions": [
                {"type": "assign", "to": {"user": stranger}},
                {"type": "tag", "tag": "#"},
                {"type": "auto_reply", "saved_reply": Uuid::from_u128(9)},
                {"type": "assign", "to": {"role": "viewer"}}
            ]
        }));
        let errors = rule.tidy_and_check(&cx(&[member], &[]));
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "conditions/0/any/1",
                "conditions/1/score",
                "conditions/2/any/0",
                "conditions/3/any/0",
                "actions/0/to",
                "actions/1/tag",
                "actions/2/saved_reply",
                "actions/3/to",
                "actions/3",
            ]
        );
        assert!(errors[1].message.contains("\"rant\" is not a kind"), "{}", errors[1].message);
        assert_eq!(errors[9].message, "a rule can assign only once");
    }

    #[test]
    fn a_rule_does_something() {
        let mut rule = spec(serde_json::json!({"name": "x", "actions": []}));
        let errors = rule.tidy_and_check(&cx(&[], &[]));
        assert_eq!(errors[0].field, "actions");
    }

    #[test]
    fn higher_rules_win_tags_add_up_and_stop_stops() {
        let a = UserId::from_uuid(Uuid::from_u128(1));
        let b = UserId::from_uuid(Uuid::from_u128(2));
        let rules = vec![
            spec(serde_json::json!({"name": "vip", "actions": [
                {"type": "assign", "to": {"user": a}}, {"type": "tag", "tag": "vip"}]})),
            spec(serde_json::json!({"name": "off", "enabled": false, "actions": [{"type": "mark_spam"}]})),
            spec(serde_json::json!({"name": "billing", "stop": true, "actions": [
                {"type": "assign", "to": {"user": b}}, {"type": "tag", "tag": "billing"}, {"type": "tag", "tag": "vip"},
                {"type": "set_priority", "priority": "urgent"}]})),
            spec(serde_json::json!({"name": "after stop", "actions": [{"type": "hide"}]})),
        ];
        let plan = plan(&rules, |_| true);
        assert_eq!(
            plan.effects,
            [
                (0, Action::Assign { to: Assignee::User(a) }),
                (0, Action::Tag { tag: "vip".into() }),
                (2, Action::Tag { tag: "billing".into() }),
                (2, Action::SetPriority { priority: Priority::Urgent }),
            ]
        );
        assert_eq!(plan.assignee(), Some(Assignee::User(a)));
        assert_eq!(plan.priority(), Some(Priority::Urgent));
        assert!(!plan.spam());
        assert_eq!(plan.tags().collect::<Vec<_>>(), ["vip", "billing"]);
        // Only the last rule matches: it runs alone.
        let plan2 = super::plan(&rules, |i| i == 3);
        assert_eq!(plan2.effects, [(3, Action::Hide)]);
    }

    #[test]
    fn emails_are_found_as_people_write_them() {
        for yes in ["write to ana.p+shop@example.co.uk please", "(jin@예시.한국)", "mail: max@mail.de."] {
            assert!(has_email(yes), "{yes}");
        }
        for no in ["@brand hello", "a@b", "user@localhost", "price @ 5.00", "me@host.123", "x@.com"] {
            assert!(!has_email(no), "{no}");
        }
    }

    #[test]
    fn priorities_rank_and_parse() {
        assert!(Priority::Urgent > Priority::High);
        assert_eq!(Priority::from_rank(3), Some(Priority::Urgent));
        assert_eq!(Priority::from_rank(4), None);
        assert_eq!("high".parse::<Priority>(), Ok(Priority::High));
        assert!("asap".parse::<Priority>().unwrap_err().contains("low, normal, high or urgent"));
    }
}
