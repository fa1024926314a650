//! Reading a server-sent event stream (`text/event-stream`, as in the HTML
//! standard's "EventSource" section) from a long-lived HTTP response: lines
//! are gathered across chunks, `event:` and `data:` fields make an event at
//! a blank line, and comment lines (`:thump`, Mastodon's heartbeat) prove
//! the connection alive. Only what the connectors need: no `id:` or `retry:`
//! (they reconnect and catch up by their own cursors).

use std::time::Duration;

use crate::NetworkError;

/// One thing read from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    /// A whole event: its name (`message` when the server gave none) and its data lines joined by `\n`.
    Event { name: String, data: String },
    /// A comment line: the server keeps the connection open.
    Alive,
}

/// An open stream of events.
#[derive(Debug)]
pub struct SseReader {
    response: reqwest::Response,
    parser: Parser,
    /// Longest silence before the connection is taken for dead.
    idle: Duration,
}

impl SseReader {
    pub fn new(response: reqwest::Response, idle: Duration) -> SseReader {
        SseReader { response, parser: Parser::default(), idle }
    }

    /// The next event or heartbeat; `Ok(None)` when the server closed the stream.
    /// Silence longer than the idle limit is a [`NetworkError::Transient`].
    pub async fn next(&mut self) -> Result<Option<SseItem>, NetworkError> {
        loop {
            if let Some(item) = self.parser.item() {
                return Ok(Some(item));
            }
            let chunk = tokio::time::timeout(self.idle, self.response.chunk())
                .await
                .map_err(|_| {
                    NetworkError::Transient(format!("the stream said nothing for {} seconds", self.idle.as_secs()))
                })?
                .map_err(|e| NetworkError::Transient(format!("the stream broke: {e}")))?;
            match chunk {
                Some(bytes) => self.parser.pending.extend_from_slice(&bytes),
                None => return Ok(None),
            }
        }
    }
}

/// The bytes read so far and the event being gathered.
#[derive(Debug, Default)]
struct Parser {
    /// Bytes read but not yet split into lines.
    pending: Vec<u8>,
    name: Option<String>,
    data: Option<String>,
}

impl Parser {
    /// The next whole item in what was read, if there is one yet.
    fn item(&mut self) -> Option<SseItem> {
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let mut line: Vec<u8> = self.pending.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if let Some(item) = self.line(&String::from_utf8_lossy(&line)) {
                return Some(item);
            }
        }
        None
    }

    /// Takes one line; returns an item when it completes one.
    fn line(&mut self, line: &str) -> Option<SseItem> {
        if line.is_empty() {
            let data = self.data.take();
            let name = self.name.take();
            return data.map(|data| SseItem::Event { name: name.unwrap_or_else(|| "message".to_owned()), data });
        }
        if line.starts_with(':') {
            return Some(SseItem::Alive);
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.name = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `text` a few bytes at a time, as chunks arrive.
    fn items(text: &str, chunk: usize) -> Vec<SseItem> {
        let mut parser = Parser::default();
        let mut got = Vec::new();
        for piece in text.as_bytes().chunks(chunk) {
            parser.pending.extend_from_slice(piece);
            while let Some(item) = parser.item() {
                got.push(item);
            }
        }
        got
    }

    #[test]
    fn events_heartbeats_and_multi_line_data_whatever_the_chunks() {
        let text =
            ":thump\r\nevent: notification\r\ndata: {\"é\":1}\r\n\r\ndata: one\ndata:two\n\nevent: delete\n\nid: 7\n";
        let want = vec![
            SseItem::Alive,
            SseItem::Event { name: "notification".into(), data: "{\"é\":1}".into() },
            SseItem::Event { name: "message".into(), data: "one\ntwo".into() },
        ];
        for chunk in [1, 2, 3, 7, 1000] {
            assert_eq!(items(text, chunk), want, "in chunks of {chunk}");
        }
    }
}
