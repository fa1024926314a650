//! Every active query compiled into one matcher.
//!
//! Compiling gives each distinct term (a word, `#tag`, `@handle`, Chinese
//! character or kana, whole or as a prefix) a number, and each query a
//! flattened expression tree over those numbers plus an *anchor*: a few
//! terms, at least one of which every post the query matches contains (for
//! `a AND (b OR c)` the cheaper of `{a}` and `{b, c}`; a `NOT` never anchors).
//!
//! Matching a post then folds its text once, and looks up each of its words
//! in one hash table of whole terms and, only when the word's first two bytes
//! could begin a prefix term, in a table of prefix terms per prefix length.
//! Each hit is recorded with its position. The queries anchored by the terms
//! found are the candidates; only they are evaluated, with the recorded
//! positions answering phrases and `NEAR`. So the work per post follows the
//! post's length and the queries it concerns, not the number of queries.
//!
//! Why a hash table per word rather than Aho-Corasick over every literal:
//! terms are whole words (or word prefixes), so the post has to be split into
//! words anyway to check the boundaries of every Aho-Corasick hit, and a
//! lookup per word costs less than running the automaton over every byte and
//! then filtering its overlapping hits. Chinese and Japanese, which have no
//! word boundaries, are indexed per character, which keeps them in the same
//! scheme.

use rustc_hash::FxHashMap;

use super::eval::{Span, gap};
use super::text::{fold_into, is_cjk, tokenize};
use super::{Expr, Filter, Post, Query, Term};

/// Every active query, compiled. Immutable once built: share it between
/// threads, and give each thread its own [`MatchScratch`].
#[derive(Debug, Clone)]
pub struct Matcher<Id> {
    ids: Vec<Id>,
    roots: Vec<u32>,
    nodes: Vec<Node>,
    /// The children of `And` and `Or` nodes, contiguous per node.
    children: Vec<u32>,
    /// The terms of phrases, contiguous per phrase.
    phrase_terms: Vec<u32>,
    filters: Vec<Filter>,
    /// Every term.
    all: Terms,
    /// The terms that anchor a query, for the first pass.
    anchors: Terms,
    /// Two Chinese characters or kana in a row, as they occur in the phrases
    /// of queries: used only to anchor them, since single characters are
    /// too common to be good anchors.
    bigrams: FxHashMap<Box<str>, u32>,
    bigram_filter: KeyFilter,
    /// For term `t`, the queries it anchors are
    /// `anchored[anchor_offsets[t]..anchor_offsets[t + 1]]`.
    anchor_offsets: Vec<u32>,
    anchored: Vec<u32>,
    /// Queries with no anchor (only filters to look for), evaluated for every
    /// post.
    unanchored: Vec<u32>,
    term_count: usize,
    /// Per query: whether it filters by language.
    needs_lang: Vec<bool>,
}

/// The buffers one thread reuses from post to post, so that matching does
/// not allocate.
#[derive(Debug, Default)]
pub struct MatchScratch {
    generation: u32,
    folded: String,
    /// Per term: in which generation it was last seen, and its first and last
    /// hit in this post.
    slots: Vec<Slot>,
    /// Every term found in this post, in order of position.
    hits: Vec<Hit>,
    /// Per query: in which generation it last became a candidate.
    marks: Vec<u32>,
    candidates: Vec<u32>,
    matched: Vec<u32>,
    /// The tokens of the post: position, and start and end in `folded`.
    tokens: Vec<(u32, u32, u32)>,
    spans: Vec<Vec<Span>>,
    bigram: String,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    generation: u32,
    first: u32,
    last: u32,
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    pos: u32,
    /// The next hit of the same term, or `NONE`.
    next: u32,
}

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
enum Node {
    Phrase { start: u32, len: u32 },
    Filter(u32),
    And { start: u32, len: u32 },
    Or { start: u32, len: u32 },
    Not(u32),
    Near { left: u32, right: u32, distance: u32, ordered: bool },
}

impl<Id: Clone> Matcher<Id> {
    /// Compiles `queries`; a post matching query `i` reports its id.
    pub fn new(queries: &[(Id, Query)]) -> Matcher<Id> {
        let mut builder = Builder::default();
        let mut anchors = Vec::with_capacity(queries.len());
        let mut roots = Vec::with_capacity(queries.len());
        for (_, query) in queries {
            roots.push(builder.compile(&query.expr));
            anchors.push(builder.anchor(&query.expr).map(|(terms, _)| terms));
        }
        let term_count = builder.term_count;
        let mut per_term: Vec<Vec<u32>> = vec![Vec::new(); term_count];
        let mut unanchored = Vec::new();
        for (index, anchor) in anchors.into_iter().enumerate() {
            let index = index as u32;
            match anchor {
                Some(terms) => {
                    for term in terms {
                        if per_term[term as usize].last() != Some(&index) {
                            per_term[term as usize].push(index);
                        }
                    }
                }
                None => unanchored.push(index),
            }
        }
        let mut anchor_offsets = Vec::with_capacity(term_count + 1);
        let mut anchored = Vec::new();
        for queries in per_term {
            anchor_offsets.push(anchored.len() as u32);
            anchored.extend(queries);
        }
        anchor_offsets.push(anchored.len() as u32);
        let anchors = Terms::new(
            builder
                .exact
                .iter()
                .filter(|&(_, &term)| anchor_offsets[term as usize] < anchor_offsets[term as usize + 1]),
            builder
                .prefixes
                .iter()
                .filter(|&(_, &term)| anchor_offsets[term as usize] < anchor_offsets[term as usize + 1]),
        );
        let all = Terms::new(builder.exact.iter(), builder.prefixes.iter());
        Matcher {
            ids: queries.iter().map(|(id, _)| id.clone()).collect(),
            roots,
            nodes: builder.nodes,
            children: builder.children,
            phrase_terms: builder.phrase_terms,
            filters: builder.filters,
            all,
            anchors,
            bigram_filter: KeyFilter::new(builder.bigrams.keys()),
            bigrams: builder.bigrams,
            anchor_offsets,
            anchored,
            unanchored,
            term_count,
            needs_lang: queries.iter().map(|(_, q)| q.expr.uses_lang()).collect(),
        }
    }

    /// The number of queries.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids of the queries `post` matches, in the order the queries were
    /// given. Allocates; use [`Matcher::matches_into`] in a loop.
    pub fn matches(&self, post: &Post<'_>) -> Vec<Id> {
        let mut out = Vec::new();
        self.matches_into(post, &mut MatchScratch::default(), &mut out);
        out
    }

    /// Replaces the contents of `out` with the ids of the queries `post`
    /// matches, in the order the queries were given, reusing `scratch`'s
    /// buffers.
    pub fn matches_into(&self, post: &Post<'_>, scratch: &mut MatchScratch, out: &mut Vec<Id>) {
        self.run(post, &mut None::<fn() -> Option<&'static str>>, scratch, out);
    }

    /// As [`Matcher::matches_into`], for a post whose language is not known:
    /// `detect` is called only when a query the post may match filters by
    /// language (most posts concern no query, and are never detected), and
    /// its answer serves every such query. Returns what `detect` said, if it
    /// was called.
    pub fn matches_detecting(
        &self,
        post: &Post<'_>,
        detect: impl FnOnce() -> Option<&'static str>,
        scratch: &mut MatchScratch,
        out: &mut Vec<Id>,
    ) -> Option<Option<&'static str>> {
        let mut detect = Some(detect);
        self.run(post, &mut detect, scratch, out)
    }

    fn run<F: FnOnce() -> Option<&'static str>>(
        &self,
        post: &Post<'_>,
        detect: &mut Option<F>,
        scratch: &mut MatchScratch,
        out: &mut Vec<Id>,
    ) -> Option<Option<&'static str>> {
        out.clear();
        scratch.start(self.term_count, self.ids.len());
        let mut folded = std::mem::take(&mut scratch.folded);
        fold_into(post.text, &mut folded);

        // First pass: only the anchors, to find the candidate queries. Most
        // posts concern no query, and stop here.
        self.find_candidates(&folded, scratch);
        if scratch.candidates.is_empty() {
            scratch.folded = folded;
            return None;
        }
        let mut detected = None;
        let mut with_lang = *post;
        if post.lang.is_none()
            && scratch.candidates.iter().any(|&q| self.needs_lang[q as usize])
            && let Some(detect) = detect.take()
        {
            let lang = detect();
            with_lang.lang = lang;
            detected = Some(lang);
        }
        let post = &with_lang;

        // Second pass: every term, with its positions, to evaluate the
        // candidates.
        scratch.next_generation();
        let tokens = std::mem::take(&mut scratch.tokens);
        for &(pos, start, end) in &tokens {
            let key = &folded[start as usize..end as usize];
            self.all.lookup(key, |term| scratch.record(term, pos));
        }
        scratch.tokens = tokens;
        scratch.folded = folded;

        let candidates = std::mem::take(&mut scratch.candidates);
        let mut matched = std::mem::take(&mut scratch.matched);
        matched.clear();
        for &query in &candidates {
            if self.eval(self.roots[query as usize], post, scratch) {
                matched.push(query);
            }
        }
        // Sorting the matches rather than the candidates: there are fewer.
        matched.sort_unstable();
        out.extend(matched.iter().map(|&query| self.ids[query as usize].clone()));
        scratch.candidates = candidates;
        scratch.matched = matched;
        detected
    }

    fn find_candidates(&self, folded: &str, scratch: &mut MatchScratch) {
        let MatchScratch { generation, slots, marks, candidates, bigram, tokens, .. } = scratch;
        let generation = *generation;
        candidates.clear();
        tokens.clear();
        let base = folded.as_ptr() as usize;
        let mut anchor = |term: u32| {
            let slot = &mut slots[term as usize];
            if slot.generation == generation {
                return;
            }
            slot.generation = generation;
            let range = self.anchor_offsets[term as usize] as usize..self.anchor_offsets[term as usize + 1] as usize;
            for &query in &self.anchored[range] {
                if marks[query as usize] != generation {
                    marks[query as usize] = generation;
                    candidates.push(query);
                }
            }
        };
        let mut previous_cjk: Option<(u32, &str)> = None;
        tokenize(folded, |pos, key, _| {
            // Kept for the second pass, which then need not split the text
            // again.
            let start = key.as_ptr() as usize - base;
            tokens.push((pos, start as u32, (start + key.len()) as u32));
            self.anchors.lookup(key, &mut anchor);
            if !self.bigrams.is_empty() && key.starts_with(is_cjk) {
                if let Some((previous_pos, previous)) = previous_cjk
                    && previous_pos + 1 == pos
                {
                    bigram.clear();
                    bigram.push_str(previous);
                    bigram.push_str(key);
                    if self.bigram_filter.may_contain(bigram)
                        && let Some(&term) = self.bigrams.get(bigram.as_str())
                    {
                        anchor(term);
                    }
                }
                previous_cjk = Some((pos, key));
            }
        });
        candidates.extend_from_slice(&self.unanchored);
    }

    fn eval(&self, node: u32, post: &Post<'_>, scratch: &mut MatchScratch) -> bool {
        match self.nodes[node as usize] {
            Node::Phrase { start, len } => {
                let terms = &self.phrase_terms[start as usize..(start + len) as usize];
                self.phrase_starts(terms, scratch, |_| true)
            }
            Node::Filter(index) => self.filters[index as usize].matches(post),
            Node::And { start, len } => {
                (start..start + len).all(|child| self.eval(self.children[child as usize], post, scratch))
            }
            Node::Or { start, len } => {
                (start..start + len).any(|child| self.eval(self.children[child as usize], post, scratch))
            }
            Node::Not(inner) => !self.eval(inner, post, scratch),
            Node::Near { .. } => {
                let mut spans = scratch.spans.pop().unwrap_or_default();
                spans.clear();
                self.spans(node, scratch, &mut spans);
                let found = !spans.is_empty();
                scratch.spans.push(spans);
                found
            }
        }
    }

    /// Calls `found(start)` for each position where the phrase `terms`
    /// starts, until it returns true; returns whether one did.
    fn phrase_starts(&self, terms: &[u32], scratch: &MatchScratch, mut found: impl FnMut(u32) -> bool) -> bool {
        if !terms.iter().all(|&term| scratch.has(term)) {
            return false;
        }
        let mut hit = scratch.slots[terms[0] as usize].first;
        while hit != NONE {
            let pos = scratch.hits[hit as usize].pos;
            let rest = terms[1..].iter().zip(1..).all(|(&term, offset)| scratch.at(term, pos + offset));
            if rest && found(pos) {
                return true;
            }
            hit = scratch.hits[hit as usize].next;
        }
        false
    }

    /// Appends the spans of the positional expression `node` to `out`.
    fn spans(&self, node: u32, scratch: &mut MatchScratch, out: &mut Vec<Span>) {
        match self.nodes[node as usize] {
            Node::Phrase { start, len } => {
                let terms = &self.phrase_terms[start as usize..(start + len) as usize];
                self.phrase_starts(terms, scratch, |pos| {
                    out.push((pos, pos + len - 1));
                    false
                });
            }
            Node::Or { start, len } => {
                for child in start..start + len {
                    self.spans(self.children[child as usize], scratch, out);
                }
            }
            Node::Near { left, right, distance, ordered } => {
                let mut lefts = scratch.spans.pop().unwrap_or_default();
                lefts.clear();
                self.spans(left, scratch, &mut lefts);
                if !lefts.is_empty() {
                    let mut rights = scratch.spans.pop().unwrap_or_default();
                    rights.clear();
                    self.spans(right, scratch, &mut rights);
                    for &a in &lefts {
                        for &b in &rights {
                            if gap(a, b, ordered).is_some_and(|gap| gap <= distance) {
                                out.push((a.0.min(b.0), a.1.max(b.1)));
                            }
                        }
                    }
                    scratch.spans.push(rights);
                }
                scratch.spans.push(lefts);
            }
            Node::Filter(_) | Node::And { .. } | Node::Not(_) => {}
        }
    }
}

/// Terms by their key: whole, and as prefixes.
#[derive(Debug, Clone)]
struct Terms {
    exact: FxHashMap<Box<str>, u32>,
    /// A one-hash Bloom filter of the keys in `exact`: most words of a post
    /// are no term, and this says so without hashing the whole word.
    exact_filter: KeyFilter,
    prefixes: FxHashMap<Box<str>, u32>,
    /// The distinct lengths in bytes of the keys in `prefixes`, ascending.
    prefix_lengths: Vec<usize>,
    /// One bit per possible first two bytes of a key in `prefixes`: most
    /// words start with two bytes no prefix starts with, and need no prefix
    /// lookup at all.
    prefix_starts: Vec<u64>,
}

impl Terms {
    fn new<'a>(
        exact: impl Iterator<Item = (&'a Box<str>, &'a u32)>,
        prefixes: impl Iterator<Item = (&'a Box<str>, &'a u32)>,
    ) -> Terms {
        let exact: FxHashMap<Box<str>, u32> = exact.map(|(key, &term)| (key.clone(), term)).collect();
        let prefixes: FxHashMap<Box<str>, u32> = prefixes.map(|(key, &term)| (key.clone(), term)).collect();
        let mut prefix_lengths: Vec<usize> = prefixes.keys().map(|key| key.len()).collect();
        prefix_lengths.sort_unstable();
        prefix_lengths.dedup();
        let mut prefix_starts = vec![0u64; 1024];
        for key in prefixes.keys() {
            let index = two_bytes(key.as_bytes());
            prefix_starts[index >> 6] |= 1 << (index & 63);
        }
        let exact_filter = KeyFilter::new(exact.keys());
        Terms { exact, exact_filter, prefixes, prefix_lengths, prefix_starts }
    }

    /// Calls `found` with each term that matches the word `key`.
    #[inline]
    fn lookup(&self, key: &str, mut found: impl FnMut(u32)) {
        if self.exact_filter.may_contain(key)
            && let Some(&term) = self.exact.get(key)
        {
            found(term);
        }
        if key.len() >= 2 && !self.prefix_lengths.is_empty() {
            let index = two_bytes(key.as_bytes());
            if self.prefix_starts[index >> 6] & (1 << (index & 63)) != 0 {
                for &length in &self.prefix_lengths {
                    if length > key.len() {
                        break;
                    }
                    if key.is_char_boundary(length)
                        && let Some(&term) = self.prefixes.get(&key[..length])
                    {
                        found(term);
                    }
                }
            }
        }
    }
}

/// 65,536 bits, one set per key at a position from a cheap hash of the key's
/// first and last eight bytes and its length.
#[derive(Debug, Clone)]
struct KeyFilter(Vec<u64>);

impl KeyFilter {
    fn new<'a>(keys: impl Iterator<Item = &'a Box<str>>) -> KeyFilter {
        let mut bits = vec![0u64; 1024];
        for key in keys {
            let index = KeyFilter::index(key);
            bits[index >> 6] |= 1 << (index & 63);
        }
        KeyFilter(bits)
    }

    #[inline]
    fn may_contain(&self, key: &str) -> bool {
        let index = KeyFilter::index(key);
        self.0[index >> 6] & (1 << (index & 63)) != 0
    }

    /// From four bytes (first, second, middle, last) and the length: no
    /// loop over the key.
    #[inline]
    fn index(key: &str) -> usize {
        let bytes = key.as_bytes();
        let len = bytes.len();
        let Some(&last) = bytes.last() else { return 0 };
        let x = u64::from(bytes[0])
            | u64::from(bytes[1.min(len - 1)]) << 8
            | u64::from(bytes[len / 2]) << 16
            | u64::from(last) << 24
            | (len as u64) << 32;
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
    }
}

impl MatchScratch {
    fn start(&mut self, term_count: usize, query_count: usize) {
        if self.slots.len() < term_count {
            self.slots.resize(term_count, Slot::default());
        }
        if self.marks.len() < query_count {
            self.marks.resize(query_count, 0);
        }
        self.next_generation();
    }

    /// Forgets the terms seen so far (and the candidates, between posts).
    fn next_generation(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Once every four billion passes: forget the old generations.
            self.slots.fill(Slot::default());
            self.marks.fill(0);
            self.generation = 1;
        }
        self.hits.clear();
    }

    fn record(&mut self, term: u32, pos: u32) {
        let index = self.hits.len() as u32;
        self.hits.push(Hit { pos, next: NONE });
        let slot = &mut self.slots[term as usize];
        if slot.generation == self.generation {
            let last = slot.last as usize;
            slot.last = index;
            self.hits[last].next = index;
        } else {
            *slot = Slot { generation: self.generation, first: index, last: index };
        }
    }

    fn has(&self, term: u32) -> bool {
        self.slots[term as usize].generation == self.generation
    }

    fn at(&self, term: u32, pos: u32) -> bool {
        let mut hit = self.slots[term as usize].first;
        while hit != NONE {
            let found = self.hits[hit as usize];
            if found.pos >= pos {
                return found.pos == pos;
            }
            hit = found.next;
        }
        false
    }
}

fn two_bytes(key: &[u8]) -> usize {
    (usize::from(key[0]) << 8) | usize::from(key[1])
}

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    children: Vec<u32>,
    phrase_terms: Vec<u32>,
    filters: Vec<Filter>,
    exact: FxHashMap<Box<str>, u32>,
    prefixes: FxHashMap<Box<str>, u32>,
    bigrams: FxHashMap<Box<str>, u32>,
    /// The cost of each term as an anchor (see [`anchor_cost`]).
    costs: Vec<u32>,
    term_count: usize,
}

impl Builder {
    fn term(&mut self, term: &Term) -> u32 {
        let table = if term.prefix { &mut self.prefixes } else { &mut self.exact };
        if let Some(&id) = table.get(&term.key) {
            return id;
        }
        let id = self.term_count as u32;
        table.insert(term.key.clone(), id);
        self.costs.push(anchor_cost(term));
        self.term_count += 1;
        id
    }

    /// The bigram of `first` and `second` when both are single Chinese
    /// characters or kana matched whole.
    fn bigram_key(first: &Term, second: &Term) -> Option<String> {
        let single = |term: &Term| !term.prefix && term.key.starts_with(is_cjk);
        (single(first) && single(second)).then(|| format!("{}{}", first.key, second.key))
    }

    fn bigram(&mut self, key: String, cost: u32) -> u32 {
        if let Some(&id) = self.bigrams.get(key.as_str()) {
            return id;
        }
        let id = self.term_count as u32;
        self.bigrams.insert(key.into(), id);
        self.costs.push(cost);
        self.term_count += 1;
        id
    }

    fn compile(&mut self, expr: &Expr) -> u32 {
        let node = match expr {
            Expr::Phrase(terms) => {
                let ids: Vec<u32> = terms.iter().map(|term| self.term(term)).collect();
                for (pair, window) in terms.windows(2).zip(ids.windows(2)) {
                    if let Some(key) = Builder::bigram_key(&pair[0], &pair[1]) {
                        let cost = self.costs[window[0] as usize].min(self.costs[window[1] as usize]) / 4;
                        self.bigram(key, cost);
                    }
                }
                let start = self.phrase_terms.len() as u32;
                self.phrase_terms.extend(ids);
                Node::Phrase { start, len: terms.len() as u32 }
            }
            Expr::Filter(filter) => {
                self.filters.push(filter.clone());
                Node::Filter(self.filters.len() as u32 - 1)
            }
            Expr::And(children) | Expr::Or(children) => {
                let compiled: Vec<u32> = children.iter().map(|child| self.compile(child)).collect();
                let start = self.children.len() as u32;
                let len = compiled.len() as u32;
                self.children.extend(compiled);
                if matches!(expr, Expr::And(_)) { Node::And { start, len } } else { Node::Or { start, len } }
            }
            Expr::Not(inner) => Node::Not(self.compile(inner)),
            Expr::Near { left, right, distance, ordered } => Node::Near {
                left: self.compile(left),
                right: self.compile(right),
                distance: *distance,
                ordered: *ordered,
            },
        };
        self.nodes.push(node);
        self.nodes.len() as u32 - 1
    }

    /// Terms at least one of which every post matching `expr` contains, with
    /// their summed cost; `None` when there are no such terms (a `NOT`, a
    /// filter).
    fn anchor(&self, expr: &Expr) -> Option<(Vec<u32>, u32)> {
        match expr {
            Expr::Phrase(terms) => {
                let id = |term: &Term| {
                    let table = if term.prefix { &self.prefixes } else { &self.exact };
                    table[&term.key]
                };
                let bigrams = terms.windows(2).filter_map(|pair| {
                    let key = Builder::bigram_key(&pair[0], &pair[1])?;
                    self.bigrams.get(key.as_str()).copied()
                });
                terms
                    .iter()
                    .map(id)
                    .chain(bigrams)
                    .map(|id| (vec![id], self.costs[id as usize]))
                    .min_by_key(|(_, cost)| *cost)
            }
            Expr::Filter(_) | Expr::Not(_) => None,
            Expr::And(children) => children.iter().filter_map(|child| self.anchor(child)).min_by_key(|(_, cost)| *cost),
            Expr::Near { left, right, .. } => {
                [self.anchor(left), self.anchor(right)].into_iter().flatten().min_by_key(|(_, cost)| *cost)
            }
            Expr::Or(children) => {
                let mut terms = Vec::new();
                let mut cost = 0u32;
                for child in children {
                    let (child_terms, child_cost) = self.anchor(child)?;
                    terms.extend(child_terms);
                    cost = cost.saturating_add(child_cost);
                }
                Some((terms, cost))
            }
        }
    }
}

/// How often a term is likely to occur in posts, roughly: the lower, the
/// better an anchor. Short words, common function words, kana and prefixes
/// occur often; tags, handles and long words rarely.
fn anchor_cost(term: &Term) -> u32 {
    let key = &*term.key;
    let first = key.chars().next().unwrap_or(' ');
    let mut cost = if key.starts_with(['#', '@']) {
        2
    } else if is_cjk(first) {
        match first as u32 {
            0x3040..=0x309F => 40,
            0x30A0..=0x30FF => 20,
            _ => 12,
        }
    } else if COMMON_WORDS.split_whitespace().any(|word| word == key) {
        60
    } else {
        16u32.saturating_sub(key.chars().count() as u32).max(3)
    };
    if term.prefix {
        cost += 4;
    }
    cost
}

/// Words so frequent in the languages our users write in that they make poor
/// anchors.
const COMMON_WORDS: &str = "a an and are as at be but by de del des di do du e el en es et for from har he i il in is \
    it la le les los las me mi my no not o of on or por que se so su that the this to un una und y you";
