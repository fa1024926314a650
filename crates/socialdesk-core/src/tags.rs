//! How a post is filed: a campaign, a content pillar and labels, so the
//! calendar can show the mix and analytics can compare them.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The kind of content a post is, for the mix a brand aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pillar {
    Promotional,
    Educational,
    Community,
    Entertainment,
}

impl Pillar {
    pub const ALL: [Pillar; 4] = [Pillar::Promotional, Pillar::Educational, Pillar::Community, Pillar::Entertainment];

    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::Promotional => "promotional",
            Pillar::Educational => "educational",
            Pillar::Community => "community",
            Pillar::Entertainment => "entertainment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Pillar::Promotional => "Promotional",
            Pillar::Educational => "Educational",
            Pillar::Community => "Community",
            Pillar::Entertainment => "Entertainment",
        }
    }
}

impl fmt::Display for Pillar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Pillar {
    type Err = String;

    fn from_str(s: &str) -> Result<Pillar, String> {
        let wanted = s.trim().to_lowercase();
        Pillar::ALL.into_iter().find(|p| p.as_str() == wanted).ok_or_else(|| {
            format!("{:?} is not a content pillar: use promotional, educational, community or entertainment", s.trim())
        })
    }
}

/// A post's campaign, pillar and labels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PostTags {
    pub campaign: Option<String>,
    pub pillar: Option<Pillar>,
    /// Lowercase, without a leading `#`, each once, in the order given.
    pub labels: Vec<String>,
}

/// The most labels one post carries.
pub const MAX_LABELS: usize = 10;
/// The longest label.
pub const MAX_LABEL_CHARS: usize = 40;
/// The longest campaign name.
pub const MAX_CAMPAIGN_CHARS: usize = 80;

/// Why tags were refused, and which field is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError {
    /// `campaign`, `pillar` or `labels`.
    pub field: &'static str,
    pub message: String,
}

impl PostTags {
    /// Reads tags as typed: a campaign name, a pillar name (or empty) and
    /// labels separated by commas.
    pub fn parse(campaign: &str, pillar: &str, labels: &str) -> Result<PostTags, TagError> {
        let campaign = campaign.split_whitespace().collect::<Vec<_>>().join(" ");
        if campaign.chars().count() > MAX_CAMPAIGN_CHARS {
            return Err(TagError {
                field: "campaign",
                message: format!("a campaign name has at most {MAX_CAMPAIGN_CHARS} characters"),
            });
        }
        let pillar = match pillar.trim() {
            "" => None,
            p => Some(p.parse().map_err(|message| TagError { field: "pillar", message })?),
        };
        let mut list: Vec<String> = Vec::new();
        for raw in labels.split(',') {
            let label =
                raw.trim().trim_start_matches('#').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            if label.is_empty() || list.contains(&label) {
                continue;
            }
            if label.chars().count() > MAX_LABEL_CHARS {
                return Err(TagError {
                    field: "labels",
                    message: format!("the label {label:?} is longer than {MAX_LABEL_CHARS} characters"),
                });
            }
            list.push(label);
        }
        if list.len() > MAX_LABELS {
            return Err(TagError { field: "labels", message: format!("at most {MAX_LABELS} labels per post") });
        }
        Ok(PostTags { campaign: (!campaign.is_empty()).then_some(campaign), pillar, labels: list })
    }

    /// The labels as stored: `,a,b,` so that one can be found with `LIKE '%,a,%'`.
    pub fn labels_column(&self) -> Option<String> {
        (!self.labels.is_empty()).then(|| format!(",{},", self.labels.join(",")))
    }

    /// Labels back from their stored form.
    pub fn labels_from_column(column: Option<&str>) -> Vec<String> {
        column.map(|c| c.split(',').filter(|l| !l.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.campaign.is_none() && self.pillar.is_none() && self.labels.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_as_typed_and_normalised() {
        let t = PostTags::parse("  Autumn   launch ", "Educational", "#Coffee, brewing,coffee, , Latte Art").unwrap();
        assert_eq!(t.campaign.as_deref(), Some("Autumn launch"));
        assert_eq!(t.pillar, Some(Pillar::Educational));
        assert_eq!(t.labels, ["coffee", "brewing", "latte art"]);
        assert_eq!(t.labels_column().as_deref(), Some(",coffee,brewing,latte art,"));
        assert_eq!(PostTags::labels_from_column(Some(",coffee,brewing,")), ["coffee", "brewing"]);
        assert!(PostTags::parse("", "", "").unwrap().is_empty());
    }

    #[test]
    fn wrong_tags_name_their_field() {
        assert_eq!(PostTags::parse("", "sales", "").unwrap_err().field, "pillar");
        assert_eq!(PostTags::parse(&"x".repeat(81), "", "").unwrap_err().field, "campaign");
        let many: Vec<String> = (0..11).map(|i| format!("l{i}")).collect();
        assert!(PostTags::parse("", "", &many.join(",")).unwrap_err().message.contains("at most 10"));
        assert_eq!(PostTags::parse("", "", &"y".repeat(41)).unwrap_err().field, "labels");
    }
}
