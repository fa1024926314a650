//! A workspace's style guide and its disclosure rule, checked before a post
//! is scheduled or approved.
//!
//! - Banned words and phrases: found as whole words, in any case, and shown
//!   where they are.
//! - Required words per campaign: a post of that campaign must carry each.
//! - A hashtag limit.
//! - Disclosure: a post marked sponsored (paid, or part of an influencer
//!   collaboration) must carry one of the workspace's disclosures, `#ad` and
//!   `#sponsored` unless it set its own list.
//!
//! Terms match whole words: `#ad` is found in "New blend #ad" but not in
//! "#adventure", `cheap` in "#cheap" but not in "cheapest".

use std::collections::BTreeMap;

use serde::Serialize;

/// What a post is told when the workspace has not set its own disclosures.
pub const DEFAULT_DISCLOSURES: [&str; 4] = ["#ad", "#sponsored", "#advertisement", "#paidpartnership"];

/// At most this many terms in each list.
pub const MAX_TERMS: usize = 200;

/// At most this many characters in a term.
pub const MAX_TERM_CHARS: usize = 80;

/// A workspace's rules for what it publishes. The default has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StyleGuide {
    /// Words and phrases that must not appear.
    pub banned: Vec<String>,
    /// For a campaign (as named on posts, compared without case), the words
    /// each of its posts must carry.
    pub required: BTreeMap<String, Vec<String>>,
    /// At most this many hashtags in a post.
    pub max_hashtags: Option<u32>,
    /// What counts as a disclosure; empty means [`DEFAULT_DISCLOSURES`].
    pub disclosures: Vec<String>,
}

/// Which rule a post breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuideRule {
    Banned,
    Required,
    Hashtags,
    Disclosure,
}

/// One broken rule, with where in the text when it is a place (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuideProblem {
    pub rule: GuideRule,
    pub start: Option<usize>,
    pub end: Option<usize>,
    pub message: String,
}

/// A field of the style guide's form and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideFieldError {
    pub field: &'static str,
    pub message: String,
}

impl StyleGuide {
    /// Reads the guide as people write it: lists separated by commas or
    /// lines; required words one campaign per line (`Autumn blend: #autumn,
    /// northwind.coffee`); the hashtag limit a number or nothing. Every bad
    /// field is reported.
    pub fn parse(
        banned: &str,
        required: &str,
        max_hashtags: &str,
        disclosures: &str,
    ) -> Result<StyleGuide, Vec<GuideFieldError>> {
        let mut errors = Vec::new();
        let mut list = |field: &'static str, input: &str| match terms(input) {
            Ok(terms) => terms,
            Err(message) => {
                errors.push(GuideFieldError { field, message });
                Vec::new()
            }
        };
        let banned = list("banned", banned);
        let disclosures = list("disclosures", disclosures);
        let mut by_campaign = BTreeMap::new();
        for (n, line) in required.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
            let Some((campaign, words)) = line.split_once(':') else {
                errors.push(GuideFieldError {
                    field: "required",
                    message: format!(
                        "line {}: write the campaign, a colon, then its words: \"Autumn blend: #autumn\"",
                        n + 1
                    ),
                });
                continue;
            };
            let campaign = campaign.trim();
            if campaign.is_empty() || campaign.chars().count() > MAX_TERM_CHARS {
                errors.push(GuideFieldError {
                    field: "required",
                    message: format!("line {}: name the campaign (at most {MAX_TERM_CHARS} characters)", n + 1),
                });
                continue;
            }
            match terms(words) {
                Ok(words) if !words.is_empty() => {
                    by_campaign.insert(campaign.to_owned(), words);
                }
                Ok(_) => errors.push(GuideFieldError {
                    field: "required",
                    message: format!("line {}: list at least one word for {campaign:?}", n + 1),
                }),
                Err(message) => {
                    errors.push(GuideFieldError { field: "required", message: format!("line {}: {message}", n + 1) })
                }
            }
        }
        let max_hashtags = match max_hashtags.trim() {
            "" => None,
            n => match n.parse::<u32>() {
                Ok(n) if n <= 100 => Some(n),
                _ => {
                    errors.push(GuideFieldError {
                        field: "max_hashtags",
                        message: format!("{n:?} is not a hashtag limit: write 0 to 100, or nothing for no limit"),
                    });
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(StyleGuide { banned, required: by_campaign, max_hashtags, disclosures })
        } else {
            Err(errors)
        }
    }

    /// Required words as the form shows them, one campaign per line.
    pub fn required_text(&self) -> String {
        self.required.iter().map(|(c, words)| format!("{c}: {}", words.join(", "))).collect::<Vec<_>>().join("\n")
    }

    /// The disclosures in force: the workspace's, or the defaults.
    pub fn disclosures_in_force(&self) -> Vec<&str> {
        if self.disclosures.is_empty() {
            DEFAULT_DISCLOSURES.to_vec()
        } else {
            self.disclosures.iter().map(String::as_str).collect()
        }
    }

    /// What a post breaks, in text order then rule order; empty when it may go out.
    pub fn check(&self, text: &str, campaign: Option<&str>, sponsored: bool) -> Vec<GuideProblem> {
        let mut problems = Vec::new();
        for term in &self.banned {
            for (start, end) in find_all(text, term) {
                problems.push(GuideProblem {
                    rule: GuideRule::Banned,
                    start: Some(start),
                    end: Some(end),
                    message: format!("{:?} is on the style guide's banned list", &text[start..end]),
                });
            }
        }
        problems.sort_by_key(|p| p.start);
        if let Some(campaign) = campaign.map(str::trim).filter(|c| !c.is_empty())
            && let Some((name, words)) =
                self.required.iter().find(|(name, _)| name.to_lowercase() == campaign.to_lowercase())
        {
            for word in words.iter().filter(|w| find_all(text, w).is_empty()) {
                problems.push(GuideProblem {
                    rule: GuideRule::Required,
                    start: None,
                    end: None,
                    message: format!("posts of the campaign {name:?} must include {word:?}"),
                });
            }
        }
        if let Some(max) = self.max_hashtags {
            let tags = crate::text::x::hashtags(text);
            if tags.len() > max as usize {
                problems.push(GuideProblem {
                    rule: GuideRule::Hashtags,
                    start: None,
                    end: None,
                    message: format!("{} hashtags; the style guide allows at most {max}", tags.len()),
                });
            }
        }
        if sponsored {
            let disclosures = self.disclosures_in_force();
            if disclosures.iter().all(|d| find_all(text, d).is_empty()) {
                problems.push(GuideProblem {
                    rule: GuideRule::Disclosure,
                    start: None,
                    end: None,
                    message: format!(
                        "a sponsored post must say so: add one of {}",
                        disclosures.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
        problems
    }
}

/// A list of terms separated by commas or lines, trimmed, without repeats (ignoring case).
fn terms(input: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for term in input.split([',', '\n']).map(str::trim).filter(|t| !t.is_empty()) {
        if term.chars().count() > MAX_TERM_CHARS {
            return Err(format!("{term:?} is longer than {MAX_TERM_CHARS} characters"));
        }
        if !out.iter().any(|t| t.to_lowercase() == term.to_lowercase()) {
            out.push(term.to_owned());
        }
    }
    if out.len() > MAX_TERMS {
        return Err(format!("{} terms is too many: at most {MAX_TERMS}", out.len()));
    }
    Ok(out)
}

/// Whether `c` continues a word (so a match next to it is inside a word).
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every whole-word occurrence of `term` in `text`, in any case, as byte ranges.
fn find_all(text: &str, term: &str) -> Vec<(usize, usize)> {
    let term: Vec<char> = term.chars().flat_map(char::to_lowercase).collect();
    let Some(&first) = term.first() else { return Vec::new() };
    let mut found = Vec::new();
    let mut previous: Option<char> = None;
    for (start, c) in text.char_indices() {
        let boundary_before = previous.is_none_or(|p| !word_char(p));
        previous = Some(c);
        if !boundary_before {
            continue;
        }
        let mut wanted = term.iter();
        let mut end = start;
        let mut matched = true;
        'chars: for (at, c) in text[start..].char_indices() {
            for lower in c.to_lowercase() {
                match wanted.next() {
                    Some(w) if *w == lower => {}
                    Some(_) => {
                        matched = false;
                        break 'chars;
                    }
                    None => break 'chars,
                }
            }
            end = start + at + c.len_utf8();
            if wanted.len() == 0 {
                break;
            }
        }
        if !matched || wanted.len() != 0 {
            continue;
        }
        let last = term.last().copied().unwrap_or(first);
        let after = text[end..].chars().next();
        if after.is_some_and(|a| word_char(a) && word_char(last)) {
            continue;
        }
        found.push((start, end));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide() -> StyleGuide {
        StyleGuide::parse("cheap, free shipping", "Autumn blend: #autumn, Northwind", "2", "").unwrap()
    }

    #[test]
    fn banned_words_are_found_as_whole_words_in_any_case_with_their_place() {
        let text = "Not CHEAP, never cheapest. Free  shipping? No: free shipping!";
        let problems = guide().check(text, None, false);
        let found: Vec<&str> = problems.iter().map(|p| &text[p.start.unwrap()..p.end.unwrap()]).collect();
        assert_eq!(found, ["CHEAP", "free shipping"]);
        assert_eq!(problems[0].message, "\"CHEAP\" is on the style guide's banned list");
        // Byte offsets stay right after multi-byte text.
        let text = "커피 ☕ cheap";
        let p = &guide().check(text, None, false)[0];
        assert_eq!(&text[p.start.unwrap()..p.end.unwrap()], "cheap");
    }

    #[test]
    fn a_campaign_needs_its_words_and_hashtags_have_a_limit() {
        let g = guide();
        let problems = g.check("New #coffee #beans #roast", Some("autumn BLEND"), false);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "posts of the campaign \"Autumn blend\" must include \"#autumn\"",
                "posts of the campaign \"Autumn blend\" must include \"Northwind\"",
                "3 hashtags; the style guide allows at most 2",
            ]
        );
        assert!(g.check("Northwind #autumn is here", Some("Autumn blend"), false).is_empty());
        assert!(g.check("Anything #a #b #c", Some("Other campaign"), false).len() == 1, "only the limit applies");
    }

    #[test]
    fn a_sponsored_post_must_carry_a_disclosure() {
        let g = StyleGuide::default();
        assert!(g.check("Our partner's new grinder", None, false).is_empty());
        let problems = g.check("Our partner's new grinder #adventure", None, true);
        assert_eq!(problems.len(), 1, "#adventure is not #ad");
        assert_eq!(problems[0].rule, GuideRule::Disclosure);
        assert!(problems[0].message.starts_with("a sponsored post must say so: add one of \"#ad\""));
        assert!(g.check("Our partner's new grinder #AD", None, true).is_empty());
        assert!(g.check("#Sponsored: a grinder", None, true).is_empty());
        let own = StyleGuide::parse("", "", "", "Anzeige, Werbung").unwrap();
        assert!(own.check("Neue Mühle #ad", None, true).len() == 1, "the workspace's own list replaces the defaults");
        assert!(own.check("Anzeige: neue Mühle", None, true).is_empty());
    }

    #[test]
    fn the_form_is_read_with_every_mistake_named() {
        let errors = StyleGuide::parse("ok", "no colon here\nEmpty:", "lots", "").unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field, e.message.as_str())).collect();
        assert_eq!(fields[0].0, "required");
        assert!(fields[0].1.starts_with("line 1: write the campaign, a colon"), "{fields:?}");
        assert_eq!(fields[1], ("required", "line 2: list at least one word for \"Empty\""));
        assert_eq!(fields[2].0, "max_hashtags");
        let g = StyleGuide::parse("a, A, b", "X: one, two", "", "").unwrap();
        assert_eq!(g.banned, ["a", "b"]);
        assert_eq!(g.required_text(), "X: one, two");
        assert_eq!(StyleGuide::parse(&g.banned.join(", "), &g.required_text(), "", "").unwrap(), g);
    }
}
